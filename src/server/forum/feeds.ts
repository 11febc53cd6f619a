/**
 * Atom feeds of the forum's newest topics (the whole forum, or one category); a topic's own
 * feed is its thread's (feeds/service.ts). Titles are written as HTML-escaped text, as there.
 */
import { sql } from 'drizzle-orm';
import { Feed } from 'feed';
import { comments } from '../db/schema.js';
import type { ApiTopic } from '../../shared/forum.js';
import type { Deps } from '../deps.js';
import type { Site } from '../sites/service.js';
import { listTopics } from './service.js';

function asHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function forumFeedPath(site: Pick<Site, 'slug'>, category?: string): string {
  return `/forum/${encodeURIComponent(site.slug)}${category ? `/c/${encodeURIComponent(category)}` : ''}/feed.atom`;
}

export async function topicsFeed(deps: Deps, site: Site, category?: string): Promise<string> {
  const { topics, category: found } = await listTopics(deps, { site, category, sort: 'newest', limit: 50 });
  // Newest first, pinned or not: a feed is news, not a front page.
  const entries = [...topics].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const page = `${deps.publicUrl}/forum/${encodeURIComponent(site.slug)}${found ? `/c/${encodeURIComponent(found.slug)}` : ''}`;
  const feed = new Feed({
    id: page, title: asHtmlText(found ? `${found.name} · ${site.name} forum` : `${site.name} forum`), link: page,
    feedLinks: { atom: `${deps.publicUrl}${forumFeedPath(site, found?.slug)}` }, generator: 'Parley', copyright: '',
    updated: entries[0] ? new Date(entries[0].createdAt) : new Date(0),
  });
  const firsts = await firstPosts(deps, entries.map((t) => t.id));
  for (const topic of entries) feed.addItem(entryOf(topic, firsts.get(topic.id)));
  return feed.atom1();
}

/** Each topic's first published post (its HTML went through the one sanitizer at write time): one query. */
async function firstPosts(deps: Deps, threadIds: string[]): Promise<Map<string, string>> {
  if (threadIds.length === 0) return new Map();
  const { rows } = await deps.db.execute<{ thread_id: string; body_html: string }>(sql`
    select distinct on (thread_id) thread_id, body_html from ${comments}
    where thread_id = any(${`{${threadIds.join(',')}}`}::uuid[]) and parent_id is null and status = 'approved' and not shadowed
    order by thread_id, created_at, id`);
  return new Map(rows.map((r) => [r.thread_id, r.body_html]));
}

function entryOf(topic: ApiTopic, firstPost: string | undefined) {
  const replies = `${topic.replyCount} ${topic.replyCount === 1 ? 'reply' : 'replies'}`;
  return {
    id: `urn:uuid:${topic.id}`, title: asHtmlText(topic.title), link: topic.url, date: new Date(topic.lastActivityAt),
    published: new Date(topic.createdAt), author: topic.author ? [{ name: asHtmlText(topic.author.name) }] : undefined,
    content: `${firstPost ?? ''}<p>${replies}</p>`,
  };
}
