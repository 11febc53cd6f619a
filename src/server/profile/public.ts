/**
 * A member's public profile: their name, avatar, since when they are here, and what they wrote
 * that every reader may see (approved comments on sites that serve comments), newest first. Two
 * queries whatever the history's length; pages are keyset, never offset.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { avatarUrl } from '../auth/accounts.js';
import { comments, sites, threads, users } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { InvalidCursor, NotFound } from '../errors.js';

export const PROFILE_PAGE_SIZE = 50;

export interface PublicUser {
  id: string;
  displayName: string;
  isGuest: false;
  avatarUrl: string;
  memberSince: string;
}

export interface ProfileComment {
  id: string;
  /** Sanitized when it was written: shown as stored. */
  html: string;
  createdAt: string;
  editedAt: string | null;
  upvotes: number;
  downvotes: number;
  thread: { id: string; site: string; siteName: string; key: string; url: string | null; title: string | null };
}

export interface PublicProfile {
  user: PublicUser;
  comments: ProfileComment[];
  /** Pass as `before` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

/**
 * The last comment shown: its time as PostgreSQL holds it (microseconds, which a JS date would
 * lose, and so skip or repeat comments at a page's edge) and its id.
 */
const cursorSchema = z.object({
  at: z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/),
  id: z.uuid(),
});
type ProfileCursor = z.infer<typeof cursorSchema>;

function encodeCursor(cursor: ProfileCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string): ProfileCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursor();
  }
}

/** A member (never a guest, never a deleted account) and one page of their approved comments. */
export async function readPublicProfile(
  deps: Deps,
  input: { userId: string; before?: string; limit?: number },
): Promise<PublicProfile> {
  const limit = Math.min(Math.max(input.limit ?? PROFILE_PAGE_SIZE, 1), PROFILE_PAGE_SIZE);
  const after = input.before ? decodeCursor(input.before) : null;
  const [user] = await deps.db.select({ id: users.id, displayName: users.displayName, isGuest: users.isGuest, createdAt: users.createdAt })
    .from(users).where(eq(users.id, input.userId));
  if (!user || user.isGuest) throw new NotFound('User');
  const rows = await deps.db
    .select({
      id: comments.id, html: comments.bodyHtml, createdAt: comments.createdAt, editedAt: comments.editedAt,
      upvotes: comments.upvotes, downvotes: comments.downvotes, at: sql<string>`${comments.createdAt}::text`,
      threadId: threads.id, key: threads.key, url: threads.url, title: threads.title, site: sites.slug, siteName: sites.name,
    })
    .from(comments)
    .innerJoin(threads, eq(threads.id, comments.threadId))
    .innerJoin(sites, eq(sites.id, comments.siteId))
    .where(and(
      eq(comments.authorId, user.id), eq(comments.status, 'approved'), eq(sites.enabled, true),
      after ? sql`(${comments.createdAt}, ${comments.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
    ))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    user: { id: user.id, displayName: user.displayName, isGuest: false, avatarUrl: avatarUrl(deps, user.id), memberSince: user.createdAt.toISOString() },
    comments: page.map((r) => ({
      id: r.id, html: r.html, createdAt: r.createdAt.toISOString(), editedAt: r.editedAt?.toISOString() ?? null,
      upvotes: r.upvotes, downvotes: r.downvotes,
      thread: { id: r.threadId, site: r.site, siteName: r.siteName, key: r.key, url: r.url, title: r.title },
    })),
    nextCursor: more && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  };
}
