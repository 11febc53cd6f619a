/**
 * Notification mails: a plain-text part (the comment's markdown as written) and an HTML part
 * (the comment's HTML as stored, which went through the one sanitizer when it was written; every
 * other piece of reader text is escaped by preact), with RFC 8058 one-click unsubscribe headers.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { MailMessage } from '../mail/mailer.js';

export interface MailComment {
  id: string;
  authorName: string;
  bodySource: string;
  bodyHtml: string;
  permalink: string;
  threadTitle: string;
}

export interface Unsubscribe {
  /** The page offering "this thread" and "everything". */
  page: string;
  /** What the List-Unsubscribe one-click POST stops. */
  oneClick: string;
}

const KIND_LINE = {
  reply: (c: MailComment) => `${c.authorName} replied to your comment on "${c.threadTitle}"`,
  mention: (c: MailComment) => `${c.authorName} mentioned you on "${c.threadTitle}"`,
  subscription: (c: MailComment) => `${c.authorName} commented on "${c.threadTitle}"`,
} as const;
export type NoticeKind = keyof typeof KIND_LINE;

const WHY = {
  reply: 'You get this because you commented with this address.',
  mention: 'You get this because someone wrote your name after an @.',
  subscription: 'You get this because you follow this discussion.',
} as const;

function headers(unsubscribe: Unsubscribe): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribe.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function html(title: string, body: ComponentChildren): string {
  return `<!doctype html>${renderToString(
    <html lang="en">
      <head><meta charSet="utf-8" /><title>{title}</title></head>
      <body style="font: 15px/1.5 system-ui, sans-serif; color: #1d232b; max-width: 600px; margin: 0 auto; padding: 16px;">{body}</body>
    </html>,
  )}`;
}

function Footer({ why, unsubscribe }: { why: string; unsubscribe: Unsubscribe }) {
  return (
    <p style="color: #5b6470; font-size: 13px; border-top: 1px solid #d5dae0; padding-top: 8px; margin-top: 24px;">
      {why} <a href={unsubscribe.page}>Unsubscribe</a> (from this discussion, or from all mail).
    </p>
  );
}

function CommentBlock({ comment }: { comment: MailComment }) {
  return (
    <>
      <blockquote style="border-left: 3px solid #1a56a6; margin: 12px 0; padding: 4px 12px;" dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />
      <p><a href={comment.permalink}>Read it and reply</a></p>
    </>
  );
}

export function noticeMail(input: { to: string; kind: NoticeKind; comment: MailComment; unsubscribe: Unsubscribe; messageId: string }): MailMessage {
  const { comment, unsubscribe } = input;
  const line = KIND_LINE[input.kind](comment);
  return {
    to: input.to,
    subject: line,
    messageId: input.messageId,
    headers: headers(unsubscribe),
    text: `${line}:\n\n${comment.bodySource}\n\nRead it and reply:\n${comment.permalink}\n\n--\n${WHY[input.kind]}\nUnsubscribe: ${unsubscribe.page}\n`,
    html: html(line, (
      <>
        <p>{line}:</p>
        <CommentBlock comment={comment} />
        <Footer why={WHY[input.kind]} unsubscribe={unsubscribe} />
      </>
    )),
  };
}

export interface DigestEntry {
  kind: NoticeKind | 'moderation';
  comment: MailComment;
  /** For a moderator's entry: why it waits and where to decide. */
  reason?: string;
  queueLink?: string;
}

export function digestMail(input: { to: string; period: 'hourly' | 'daily'; siteName: string; entries: DigestEntry[]; unsubscribe: Unsubscribe; messageId: string }): MailMessage {
  const { entries, unsubscribe } = input;
  const subject = `${entries.length} new ${entries.length === 1 ? 'comment' : 'comments'} on ${input.siteName}`;
  const lineOf = (e: DigestEntry) => (e.kind === 'moderation' ? `Waiting for moderation (${e.reason}): ${e.comment.authorName} on "${e.comment.threadTitle}"` : KIND_LINE[e.kind](e.comment));
  const text = entries.map((e) => `${lineOf(e)}:\n\n${e.comment.bodySource}\n\n${e.queueLink ?? e.comment.permalink}\n`).join('\n----\n\n');
  return {
    to: input.to,
    subject,
    messageId: input.messageId,
    headers: headers(unsubscribe),
    text: `Your ${input.period} digest from ${input.siteName}.\n\n${text}\n--\nUnsubscribe: ${unsubscribe.page}\n`,
    html: html(subject, (
      <>
        <p>Your {input.period} digest from {input.siteName}.</p>
        {entries.map((e) => (
          <section key={e.comment.id}>
            <p><strong>{lineOf(e)}</strong></p>
            <blockquote style="border-left: 3px solid #1a56a6; margin: 12px 0; padding: 4px 12px;" dangerouslySetInnerHTML={{ __html: e.comment.bodyHtml }} />
            <p><a href={e.queueLink ?? e.comment.permalink}>{e.queueLink ? 'Open the queue' : 'Read it and reply'}</a></p>
          </section>
        ))}
        <Footer why="You get this digest because you chose it." unsubscribe={unsubscribe} />
      </>
    )),
  };
}

export function moderationMail(input: { to: string; siteName: string; reason: string; comment: MailComment; queueLink: string; unsubscribe: Unsubscribe; messageId: string }): MailMessage {
  const { comment, unsubscribe } = input;
  const line = `A comment on ${input.siteName} waits for moderation (${input.reason})`;
  return {
    to: input.to,
    subject: line,
    messageId: input.messageId,
    headers: headers(unsubscribe),
    text: `${line}: ${comment.authorName} on "${comment.threadTitle}":\n\n${comment.bodySource}\n\nDecide in the queue:\n${input.queueLink}\n\n--\nYou get this because you asked for moderation alerts.\nUnsubscribe: ${unsubscribe.page}\n`,
    html: html(line, (
      <>
        <p>{line}: {comment.authorName} on "{comment.threadTitle}":</p>
        <blockquote style="border-left: 3px solid #a3261b; margin: 12px 0; padding: 4px 12px;" dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />
        <p><a href={input.queueLink}>Decide in the queue</a></p>
        <Footer why="You get this because you asked for moderation alerts." unsubscribe={unsubscribe} />
      </>
    )),
  };
}

/** Double opt-in: nothing is mailed to an address a reader typed until its owner says yes here. */
export function confirmMail(input: { to: string; siteName: string; what: 'replies' | 'thread'; threadTitle: string | null; link: string; messageId: string }): MailMessage {
  const wants = input.what === 'replies'
    ? `mail when someone replies to your comments on ${input.siteName}`
    : `mail about new comments on "${input.threadTitle ?? input.siteName}"`;
  return {
    to: input.to,
    subject: 'Confirm your email address',
    messageId: input.messageId,
    text: `Someone (perhaps you) asked for ${wants} at this address.\n\nTo say yes:\n\n${input.link}\n\nThe link works once, for a week. If you did not ask for this, ignore this mail: nothing will be sent.\n`,
    html: html('Confirm your email address', (
      <>
        <p>Someone (perhaps you) asked for {wants} at this address.</p>
        <p><a href={input.link}>Yes, send me this mail</a></p>
        <p style="color: #5b6470; font-size: 13px;">The link works once, for a week. If you did not ask for this, ignore this mail: nothing will be sent.</p>
      </>
    )),
  };
}
