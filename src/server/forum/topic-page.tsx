/** The topic page, the new-topic form and the search page. */
import type { ComponentChildren } from 'preact';
import type { ApiCategory, SearchResult } from '../../shared/forum.js';
import type { Site } from '../sites/service.js';
import { effectiveThreadStatus } from '../threads/policy.js';
import { formatDate } from './layout.js';
import { Crumbs, Post, SearchResults, TopicBadges, type Reader } from './pages.js';
import type { PostsPage, TopicView } from './posts.js';
import { topicPath, type ThreadRow } from './service.js';

interface TopicPageProps {
  site: Site;
  topic: ThreadRow;
  categories: ApiCategory[];
  posts: PostsPage;
  view: TopicView;
  page: number;
  reader: Reader | null;
  pager: ComponentChildren;
}

export function TopicPage({ site, topic, categories, posts, view, page, reader, pager }: TopicPageProps) {
  const base = `/forum/${encodeURIComponent(site.slug)}`;
  const category = topic.kind === 'article' ? categories.find((c) => c.holdsArticles) : categories.find((c) => c.id === topic.categoryId);
  const parent = category?.parentId ? categories.find((c) => c.id === category.parentId) : undefined;
  const status = effectiveThreadStatus(topic, site, new Date());
  const path = topicPath(site, topic);
  const title = topic.title ?? topic.key;
  const list = (
    <section aria-labelledby="posts-heading">
      <h2 id="posts-heading">{view === 'flat' ? 'Posts in time order' : 'Posts'}{page > 1 ? `, page ${page}` : ''}</h2>
      {posts.posts.length === 0 && <p>No posts yet.</p>}
      {posts.posts.map((p) => <Post key={p.id} post={p} inReplyTo={posts.inReplyTo[p.id]} />)}
      {pager}
    </section>
  );
  return (
    <>
      <Crumbs items={[
        { href: base, label: 'Forum' },
        ...(parent ? [{ href: `${base}/c/${encodeURIComponent(parent.slug)}`, label: parent.name }] : []),
        ...(category ? [{ href: `${base}/c/${encodeURIComponent(category.slug)}`, label: category.name }] : []),
      ]} />
      <h1 dir="auto">{title}</h1>
      <p class="muted">
        <TopicBadges topic={{ pinned: topic.pinned, status, kind: topic.kind }} />
        {' '}{topic.authorName ? <>Started by <span dir="auto">{topic.authorName}</span>, </> : null}
        <time dateTime={topic.createdAt.toISOString()}>{formatDate(topic.createdAt)}</time>
        {topic.kind === 'article' && topic.url && <> · <a href={topic.url}>Read the article</a></>}
        {' · '}<a href={`${path}/feed.atom`}>Atom feed</a>
      </p>
      <nav class="tabs" aria-label="How posts are shown">
        <a href={path} aria-current={view === 'threaded' ? 'page' : undefined}>Threaded</a>
        <a href={`${path}?view=flat`} aria-current={view === 'flat' ? 'page' : undefined}>Flat, in time order</a>
      </nav>
      {reader?.isModerator && <ModeratorTools site={site} topic={topic} status={status} categories={categories} csrf={reader.csrf ?? ''} />}
      {view === 'threaded' ? (
        // Where scripts run, the widget attaches its shadow root here and shows the thread with its
        // composer, votes and live replies; this light-DOM copy is what readers without scripts and crawlers get.
        <div id="parley-thread" data-site={site.slug} data-key={topic.key} data-title={title}>{list}</div>
      ) : (
        <>
          {list}
          <p><a href={path}>Reply in the threaded view</a></p>
        </>
      )}
    </>
  );
}

function ModeratorTools({ site, topic, status, categories, csrf }: { site: Site; topic: ThreadRow; status: string; categories: ApiCategory[]; csrf: string }) {
  const action = `/forum/${encodeURIComponent(site.slug)}/t/${topic.id}/moderate`;
  const button = (value: string, label: string) => (
    <form method="post" action={action}>
      <input type="hidden" name="_csrf" value={csrf} />
      <button type="submit" class="secondary" name="action" value={value}>{label}</button>
    </form>
  );
  return (
    <section aria-label="Moderation" class="actions">
      {button(topic.pinned ? 'unpin' : 'pin', topic.pinned ? 'Unpin' : 'Pin')}
      {status === 'open' ? <>{button('lock', 'Lock')}{button('close', 'Close')}</> : button('reopen', 'Reopen')}
      {topic.kind === 'topic' && (
        <form method="post" action={action} class="actions">
          <input type="hidden" name="_csrf" value={csrf} />
          <label>Category{' '}
            <select name="category">
              {categories.filter((c) => !c.holdsArticles).map((c) => (
                <option key={c.id} value={c.slug} selected={c.id === topic.categoryId}>{c.parentId ? `— ${c.name}` : c.name}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary" name="action" value="move">Move</button>
        </form>
      )}
      {topic.kind === 'topic' && button('delete', 'Delete topic')}
    </section>
  );
}

interface NewTopicProps {
  site: Site;
  reader: Reader | null;
  categories: ApiCategory[];
  values: { category: string; title: string; body: string };
  preview?: string;
  error?: string;
  returnTo: string;
}

export function NewTopicForm({ site, reader, categories, values, preview, error, returnTo }: NewTopicProps) {
  if (!reader) {
    return (
      <>
        <h1>New topic</h1>
        <p>Members start topics. <a href={`/auth/signin?returnTo=${encodeURIComponent(returnTo)}`}>Sign in</a> or <a href="/auth/signup">create an account</a> first.</p>
      </>
    );
  }
  if (categories.length === 0) return <><h1>New topic</h1><p>No category of this forum takes new topics from you.</p></>;
  return (
    <>
      <h1>New topic</h1>
      {error && <div role="alert"><p class="error">{error}</p></div>}
      <form class="stack" method="post" action={`/forum/${encodeURIComponent(site.slug)}/new`}>
        <input type="hidden" name="_csrf" value={reader.csrf ?? ''} />
        <label>Category
          <select name="category" required>
            {categories.map((c) => <option key={c.id} value={c.slug} selected={c.slug === values.category}>{c.parentId ? `— ${c.name}` : c.name}</option>)}
          </select>
        </label>
        <label>Title
          <input type="text" name="title" value={values.title} required maxLength={200} dir="auto" />
        </label>
        <label>Body
          <textarea name="body" required maxLength={10_000} dir="auto">{values.body}</textarea>
        </label>
        <p class="muted">Markdown: **bold**, _italic_, [links](https://example.org), lists, quotes and code.</p>
        <div class="actions">
          <button type="submit">Start topic</button>
          <button type="submit" class="secondary" name="preview" value="1">Preview</button>
        </div>
      </form>
      {preview !== undefined && (
        <section aria-labelledby="preview-heading" class="preview">
          <h2 id="preview-heading">Preview</h2>
          <h3 dir="auto">{values.title}</h3>
          {/* Rendered and sanitized by the one renderer, as it will be stored. */}
          <div dir="auto" dangerouslySetInnerHTML={{ __html: preview }} />
        </section>
      )}
    </>
  );
}

export function SearchPage({ q, results }: { q: string; results: SearchResult[] | null }) {
  return (
    <>
      <h1>Search</h1>
      <p class="muted">Words are matched by their stems in English and Arabic; put a phrase in "quotes", exclude a word with -word.</p>
      {results && <SearchResults results={results} q={q} />}
    </>
  );
}
