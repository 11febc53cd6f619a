import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Raw header values by lower-cased name (as sent, unfolded). */
  headers: Map<string, string>;
  messageId: string;
}

export interface TestMailbox {
  /** smtp://127.0.0.1:PORT, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** The next mail to this address (already received or still to come), within `timeoutMs`. */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Refuse the next `count` mails with a temporary error (451), as a server in trouble does. */
  failNext(count: number): void;
  /** While held, a mail's data is read but not answered (the sender waits); release() answers them. */
  hold(): void;
  release(): void;
  /** Mails read while held and not answered yet. */
  heldCount(): number;
  /** Forgets held mails unanswered, as a server does whose client went away before the reply: never delivered. */
  drop(): void;
  close(): Promise<void>;
}

/** A real SMTP server on a free port that keeps what it receives, parsed. */
export async function startMailbox(): Promise<TestMailbox> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: Array<() => void> = [];
  let failures = 0;
  let held: Array<() => void> | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        if (failures > 0) {
          failures -= 1;
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        const accept = () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address), subject: mail.subject ?? '', text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '', headers: new Map(mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim()])), messageId: mail.messageId ?? '',
          });
          waiters.splice(0).forEach((wake) => wake());
          callback();
        };
        if (held) held.push(accept);
        else accept();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async next(to, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = received.find((m) => !taken.has(m) && m.to.includes(to));
        if (mail) {
          taken.add(mail);
          return mail;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, Math.min(left, 200)); });
      }
    },
    failNext(count) { failures = count; },
    hold() { held ??= []; },
    release() { const waiting = held ?? []; held = null; waiting.forEach((accept) => accept()); },
    heldCount: () => held?.length ?? 0,
    drop() { held = null; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail that starts with `prefix` (e.g. the server's URL + "/auth/verify"). */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no ${prefix} link in mail "${mail.subject}":\n${mail.text}`);
  return link;
}
