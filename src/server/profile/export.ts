/**
 * "Download my data": everything Parley holds about the account, as the account sees it. Never
 * a secret: no password hash, token hash, SSO payload hash or IP hash leaves here.
 */
import { asc, eq } from 'drizzle-orm';
import { requireActor } from '../auth/service.js';
import { comments, identities, sessions, siteMembers, sites, threads, users, votes } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { NotFound } from '../errors.js';

export interface AccountExport {
  exportedAt: string;
  profile: {
    id: string; displayName: string; email: string | null; emailVerifiedAt: string | null; hasPassword: boolean;
    notifyReplies: boolean; notifyMentions: boolean; createdAt: string;
  };
  memberships: Array<{ site: string; role: string; since: string }>;
  comments: Array<{
    id: string; site: string; thread: { key: string; url: string | null; title: string | null }; parentId: string | null;
    authorName: string; bodySource: string; status: string; createdAt: string; editedAt: string | null; deletedAt: string | null;
  }>;
  votes: Array<{ commentId: string; value: number; createdAt: string }>;
  sessions: Array<{ createdAt: string; expiresAt: string; site: string | null; scope: string }>;
  identities: Array<{ provider: string }>;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function exportAccountData(deps: Deps, caller: Caller): Promise<AccountExport> {
  const actor = requireActor(caller, 'manage-account');
  const userId = actor.userId;
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId));
  if (!user || user.isGuest) throw new NotFound('Account');
  const [memberRows, commentRows, voteRows, sessionRows, identityRows] = await Promise.all([
    deps.db.select({ site: sites.slug, role: siteMembers.role, since: siteMembers.createdAt })
      .from(siteMembers).innerJoin(sites, eq(sites.id, siteMembers.siteId)).where(eq(siteMembers.userId, userId)),
    deps.db.select({
      id: comments.id, site: sites.slug, key: threads.key, url: threads.url, title: threads.title, parentId: comments.parentId,
      authorName: comments.authorName, bodySource: comments.bodySource, status: comments.status,
      createdAt: comments.createdAt, editedAt: comments.editedAt, deletedAt: comments.deletedAt,
    }).from(comments).innerJoin(threads, eq(threads.id, comments.threadId)).innerJoin(sites, eq(sites.id, comments.siteId))
      .where(eq(comments.authorId, userId)).orderBy(asc(comments.createdAt), asc(comments.id)),
    deps.db.select({ commentId: votes.commentId, value: votes.value, createdAt: votes.createdAt })
      .from(votes).where(eq(votes.userId, userId)).orderBy(asc(votes.createdAt)),
    deps.db.select({ createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, site: sites.slug, scope: sessions.scope })
      .from(sessions).leftJoin(sites, eq(sites.id, sessions.siteId)).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt)),
    deps.db.select({ provider: identities.provider }).from(identities).where(eq(identities.userId, userId)),
  ]);
  return {
    exportedAt: deps.now().toISOString(),
    profile: {
      id: user.id, displayName: user.displayName, email: user.email, emailVerifiedAt: iso(user.emailVerifiedAt),
      hasPassword: user.passwordHash !== null, notifyReplies: user.notifyReplies, notifyMentions: user.notifyMentions,
      createdAt: user.createdAt.toISOString(),
    },
    memberships: memberRows.map((m) => ({ site: m.site, role: m.role, since: m.since.toISOString() })),
    comments: commentRows.map((c) => ({
      id: c.id, site: c.site, thread: { key: c.key, url: c.url, title: c.title }, parentId: c.parentId, authorName: c.authorName,
      bodySource: c.bodySource, status: c.status, createdAt: c.createdAt.toISOString(), editedAt: iso(c.editedAt), deletedAt: iso(c.deletedAt),
    })),
    votes: voteRows.map((v) => ({ commentId: v.commentId, value: v.value, createdAt: v.createdAt.toISOString() })),
    sessions: sessionRows.map((s) => ({ createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString(), site: s.site, scope: s.scope })),
    identities: identityRows.map((i) => ({ provider: i.provider })),
  };
}
