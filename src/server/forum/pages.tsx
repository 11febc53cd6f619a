/**
 * The forum's pages as Preact components, rendered to a string. Every title and body carries
 * dir="auto": an Arabic topic lays itself out right to left in an English page. Post bodies are
 * the HTML stored at write time (it went through the one sanitizer); everything else is text.
 */
import type { ApiComment } from '../../shared/api.js';
import type { ApiCategory, ApiTopic, ForumSort, SearchResult, TopPeriod } from '../../shared/forum.js';
import { formatDate } from './layout.js';

export interface Reader {
  name: string;
  csrf?: string;
  isModerator: boolean;
}

export function ForumHeader({ slug, siteName, reader, q, returnTo }: { slug: string; siteName: string; reader: Reader | null; q?: string; returnTo: string }) {
  const base = `/forum/${encodeURIComponent(slug)}`;
  return (
    <div class="bar">
      <a class="brand" href={base}>{siteName} forum</a>
      <form role="search" action={`${base}/search`} method="get">
        <label class="visually-hidden" for="forum-q">Search the forum</label>
        <input id="forum-q" type="search" name="q" value={q ?? ''} dir="auto" maxLength={200} />
        <button type="submit" class="secondary">Search</button>
      </form>
      <a href={`${base}/new`}>New topic</a>
      {reader ? <span>Signed in as <a href="/account" dir="auto">{reader.name}</a></span>
        : <a href={`/auth/signin?returnTo=${encodeURIComponent(returnTo)}`}>Sign in</a>}
    </div>
  );
}

export function Crumbs({ items }: { items: Array<{ href?: string; label: string }> }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <ol>{items.map((item, i) => <li key={i}>{item.href ? <a href={item.href} dir="auto">{item.label}</a> : <span aria-current="page" dir="auto">{item.label}</span>}</li>)}</ol>
    </nav>
  );
}

