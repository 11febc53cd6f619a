import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import {
  auditLog, bans, commentRevisions, comments, flags, forumCategories, forumReads, identities, moderatorAlerts, siteMembers, sites, threadSubscriptions, threads, users, votes,
} from '../db/schema.js';

/**
 * Parley's own export format, `parley/1`: JSON Lines, one record a line, each with its `type`.
 * The first line is the header, the second the site, then every record of one kind before the
 * next kind (the order of KIND_ORDER, so that what a record points at always came before it),
 * and last an `end` record with the counts, so a truncated file is told from a whole one.
 *
 * Each kind lists the columns it carries by their schema names: an allowlist, so a column
 * added to the schema (a secret, say) never leaves unless someone adds it here; the round-trip
 * test compares whole rows and fails until it is. Secrets never listed: passwords, sessions,
 * mail tokens, the site's SSO secret.
 */
export const FORMAT = 'parley/1';

const id = z.guid();
const time = z.iso.datetime({ offset: true });
const text = z.string();
const int = z.int();

/** A record kind: its table, and the fields it carries (schema property names, checked against the table's). */
function kind<const Type extends string, T extends PgTable, S extends z.ZodRawShape & { [K in Exclude<keyof S, keyof T['_']['columns']>]: never }>(
  type: Type, table: T, shape: S,
) {
  const all = getTableColumns(table) as Record<string, { name: string }>;
  const fields = Object.keys(shape) as Array<keyof S & string>;
  return {
    type,
    table,
    fields,
    /** field name -> SQL column name */
    columns: Object.fromEntries(fields.map((f) => [f, all[f].name])) as Record<keyof S & string, string>,
    schema: z.strictObject({ type: z.literal(type), ...shape }),
  };
}

export const KINDS = {
  site: kind('site', sites, {
    id, slug: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'), name: text,
    allowedOrigins: z.array(text), guestsAllowed: z.boolean(), premoderation: z.enum(sites.premoderation.enumValues),
    editWindowSeconds: int, significantQueryParams: z.array(text), enabled: z.boolean(), premoderateNewMembers: int,
    premoderateLinks: z.boolean(), bannedWords: z.array(text), suspectWords: z.array(text), flagThreshold: int, maxLinks: int,
    minComposeSeconds: int, autoCloseDays: int.nullable(), createdAt: time,
  }),
  user: kind('user', users, {
    id, displayName: text, nameKey: text, email: text.nullable(), accountEmail: text.nullable(), emailVerifiedAt: time.nullable(),
    isGuest: z.boolean(), notifyReplies: z.boolean(), notifyMentions: z.boolean(), createdAt: time,
  }),
  identity: kind('identity', identities, { id, userId: id, provider: text, subject: text, siteId: id.nullable(), createdAt: time }),
  member: kind('member', siteMembers, { userId: id, role: z.enum(siteMembers.role.enumValues), trusted: z.boolean(), createdAt: time }),
  /** The forum's categories, a parent before its children. */
  category: kind('category', forumCategories, {
    id, parentId: id.nullable(), slug: text.min(1), name: text, description: text, position: int,
    startTopics: z.enum(forumCategories.startTopics.enumValues), locked: z.boolean(), holdsArticles: z.boolean(), createdAt: time,
  }),
  thread: kind('thread', threads, {
    id, key: text.min(1), url: text.nullable(), title: text.nullable(), kind: z.enum(threads.kind.enumValues),
    status: z.enum(threads.status.enumValues), commentCount: int, eventsPrunedThrough: int, importOrigin: text.nullable(),
    importId: text.nullable(), createdAt: time, categoryId: id.nullable(), authorId: id.nullable(), authorName: text.nullable(),
    pinned: z.boolean(), lastActivityAt: time,
  }),
  comment: kind('comment', comments, {
    id, threadId: id, parentId: id.nullable(), rootId: id, depth: int.min(0), authorId: id.nullable(), authorName: text,
    authorEmail: text.nullable(), authorIsGuest: z.boolean(), bodySource: text, bodyHtml: text, status: z.enum(comments.status.enumValues),
    score: int, upvotes: int, downvotes: int, ipHash: text.nullable(), pinned: z.boolean(), moderationReasons: z.array(text),
    moderationNote: text.nullable(), shadowed: z.boolean(), flagCount: int, importOrigin: text.nullable(), importId: text.nullable(),
    createdAt: time, editedAt: time.nullable(), deletedAt: time.nullable(),
  }),
  revision: kind('revision', commentRevisions, { id, commentId: id, bodySource: text, editedBy: id.nullable(), createdAt: time }),
  vote: kind('vote', votes, { commentId: id, userId: id, value: z.union([z.literal(1), z.literal(-1)]), createdAt: time }),
  flag: kind('flag', flags, {
    commentId: id, userId: id, reason: z.enum(flags.reason.enumValues), note: text.nullable(), ipHash: text.nullable(), createdAt: time,
  }),
  ban: kind('ban', bans, {
    id, kind: z.enum(bans.kind.enumValues), userId: id.nullable(), email: text.nullable(), ipHash: text.nullable(), until: time.nullable(),
    reason: text.nullable(), createdBy: id.nullable(), createdAt: time, liftedAt: time.nullable(),
  }),
  /** Readers following a thread (an account, or a guest's confirmed address). */
  subscription: kind('subscription', threadSubscriptions, {
    id, threadId: id, userId: id.nullable(), email: text.nullable(), mode: z.enum(threadSubscriptions.mode.enumValues), confirmedAt: time.nullable(), createdAt: time,
  }),
  /** Moderators told of held and flagged comments. */
  alert: kind('alert', moderatorAlerts, { userId: id, mode: z.enum(moderatorAlerts.mode.enumValues), createdAt: time }),
  /** When a reader last read a forum topic. */
  read: kind('read', forumReads, { userId: id, threadId: id, readAt: time }),
  /** Without its id (a sequence shared by every site): entries keep their order, and the chain verifies. */
  audit: kind('audit', auditLog, {
    actorId: id.nullable(), actorName: text, action: text, targetType: z.enum(auditLog.targetType.enumValues), targetId: text,
    before: z.json().nullable(), after: z.json().nullable(), at: time, prevHash: text, hash: text,
  }),
};

export type KindName = keyof typeof KINDS;
export type Kind = (typeof KINDS)[KindName];
export type RecordOf<K extends KindName> = z.infer<(typeof KINDS)[K]['schema']>;

/** The order of kinds after the header and the site. */
export const KIND_ORDER = ['user', 'identity', 'member', 'category', 'thread', 'comment', 'revision', 'vote', 'flag', 'ban', 'subscription', 'alert', 'read', 'audit'] as const satisfies readonly KindName[];
export type BodyKind = (typeof KIND_ORDER)[number];

export const headerRecord = z.strictObject({
  type: z.literal('header'),
  format: z.literal(FORMAT),
  exportedAt: time,
  /** The site signed its users in with a secret, which is not exported: set a new one after importing. */
  ssoSecretSet: z.boolean(),
});

export const endRecord = z.strictObject({
  type: z.literal('end'),
  counts: z.strictObject(Object.fromEntries(KIND_ORDER.map((k) => [k, int.min(0)])) as Record<BodyKind, typeof int>),
});
