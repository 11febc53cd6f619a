import nodemailer from 'nodemailer';

export interface MailLog {
  info(obj: object, msg: string): void;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to `text` (notification mails: the comment as readers see it, sanitized). */
  html?: string;
  /** Extra headers (List-Unsubscribe ...). */
  headers?: Record<string, string>;
  /** A stable Message-ID: a mail sent again after a crash is the same message to the reader's client. */
  messageId?: string;
}

/** Enough of an address for an operator to tell mails apart, not enough to collect it. */
function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at > 0 ? `${address[0]}***${address.slice(at)}` : '***';
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Mail over SMTP_URL; without one (a first run, a laptop) each mail is written to the log with
 * its links, so sign-up still works and the operator can follow them.
 */
export function createMailer(options: { smtpUrl?: string; from: string; log: MailLog; maxConnections?: number }): Mailer {
  if (!options.smtpUrl) {
    return {
      async send(message) { options.log.info({ mail: { to: maskAddress(message.to), subject: message.subject, text: message.text } }, 'mail (no SMTP_URL set, so it is logged)'); },
      close() {},
    };
  }
  // A pool keeps connections open between mails (a burst of notifications); the timeouts bound how
  // long a job may wait on a server that stopped answering.
  const transport = nodemailer.createTransport({
    url: options.smtpUrl, pool: true, maxConnections: options.maxConnections ?? 5, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) { await transport.sendMail({ from: options.from, ...message }); },
    close() { transport.close(); },
  };
}

/**
 * Sends after the change that caused it has committed, without making the request wait: a reply
 * that came back slower when a mail went out would tell who has an account.
 */
export function sendLater(deps: { mailer: Mailer; log: { error(obj: object, msg: string): void } }, message: MailMessage): void {
  deps.mailer.send(message).catch((err: unknown) => { deps.log.error({ err, subject: message.subject }, 'mail not sent'); });
}
