/**
 * One comment of a queue: its text, its thread, why it is there, its flags, its author and
 * their history on the site, and what a moderator may do to it, its author and its thread.
 * Every action is a plain form (it works without the script); the script sends the same
 * fields to the form's `data-api` instead.
 */
import { commentActionApplies, type ModeratedCommentAction } from '../moderation/policy.js';
import type { QueueItem } from '../moderation/queue.js';

/** What each hold reason of the rules means, in the moderators' words. */
const REASONS: Record<string, string> = {
  premoderation: 'pre-moderation',
  'new-member': 'new member',
  'too-fast': 'written faster than a person writes',
  honeypot: 'filled in the field only robots see',
  links: 'too many links',
  link: 'has a link',
  duplicate: 'posted more than once',
  flags: 'hidden by readers\' flags',
  shadowban: 'author is shadow-banned',
};
export function reasonText(reason: string): string {
  if (reason.startsWith('suspect-word:')) return `suspect word "${reason.slice('suspect-word:'.length)}"`;
  return REASONS[reason] ?? reason;
}

const STATUS: Record<string, string> = { pending: 'Pending', approved: 'Published', rejected: 'Rejected', spam: 'Spam', deleted: 'Deleted' };

/** A UTC time to the minute: moderators of one site may sit in several time zones. */
export function When({ at }: { at: string }) {
  return <time dateTime={at}>{`${at.slice(0, 10)} ${at.slice(11, 16)} UTC`}</time>;
}

export interface FormContext {
  site: string;
  csrf: string;
  /** The view to come back to after a form's post (without the script). */
  back: string;
}

function Hidden({ ctx }: { ctx: FormContext }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={ctx.csrf} />
      <input type="hidden" name="back" value={ctx.back} />
    </>
  );
}

function ActionButton({ action, label, danger, shortcut }: { action: string; label: string; danger?: boolean; shortcut?: string }) {
  return (
    <button type="submit" name="action" value={action} class={danger ? 'danger' : 'secondary'} data-action={action} aria-keyshortcuts={shortcut}>
      {label}
    </button>
  );
}

function CommentActions({ item, ctx }: { item: QueueItem; ctx: FormContext }) {
  const c = item.comment;
  const id = c.id;
  const can = (action: ModeratedCommentAction) => commentActionApplies(action, c);
  return (
    <form method="post" class="inline actions" action={`/admin/${encodeURIComponent(ctx.site)}/comments/${id}`} data-api={`/api/v1/mod/comments/${id}`}>
      <Hidden ctx={ctx} />
      <fieldset>
        <legend>Comment</legend>
        {can('approve') && <ActionButton action="approve" label="Approve" shortcut="a" />}
        {can('reject') && (
          <>
            <label class="reason">Public reason (if rejected)<input type="text" name="reason" maxLength={500} /></label>
            <ActionButton action="reject" label="Reject" shortcut="r" />
          </>
        )}
        {can('spam') && <ActionButton action="spam" label="Spam" shortcut="s" />}
        {can('restore') && <ActionButton action="restore" label="Restore" />}
        {can('pin') && <ActionButton action="pin" label="Pin" />}
        {can('unpin') && <ActionButton action="unpin" label="Unpin" />}
        {can('delete') && <ActionButton action="delete" label="Delete" danger />}
      </fieldset>
    </form>
  );
}

function AuthorActions({ item, ctx }: { item: QueueItem; ctx: FormContext }) {
  const { author } = item;
  if (!author.id) return null;
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return (
    <form method="post" class="inline actions" action={`/admin/${encodeURIComponent(ctx.site)}/users/${author.id}`} data-api={`/api/v1/mod/users/${author.id}`}>
      <Hidden ctx={ctx} />
      <input type="hidden" name="site" value={ctx.site} />
      <fieldset>
        <legend>{`Author: ${author.name}`}</legend>
        <ActionButton action="ban" label="Ban" danger />
        <label class="until">Suspend until<input type="date" name="until" min={tomorrow} /></label>
        <ActionButton action="suspend" label="Suspend" />
        <ActionButton action="shadowban" label="Shadow-ban" />
        <ActionButton action="trust" label="Trust" />
        <ActionButton action="unban" label="Lift bans" />
      </fieldset>
    </form>
  );
}