export function CategoryTable({ slug, categories }: { slug: string; categories: ApiCategory[] }) {
  return (
    <table>
      <caption class="visually-hidden">Categories</caption>
      <thead><tr><th scope="col">Category</th><th scope="col" class="num">Topics</th><th scope="col" class="num">Posts</th><th scope="col">Latest</th></tr></thead>
      <tbody>
        {categories.map((c) => (
          <tr key={c.id} class={c.parentId ? 'sub' : undefined}>
            <td>
              <a href={`/forum/${encodeURIComponent(slug)}/c/${encodeURIComponent(c.slug)}`} dir="auto">{c.name}</a>
              {c.locked && <span class="badge">Locked</span>}
              {c.description && <div class="muted" dir="auto">{c.description}</div>}
            </td>
            <td class="num">{c.topicCount}</td>
            <td class="num">{c.postCount}</td>
            <td class="muted">{c.lastActivityAt ? <time dateTime={c.lastActivityAt}>{formatDate(c.lastActivityAt)}</time> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TopicBadges({ topic }: { topic: Pick<ApiTopic, 'pinned' | 'status' | 'unread' | 'kind'> }) {
  return (
    <>
      {topic.pinned && <span class="badge">Pinned</span>}
      {topic.status === 'locked' && <span class="badge">Locked</span>}
      {topic.status === 'closed' && <span class="badge">Closed</span>}
      {topic.kind === 'article' && <span class="badge">Article</span>}
      {topic.unread && <span class="badge unread">Unread</span>}
    </>
  );
}

export function TopicTable({ topics, categories, covers, caption, sort = 'latest' }: { topics: ApiTopic[]; categories: ApiCategory[]; covers: string[]; caption: string; sort?: ForumSort }) {
  const nameOf = new Map(categories.map((c) => [c.slug, c.name]));
  return (
    <table>
      <caption class="visually-hidden">{caption}</caption>
      <thead><tr><th scope="col">Topic</th><th scope="col" class="num">Replies</th><th scope="col">Activity</th></tr></thead>
      {/* The live script adds new topics here when their category is one of these. */}
      <tbody id="topic-list" data-covers={covers.join(' ')} data-sort={sort}>
        {topics.map((t) => (
          <tr key={t.id} data-topic-id={t.id}>
            <td>
              <a href={new URL(t.url).pathname} dir="auto">{t.title}</a>
              <TopicBadges topic={t} />
              <div class="muted">
                {t.category && <span dir="auto">{nameOf.get(t.category) ?? t.category}</span>}
                {t.author && <> · by <span dir="auto">{t.author.name}</span></>}
              </div>
            </td>
            <td class="num" data-replies>{t.replyCount}</td>
            <td class="muted"><time dateTime={t.lastActivityAt}>{formatDate(t.lastActivityAt)}</time></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const SORT_LABELS: Record<ForumSort, string> = { latest: 'Latest', newest: 'Newest', top: 'Top' };

const PERIOD_LABELS: Record<TopPeriod, string> = { day: 'Today', week: 'This week', month: 'This month', year: 'This year', all: 'All time' };

export function SortTabs({ base, sort, period }: { base: string; sort: ForumSort; period: TopPeriod }) {
  return (
    <>
      <nav class="tabs" aria-label="Sort topics">
        {(Object.keys(SORT_LABELS) as ForumSort[]).map((s) => (
          <a key={s} href={s === 'latest' ? base : `${base}?sort=${s}`} aria-current={s === sort ? 'page' : undefined}>{SORT_LABELS[s]}</a>
        ))}
      </nav>
      {sort === 'top' && (
        <nav class="tabs" aria-label="Top topics of">
          {(Object.keys(PERIOD_LABELS) as TopPeriod[]).map((p) => (
            <a key={p} href={`${base}?sort=top${p === 'all' ? '' : `&period=${p}`}`} aria-current={p === period ? 'page' : undefined}>{PERIOD_LABELS[p]}</a>
          ))}
        </nav>
      )}
    </>
  );
}

export function Pager({ prev, next }: { prev: string | null; next: string | null }) {
  if (!prev && !next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <span>{prev && <a href={prev} rel="prev">← Previous page</a>}</span>
      <span>{next && <a href={next} rel="next">Next page →</a>}</span>
    </nav>
  );
}

export function Post({ post, inReplyTo }: { post: ApiComment; inReplyTo?: string }) {
  return (
    <article class="post" id={`comment-${post.id}`} aria-label={post.author ? `Post by ${post.author.name}` : 'Removed post'}>
      <header>
        {post.author ? <strong dir="auto">{post.author.name}</strong> : <em>Removed</em>}
        {post.author?.isGuest && <span class="badge">Guest</span>}
        {' · '}<a href={`#comment-${post.id}`}><time dateTime={post.createdAt}>{formatDate(post.createdAt)}</time></a>
        {inReplyTo && <> · in reply to <span dir="auto">{inReplyTo}</span></>}
        {post.upvotes - post.downvotes !== 0 && <> · {post.upvotes - post.downvotes} points</>}
      </header>
      {post.author && <div class="body" dir="auto" dangerouslySetInnerHTML={{ __html: post.html }} />}
      {post.replies.length > 0 && <div class="replies">{post.replies.map((r) => <Post key={r.id} post={r} />)}</div>}
    </article>
  );
}

export function SearchResults({ results, q }: { results: SearchResult[]; q: string }) {
  if (results.length === 0) return <p role="status">Nothing found for <q dir="auto">{q}</q>.</p>;
  return (
    <>
      <p role="status">{results.length === 1 ? '1 result' : `${results.length} results`} for <q dir="auto">{q}</q></p>
      <ol class="plain">
        {results.map((r) => (
          <li key={`${r.threadId}:${r.commentId ?? ''}`} class="result">
            <a href={new URL(r.url).pathname + new URL(r.url).hash} dir="auto">{r.title}</a>
            {r.commentId ? <span class="muted"> · a post</span> : <span class="muted"> · topic title</span>}
            {/* Escaped by search.ts, with the reader's words marked. */}
            <p dir="auto" dangerouslySetInnerHTML={{ __html: r.snippet }} />
          </li>
        ))}
      </ol>
    </>
  );
}
