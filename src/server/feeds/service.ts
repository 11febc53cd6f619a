/**
 * Atom feeds of the newest published comments: of one thread, and of a whole site. Only what
 * every reader sees (approved, never a shadow-banned author's), with the HTML stored at write
 * time (it went through the one sanitizer), each entry linking to the comment on its page.
 */
import { and, desc, eq } from 'drizzle-orm';
import { Feed } from 'feed';
import { comments, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { Forbidden, NotFound } from '../errors.js';
import { readThreadWithSite } from '../threads/queries.js';
import { getSiteBySlug } from '../sites/service.js';

const FEED_SIZE = 50;

interface EntryRow {
  id: string;
  authorName: string;
  bodyHtml: string;
  bodySource: string;
  createdAt: Date;
  editedAt: Date | null;
  threadTitle: string | null;
  threadKey: string;
  threadUrl: string | null;
}

const entryColumns = {
  id: comments.id, authorName: comments.authorName, bodyHtml: comments.bodyHtml, bodySource: comments.bodySource,
  createdAt: comments.createdAt, editedAt: comments.editedAt, threadTitle: threads.title, threadKey: threads.key, threadUrl: threads.url,
};
const published = and(eq(comments.status, 'approved'), eq(comments.shadowed, false));

/** The feed library writes titles as `type="html"`: readers' words must reach a feed reader as text, never markup. */
function asHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function build(input: { id: string; title: string; link: string; self: string; rows: EntryRow[]; publicUrl: string }): string {
  const feed = new Feed({
    id: input.id, title: asHtmlText(input.title), link: input.link, feedLinks: { atom: input.self }, generator: 'Parley',
    updated: input.rows[0] ? input.rows[0].editedAt ?? input.rows[0].createdAt : new Date(0), copyright: '',
  });
  for (const row of input.rows) {
    const page = (row.threadUrl ?? input.publicUrl).split('#')[0];
    feed.addItem({
      id: `urn:uuid:${row.id}`,
      title: asHtmlText(`${row.authorName} on ${row.threadTitle ?? row.threadKey}: ${excerpt(row.bodySource)}`),
      link: `${page}#comment-${row.id}`,
      date: row.editedAt ?? row.createdAt,
      published: row.createdAt,
      content: row.bodyHtml,
      author: [{ name: row.authorName }],
    });
  }
  return feed.atom1();
}

export function threadFeedUrl(publicUrl: string, threadId: string): string {
  return `${publicUrl}/feeds/threads/${threadId}/atom.xml`;
}

export function siteFeedUrl(publicUrl: string, slug: string): string {
  return `${publicUrl}/feeds/sites/${encodeURIComponent(slug)}/atom.xml`;
}

export async function threadFeed(deps: Deps, threadId: string): Promise<string> {
  const found = await readThreadWithSite(deps.db, threadId);
  if (!found) throw new NotFound('Thread');
  if (!found.site.enabled) throw new Forbidden('This site does not serve comments.');
  const rows = await deps.db.select(entryColumns).from(comments).innerJoin(threads, eq(threads.id, comments.threadId))
    .where(and(eq(comments.threadId, threadId), published)).orderBy(desc(comments.createdAt)).limit(FEED_SIZE);
  const { thread, site } = found;
  return build({
    id: `urn:uuid:${thread.id}`, title: `Comments on ${thread.title ?? thread.key} (${site.name})`, link: thread.url ?? deps.publicUrl,
    self: threadFeedUrl(deps.publicUrl, thread.id), rows, publicUrl: deps.publicUrl,
  });
}

export async function siteFeed(deps: Deps, slug: string): Promise<string> {
  const site = await getSiteBySlug(deps, slug);
  if (!site.enabled) throw new Forbidden('This site does not serve comments.');
  const rows = await deps.db.select(entryColumns).from(comments).innerJoin(threads, eq(threads.id, comments.threadId))
    .where(and(eq(comments.siteId, site.id), published)).orderBy(desc(comments.createdAt)).limit(FEED_SIZE);
  return build({
    id: `urn:uuid:${site.id}`, title: `Comments on ${site.name}`, link: site.allowedOrigins[0] ?? deps.publicUrl,
    self: siteFeedUrl(deps.publicUrl, site.slug), rows, publicUrl: deps.publicUrl,
  });
}