function ThreadActions({ item, ctx }: { item: QueueItem; ctx: FormContext }) {
  const { thread } = item;
  return (
    <form method="post" class="inline actions" action={`/admin/${encodeURIComponent(ctx.site)}/threads/${thread.id}`} data-api={`/api/v1/mod/threads/${thread.id}`}>
      <Hidden ctx={ctx} />
      <fieldset>
        <legend>{`Thread (${thread.status})`}</legend>
        {thread.status === 'open' && <ActionButton action="lock" label="Lock" />}
        {thread.status !== 'closed' && <ActionButton action="close" label="Close" />}
        {thread.status !== 'open' && <ActionButton action="reopen" label="Reopen" />}
      </fieldset>
    </form>
  );
}

function History({ item }: { item: QueueItem }) {
  const { author } = item;
  const h = author.history;
  return (
    <dl class="history">
      <dt>On this site</dt>
      <dd>{`${h.approved} published · ${h.pending} pending · ${h.rejected} rejected · ${h.spam} spam`}</dd>
      <dt>First seen</dt>
      <dd>{h.firstSeen ? <When at={h.firstSeen} /> : 'now'}</dd>
      {author.email && <><dt>Email</dt><dd>{author.email}</dd></>}
      {h.otherNames.length > 0 && <><dt>Other names, same address</dt><dd>{h.otherNames.join(', ')}</dd></>}
    </dl>
  );
}

/** What changes the item's picture: the script replaces an item whose version moved. */
export function itemVersion(item: QueueItem): string {
  const c = item.comment;
  return [c.status, c.flagCount, c.pinned, c.editedAt, c.shadowed, item.thread.status, item.author.history.approved, item.author.history.rejected].join('|');
}

export function QueueItemView({ item, ctx }: { item: QueueItem; ctx: FormContext }) {
  const c = item.comment;
  const heading = `item-${c.id}-title`;
  const { thread } = item;
  return (
    <li data-id={c.id} data-version={itemVersion(item)}>
      <article class="item" id={`item-${c.id}`} tabIndex={-1} aria-labelledby={heading}>
        <div class="item-head">
          <label><input type="checkbox" name="ids" value={c.id} form="bulk" class="select" /> <span class="visually-hidden">{`Select the comment by ${item.author.name}`}</span></label>
          <h3 id={heading}>{`Comment by ${item.author.name}`}</h3>
          {item.author.isGuest && <span class="badge">Guest</span>}
          <span class="badge">{STATUS[c.status] ?? c.status}</span>
          {c.pinned && <span class="badge">Pinned</span>}
          {c.flagCount > 0 && <span class="badge">{c.flagCount === 1 ? '1 flag' : `${c.flagCount} flags`}</span>}
          <span class="muted"><When at={c.createdAt} /></span>
        </div>
        <p class="muted">
          {'on '}
          {thread.url ? <a href={thread.url}>{thread.title || thread.url}</a> : (thread.title || 'an untitled thread')}
          {c.parentId && ' (a reply)'}
        </p>
        {item.reasons.length > 0 && <p class="why"><strong>Why here: </strong>{item.reasons.map(reasonText).join('; ')}</p>}
        {item.flags.length > 0 && (
          <>
            <p class="why"><strong>{`Readers' flags (${item.flags.length}):`}</strong></p>
            <ul class="flags">
              {item.flags.map((f) => <li>{f.reason}{f.note && `: ${f.note}`}{' · '}<When at={f.at} /></li>)}
            </ul>
          </>
        )}
        {c.moderationNote && <p class="why"><strong>Public reason: </strong>{c.moderationNote}</p>}
        {/* Rendered and sanitized when written (markdown-it without raw HTML, then sanitize-html). */}
        <div class="body" dangerouslySetInnerHTML={{ __html: c.html }} />
        <History item={item} />
        <div class="action-groups">
          <CommentActions item={item} ctx={ctx} />
          <AuthorActions item={item} ctx={ctx} />
          <ThreadActions item={item} ctx={ctx} />
        </div>
      </article>
    </li>
  );
}
