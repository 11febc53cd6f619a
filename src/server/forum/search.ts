/**
 * Forum search: PostgreSQL full text over topic titles and published posts, with Parley's own
 * configuration (English stems for Latin words, Arabic stems for Arabic ones) and web-search
 * syntax ("a phrase in quotes", -word, or). Snippets are marked by PostgreSQL with characters
 * no stored text holds (text.ts strips controls), then escaped here: nothing a reader wrote
 * reaches the page as markup.
 */
import { sql } from 'drizzle-orm';
import type { SearchResult } from '../../shared/forum.js';
import type { Deps } from '../deps.js';
import type { Site } from '../sites/service.js';
import { readCategories } from './categories.js';
import { topicPath } from './service.js';

export const MAX_QUERY_LENGTH = 200;
const RESULTS = 20;
const START = '\u0001';
const STOP = '\u0002';
const HEADLINE = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The headline as HTML: escaped, with PostgreSQL's marks turned into <mark>. */
export function markedSnippet(headline: string): string {
  return escapeHtml(headline.replace(/\s+/g, ' ').trim()).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');
}

type Hit = { thread_id: string; comment_id: string | null; title: string | null; thread_key: string; headline: string };

/** Titles first (one hit per topic), then posts, newest first; 20 at most. */
export async function searchForum(deps: Deps, site: Site, q: string): Promise<SearchResult[]> {
  const categories = await readCategories(deps.db, site.id);
  const articles = categories.some((c) => c.holdsArticles);
  const topicCategories = categories.filter((c) => !c.holdsArticles).map((c) => c.id);
  const inForum = sql`(t.kind = 'topic' and t.comment_count > 0 and t.category_id = any(${`{${topicCategories.join(',')}}`}::uuid[]))
    ${articles ? sql`or t.kind = 'article'` : sql``}`;
  const { rows } = await deps.db.execute<Hit>(sql`
    with q as (select websearch_to_tsquery('parley_search', ${q}) as query),
    titles as (
      select t.id as thread_id, null::uuid as comment_id, t.title, t.key as thread_key, t.last_activity_at as at
      from threads t, q where t.site_id = ${site.id} and t.title_search @@ q.query and (${inForum})
      order by t.last_activity_at desc limit ${RESULTS}
    ),
    posts as (
      select c.thread_id, c.id as comment_id, t.title, t.key as thread_key, c.created_at as at, c.body_source
      from comments c join threads t on t.id = c.thread_id, q
      where c.site_id = ${site.id} and c.search @@ q.query and c.status = 'approved' and not c.shadowed and (${inForum})
      order by c.created_at desc limit ${RESULTS}
    )
    select thread_id, comment_id, title, thread_key, ts_headline('parley_search', coalesce(title, thread_key), q.query, ${HEADLINE}) as headline, 0 as part, at
      from titles, q
    union all
    select thread_id, comment_id, title, thread_key, ts_headline('parley_search', body_source, q.query, ${HEADLINE}) as headline, 1 as part, at
      from (select * from posts order by at desc limit ${RESULTS}) p, q
    order by part, at desc
    limit ${RESULTS}`);
  return rows.map((row) => ({
    threadId: row.thread_id,
    ...(row.comment_id ? { commentId: row.comment_id } : {}),
    title: row.title ?? row.thread_key,
    snippet: markedSnippet(row.headline),
    url: `${deps.publicUrl}${topicPath(site, { id: row.thread_id, title: row.title })}${row.comment_id ? `#comment-${row.comment_id}` : ''}`,
  }));
}
