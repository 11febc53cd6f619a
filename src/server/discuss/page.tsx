/**
 * A thread as a plain page on Parley's origin, for readers without JavaScript (script blockers,
 * Tor Browser's safest mode): the comments, paged, and a form that posts with no script at all.
 */
import type { ApiComment, ApiThread } from '../../shared/api.js';
import { MAX_BODY_LENGTH, MAX_NAME_LENGTH } from '../../shared/api.js';
import { CsrfField } from '../own-pages/layout.js';

export const discussStyles = `
  .thread-title { margin-bottom: 4px; }
  ol.comments, ol.replies { list-style: none; padding: 0; margin: 0; }
  ol.replies { margin-inline-start: 14px; padding-inline-start: 12px; border-inline-start: 2px solid var(--rule); }
  article.comment { padding: 10px 0; }
  .meta { font-size: 14px; color: var(--muted); display: flex; gap: 8px; flex-wrap: wrap; }
  .meta strong { color: var(--ink); }
  .body { overflow-wrap: anywhere; }
  .body p { margin: 4px 0; }
  textarea { font: inherit; padding: 9px 10px; border: 1px solid var(--rule); border-radius: 6px; background: transparent; color: inherit; min-height: 7em; }
  .hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
  .pager { margin: 16px 0; }
  .posted { border-inline-start: 3px solid var(--accent); padding-inline-start: 10px; }
`;

export interface DiscussView {
  thread: ApiThread;
  /** The address of this page without paging, for links and the form. */
  selfUrl: string;
  comments: ApiComment[];
  nextUrl: string | null;
  csrf: string;
  /** The form's signed start time: the composing-time rule applies here too. */
  startedAt: string;
  /** The comment being answered, if the reader followed a "Reply" link. */
  replyTo: ApiComment | null;
  /** What happened to the reader's last post. */
  posted?: 'published' | 'pending';
  error?: string;
  /** What the reader typed, kept when the post was refused. */
  values?: { name?: string; email?: string; body?: string };
}

function Comment({ comment, selfUrl }: { comment: ApiComment; selfUrl: string }) {
  const gone = comment.status !== 'approved' && comment.status !== 'pending';
  const name = comment.author?.name ?? '[deleted]';
  return (
    <li>
      <article class="comment" id={`comment-${comment.id}`} aria-label={gone ? 'Deleted comment' : `Comment by ${name}`}>
        {gone ? (
          <p class="muted">{comment.moderationNote ? `Removed by a moderator: ${comment.moderationNote}` : '[deleted]'}</p>
        ) : (
          <>
            <div class="meta">
              <strong dir="auto">{name}</strong>
              {comment.author?.isGuest && <span>(guest)</span>}
              <a href={`${selfUrl}#comment-${comment.id}`}>
                <time dateTime={comment.createdAt}>{comment.createdAt.slice(0, 16).replace('T', ' ')} UTC</time>
              </a>
              <span>{comment.upvotes - comment.downvotes} points</span>
            </div>
            {/* Rendered from markdown and sanitized once, at write time: the same HTML the widget shows. */}
            <div class="body" dir="auto" dangerouslySetInnerHTML={{ __html: comment.html }} />
            <a href={`${selfUrl}&reply=${comment.id}#post`}>Reply</a>
          </>
        )}
      </article>
      {comment.replies.length > 0 && (
        <ol class="replies" aria-label={`Replies to ${name}`}>
          {comment.replies.map((reply) => <Comment key={reply.id} comment={reply} selfUrl={selfUrl} />)}
        </ol>
      )}
    </li>
  );
}

export function DiscussPage({ view }: { view: DiscussView }) {
  const { thread } = view;
  const title = thread.title ?? thread.key;
  const open = thread.status === 'open';
  return (
    <>
      <h1 class="thread-title">Comments on “{title}”</h1>
      <p class="muted">
        {thread.commentCount} {thread.commentCount === 1 ? 'comment' : 'comments'}
        {thread.url && <> · <a href={thread.url}>Back to the article</a></>}
      </p>
      {view.posted && (
        <p class="notice posted" role="status">
          {view.posted === 'published' ? 'Your comment is published.' : 'Thank you: your comment awaits moderation.'}
        </p>
      )}
      <ol class="comments">
        {view.comments.map((comment) => <Comment key={comment.id} comment={comment} selfUrl={view.selfUrl} />)}
      </ol>
      {view.comments.length === 0 && <p class="muted">No comments yet.</p>}
      {view.nextUrl && <p class="pager"><a href={view.nextUrl}>Older comments</a></p>}
      <h2 id="post">{view.replyTo ? `Reply to ${view.replyTo.author?.name ?? 'a comment'}` : 'Post a comment'}</h2>
      {!open ? (
        <p class="muted">{thread.status === 'locked' ? 'This thread is locked: no new comments.' : 'This thread is closed.'}</p>
      ) : (
        <form method="post" action={`${view.selfUrl}#post`}>
          {view.error && <p class="error" role="alert">{view.error}</p>}
          <CsrfField token={view.csrf} />
          <input type="hidden" name="startedAt" value={view.startedAt} />
          {view.replyTo && <input type="hidden" name="parentId" value={view.replyTo.id} />}
          <label>
            Name
            <input type="text" name="name" required maxLength={MAX_NAME_LENGTH} autoComplete="name" dir="auto" value={view.values?.name ?? ''} />
          </label>
          <label>
            Email (optional)
            <input type="email" name="email" autoComplete="email" value={view.values?.email ?? ''} />
          </label>
          <label>
            Comment
            <textarea name="body" required maxLength={MAX_BODY_LENGTH} dir="auto">{view.values?.body ?? ''}</textarea>
          </label>
          <div class="hp" aria-hidden="true">
            <label>Website <input type="text" name="website" tabIndex={-1} autoComplete="off" /></label>
          </div>
          <p class="muted">Markdown works: **bold**, _italic_, `code`, [link](url), &gt; quote.</p>
          <button type="submit">Post comment</button>
          {view.replyTo && <a href={`${view.selfUrl}#post`}>Cancel the reply</a>}
        </form>
      )}
    </>
  );
}
