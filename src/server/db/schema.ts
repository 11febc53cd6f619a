import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn, bigint, bigserial, customType, boolean, check, index, integer, pgTable, jsonb, primaryKey, smallint, text, timestamp, unique, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const sites = pgTable('sites', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** Origins (scheme://host[:port]) whose pages may embed this site's threads. */
  allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
  guestsAllowed: boolean('guests_allowed').notNull().default(true),
  /** none: publish at once; guests: hold guests' comments for review; all: hold every comment. */
  premoderation: text('premoderation', { enum: ['none', 'guests', 'all'] }).notNull().default('none'),
  editWindowSeconds: integer('edit_window_seconds').notNull().default(900),
  /** Query parameters that name a different page (e.g. `p` on `?p=42`); all others are dropped from thread keys. */
  significantQueryParams: text('significant_query_params').array().notNull().default(sql`'{}'::text[]`),
  /** A disabled site (the demo, once real sites exist) serves nothing and allows no origin. */
  enabled: boolean('enabled').notNull().default(true),
  /** Secret: keys the HMAC (or HS256 JWT) with which the site signs its own users in. Never logged or served. */
  ssoSecret: text('sso_secret'),
  /** Hold a member's comments until this many of theirs were approved (0: off). */
  premoderateNewMembers: integer('premoderate_new_members').notNull().default(0),
  /** Hold every comment with a link. */
  premoderateLinks: boolean('premoderate_links').notNull().default(false),
  /** Refused outright (whole words, case- and accent-insensitive). */
  bannedWords: text('banned_words').array().notNull().default(sql`'{}'::text[]`),
  /** Held for review. */
  suspectWords: text('suspect_words').array().notNull().default(sql`'{}'::text[]`),
  /** At this many flags a comment is hidden until a moderator decides. */
  flagThreshold: integer('flag_threshold').notNull().default(3),
  /** More links than this in a comment hold it for review. */
  maxLinks: integer('max_links').notNull().default(3),
  /** A comment composed faster than this (seconds, as the widget measures) is held as likely spam. */
  minComposeSeconds: integer('min_compose_seconds').notNull().default(3),
  /** Threads close to new comments this many days after they were opened (null: never). */
  autoCloseDays: integer('auto_close_days'),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  displayName: text('display_name').notNull(),
  /** The display name folded for comparison (case, accents, lookalike letters): see auth/names.ts. */
  nameKey: text('name_key').notNull().default(''),
  email: text('email'),
  /** Lower-cased email of a local account: one account per address. Null for guests and SSO users. */
  accountEmail: text('account_email').unique(),
  emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true, mode: 'date' }),
  /** argon2id; null for an account that signs in only by link or provider. */
  passwordHash: text('password_hash'),
  /** A guest is an identity the widget holds through its session token only. */
  isGuest: boolean('is_guest').notNull().default(false),
  /** Mail the reader wants: replies to their comments, mentions of their name. */
  notifyReplies: boolean('notify_replies').notNull().default(true),
  notifyMentions: boolean('notify_mentions').notNull().default(true),
  createdAt: createdAt(),
}, (t) => [index('users_guest_email_idx').on(sql`lower(${t.email})`).where(sql`${t.isGuest}`)]);

/** How a user signs in besides a password: an OpenID provider's subject, or a site's own SSO id. */
export const identities = pgTable('identities', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** `oidc:<provider id>` or `sso`. */
  provider: text('provider').notNull(),
  subject: text('subject').notNull(),
  /** For `sso`: the site whose users these are (the same id on two sites is two people). */
  siteId: uuid('site_id').references(() => sites.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [unique('identities_provider_subject_uq').on(t.provider, t.siteId, t.subject).nullsNotDistinct(), index('identities_user_idx').on(t.userId)]);

/** A user's standing on one site: staff (admin, moderator) or a member who signed in there. */
export const siteMembers = pgTable('site_members', {
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  role: text('role', { enum: ['admin', 'moderator', 'member'] }).notNull().default('member'),
  /** Trusted by a moderator: their comments skip pre-moderation. */
  trusted: boolean('trusted').notNull().default(false),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.siteId, t.userId] }), index('site_members_user_idx').on(t.userId)]);

/**
 * Links sent by mail (verify an address, reset a password, sign in without one, move the
 * account to a new address): each is used
 * once and expires; only its hash is kept.
 */
export const mailTokens = pgTable('mail_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  purpose: text('purpose', { enum: ['verify', 'reset', 'magic', 'email'] }).notNull(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** For `email`: the new address the link confirms. */
  email: text('email'),
  /** Where the reader goes once the link is used (a popup's own page): checked when the link was made. */
  returnTo: text('return_to'),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [index('mail_tokens_user_idx').on(t.userId)]);

/** SSO payloads whose session was signed out: the same payload may not sign the user in again. */
export const spentSsoPayloads = pgTable('spent_sso_payloads', {
  payloadHash: text('payload_hash').primaryKey(),
  /** When the payload's timestamp leaves the accepted window anyway: the row may go then. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** The one site the session was issued for (every guest's, an account's handed to a widget); null: an account's, for any site. */
  siteId: uuid('site_id').references(() => sites.id, { onDelete: 'cascade' }),
  /** sha256 of the bearer token: a leaked table grants nothing. */
  tokenHash: text('token_hash').notNull().unique(),
  /** embed: what a token in a host page may do; full: Parley's own pages. */
  scope: text('scope', { enum: ['embed', 'full'] }).notNull(),
  /** The SSO payload that opened it (its hash): signing out spends the payload. */
  ssoPayloadHash: text('sso_payload_hash'),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: createdAt(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

/**
 * A forum's categories, nested one level (`parentId`), in the site's order (`position`). A
 * category that `holdsArticles` lists the site's article threads instead of topics of its own.
 */
export const forumCategories = pgTable('forum_categories', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  parentId: uuid('parent_id').references((): AnyPgColumn => forumCategories.id, { onDelete: 'cascade' }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  position: integer('position').notNull().default(0),
  /** Who may start topics here: signed-in members, the site's staff only, or nobody (articles start their own). */
  startTopics: text('start_topics', { enum: ['members', 'staff', 'nobody'] }).notNull().default('members'),
  /** A locked category takes no new topics, from anyone. */
  locked: boolean('locked').notNull().default(false),
  holdsArticles: boolean('holds_articles').notNull().default(false),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('forum_categories_site_slug_uq').on(t.siteId, t.slug), index('forum_categories_site_idx').on(t.siteId, t.position)]);

/** When a signed-in reader last read a forum topic: lists mark what moved since as unread. */
export const forumReads = pgTable('forum_reads', {
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }).notNull(),
}, (t) => [primaryKey({ columns: [t.userId, t.threadId] })]);

export const threads = pgTable('threads', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  /** The page identifier (Disqus's this.page.identifier), or the normalised URL. */
  key: text('key').notNull(),
  url: text('url'),
  title: text('title'),
  kind: text('kind', { enum: ['article', 'topic'] }).notNull().default('article'),
  status: text('status', { enum: ['open', 'locked', 'closed'] }).notNull().default('open'),
  /** Approved comments, kept in the same transaction as every change to them. */
  commentCount: integer('comment_count').notNull().default(0),
  /** Events up to this cursor were pruned from the log: a client resuming from before it re-reads the thread. */
  eventsPrunedThrough: bigint('events_pruned_through', { mode: 'number' }).notNull().default(0),
  /** Where an imported thread came from (`disqus`) and its id there: a re-import finds it again. */
  importOrigin: text('import_origin'),
  importId: text('import_id'),
  createdAt: createdAt(),
  /** A forum topic's category (article threads belong to the site's "holds articles" category). */
  categoryId: uuid('category_id').references((): AnyPgColumn => forumCategories.id, { onDelete: 'set null' }),
  /** Who started a forum topic. */
  authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
  authorName: text('author_name'),
  /** Listed first in the forum by a moderator. */
  pinned: boolean('pinned').notNull().default(false),
  /** The last published comment's time (or the thread's creation): the forum's "latest" order. */
  lastActivityAt: timestamp('last_activity_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Words of the title for forum search (the same configuration as comments'). */
  titleSearch: tsvector('title_search').generatedAlwaysAs(sql`to_tsvector('parley_search'::regconfig, coalesce(title, ''))`),
}, (t) => [
  uniqueIndex('threads_site_key_uq').on(t.siteId, t.key),
  uniqueIndex('threads_site_import_uq').on(t.siteId, t.importOrigin, t.importId),
  index('threads_forum_latest_idx').on(t.siteId, t.categoryId, t.lastActivityAt, t.id),
  index('threads_forum_kind_latest_idx').on(t.siteId, t.kind, t.lastActivityAt, t.id),
  index('threads_forum_site_latest_idx').on(t.siteId, t.lastActivityAt, t.id),
  index('threads_title_search_idx').using('gin', t.titleSearch),
]);

export const comments = pgTable('comments', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  parentId: uuid('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
  /** The top-level ancestor (itself for a top-level comment): one query fetches a whole subtree. */
  rootId: uuid('root_id').notNull(),
  depth: integer('depth').notNull().default(0),
  authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
  authorName: text('author_name').notNull(),
  authorEmail: text('author_email'),
  /** Copied from the author at write time: a list never joins users. */
  authorIsGuest: boolean('author_is_guest').notNull().default(true),
  bodySource: text('body_source').notNull(),
  /** Rendered and sanitized once at write time. */
  bodyHtml: text('body_html').notNull(),
  status: text('status', { enum: ['pending', 'approved', 'rejected', 'spam', 'deleted'] }).notNull(),
  score: integer('score').notNull().default(0),
  upvotes: integer('upvotes').notNull().default(0),
  downvotes: integer('downvotes').notNull().default(0),
  /** HMAC of the poster's IP: enough to spot floods, useless to anyone who steals it. */
  ipHash: text('ip_hash'),
  /** Shown first in its thread (top-level comments). */
  pinned: boolean('pinned').notNull().default(false),
  /** Why the comment is held, flagged or was refused (`link`, `suspect-word:x`, `flags`, `duplicate` ...): the queue shows it. */
  moderationReasons: text('moderation_reasons').array().notNull().default(sql`'{}'::text[]`),
  /** A rejection's public reason, shown in place of the body. */
  moderationNote: text('moderation_note'),
  /** Its author was shadow-banned when it was written: only they see it, as if published. */
  shadowed: boolean('shadowed').notNull().default(false),
  flagCount: integer('flag_count').notNull().default(0),
  /** Where an imported comment came from (`disqus`) and its id there (`dsq:id`): importing the same file again adds nothing. */
  importOrigin: text('import_origin'),
  importId: text('import_id'),
  createdAt: createdAt(),
  editedAt: timestamp('edited_at', { withTimezone: true, mode: 'date' }),
  deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  /** Words of the body for search: English stems for Latin words, Arabic stems for Arabic ones (migration 0012's configuration). */
  search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('parley_search'::regconfig, body_source)`),
}, (t) => [
  index('comments_site_status_created_idx').on(t.siteId, t.status, t.createdAt),
  /** The same body posted again from one address: a spam signal. */
  index('comments_site_ip_created_idx').on(t.siteId, t.ipHash, t.createdAt),
  index('comments_search_idx').using('gin', t.search),
  index('comments_thread_top_created_idx').on(t.threadId, t.createdAt, t.id).where(sql`${t.parentId} is null`),
  index('comments_thread_top_score_idx').on(t.threadId, t.score, t.createdAt, t.id).where(sql`${t.parentId} is null`),
  index('comments_root_idx').on(t.rootId, t.createdAt),
  index('comments_parent_idx').on(t.parentId),
  /** A reader's own comments in a thread: the per-reader overlay. */
  index('comments_author_thread_idx').on(t.authorId, t.threadId),
  check('comments_depth_nonneg', sql`${t.depth} >= 0`),
  uniqueIndex('comments_site_import_uq').on(t.siteId, t.importOrigin, t.importId),
]);

export const votes = pgTable('votes', {
  commentId: uuid('comment_id').notNull().references(() => comments.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  value: smallint('value').notNull(),
  createdAt: createdAt(),
}, (t) => [
  primaryKey({ columns: [t.commentId, t.userId] }),
  /** A reader's votes in a thread: the per-reader overlay. */
  index('votes_user_idx').on(t.userId),
  check('votes_value_unit', sql`${t.value} in (-1, 1)`),
]);

/**
 * Every live change to a thread, written in the transaction that made it. Its id is the
 * cursor clients resume from, so nothing is lost across reconnects, restarts or processes.
 * It holds no text: a replay re-reads the comment as it is now, so an edited or deleted
 * body is never sent again.
 */
export const threadEvents = pgTable('thread_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  type: text('type').notNull(),
  /** null for a change of the thread itself (locked, closed, reopened). */
  commentId: uuid('comment_id').references(() => comments.id, { onDelete: 'cascade' }),
  /** null: everyone on the thread; else only this user (their comment awaiting moderation). */
  audienceUserId: uuid('audience_user_id'),
  createdAt: createdAt(),
}, (t) => [index('thread_events_thread_idx').on(t.threadId, t.id), index('thread_events_created_idx').on(t.createdAt)]);

/**
 * The order of a thread's top-level comments by score at one moment: "best" pages after the
 * first walk this snapshot, so a comment whose score changes meanwhile is neither skipped nor repeated.
 */
export const commentRankings = pgTable('comment_rankings', {
  id: uuid('id').primaryKey().defaultRandom(),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  /** The thread's live cursor when it was taken: readers at the same cursor share it. */
  eventCursor: bigint('event_cursor', { mode: 'number' }).notNull(),
  ids: uuid('ids').array().notNull(),
  createdAt: createdAt(),
}, (t) => [
  index('comment_rankings_created_idx').on(t.createdAt),
  uniqueIndex('comment_rankings_thread_cursor_uq').on(t.threadId, t.eventCursor),
]);

/** Counters of rate-limiter-flexible's Drizzle store (used when no REDIS_URL is set). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: timestamp('expire', { withTimezone: true, mode: 'date' }),
});

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** Large socket.io payloads that @socket.io/postgres-adapter passes between processes. */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).defaultNow(),
  payload: bytea('payload'),
});

/** Earlier bodies of an edited comment: a moderator's edit never loses what was said. */
export const commentRevisions = pgTable('comment_revisions', {
  id: uuid('id').primaryKey().defaultRandom(),
  commentId: uuid('comment_id').notNull().references(() => comments.id, { onDelete: 'cascade' }),
  bodySource: text('body_source').notNull(),
  /** Who replaced this body (the author, or a moderator). */
  editedBy: uuid('edited_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
}, (t) => [index('comment_revisions_comment_idx').on(t.commentId, t.createdAt)]);

/** A reader's flag on a comment: one per reader. */
export const flags = pgTable('flags', {
  commentId: uuid('comment_id').notNull().references(() => comments.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  reason: text('reason', { enum: ['spam', 'abuse', 'off-topic', 'misinformation', 'other'] }).notNull(),
  note: text('note'),
  /** The flagger's address (hashed): flags from one address count once towards hiding, whatever names they use. */
  ipHash: text('ip_hash'),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.commentId, t.userId] })]);

/**
 * Who may not take part on a site: a user, an email address or an IP hash. A suspension ends
 * at `until`; a shadow-ban lets its user go on writing what only they see.
 */
export const bans = pgTable('bans', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['ban', 'suspend', 'shadowban'] }).notNull(),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  /** Lower-cased. */
  email: text('email'),
  ipHash: text('ip_hash'),
  until: timestamp('until', { withTimezone: true, mode: 'date' }),
  reason: text('reason'),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  liftedAt: timestamp('lifted_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('bans_site_user_idx').on(t.siteId, t.userId).where(sql`${t.liftedAt} is null`),
  index('bans_site_email_idx').on(t.siteId, t.email).where(sql`${t.liftedAt} is null`),
  index('bans_site_ip_idx').on(t.siteId, t.ipHash).where(sql`${t.liftedAt} is null`),
  check('bans_has_target', sql`${t.userId} is not null or ${t.email} is not null or ${t.ipHash} is not null`),
]);

/**
 * Every moderation action, written in the action's transaction. Each entry's hash covers its
 * content and the previous entry's hash on the same site: an edited or removed row breaks the chain.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  actorId: uuid('actor_id'),
  actorName: text('actor_name').notNull(),
  action: text('action').notNull(),
  targetType: text('target_type', { enum: ['comment', 'thread', 'user', 'site'] }).notNull(),
  targetId: text('target_id').notNull(),
  before: jsonb('before'),
  after: jsonb('after'),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
}, (t) => [index('audit_log_site_idx').on(t.siteId, t.id)]);

/**
 * One import of one file into one site, and how far it got. The checkpoint moves in the same
 * transaction as each batch it covers, so an import killed at any moment and run again picks
 * up after the last batch that committed and ends with exactly the data of an uninterrupted run.
 */
export const importRuns = pgTable('import_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  /** `disqus`, `wordpress`, `json`. */
  origin: text('origin').notNull(),
  /** SHA-256 of the file's bytes and the options that change what is written (--map-url). */
  fingerprint: text('fingerprint').notNull(),
  status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
  /** The pass being written, and how many posts of it (in file order) are committed. */
  round: integer('round').notNull().default(0),
  postsDone: integer('posts_done').notNull().default(0),
  /** Counts written so far that the report needs on a resume (rows written per thread). */
  progress: jsonb('progress').notNull().default(sql`'{}'::jsonb`),
  /** The final reconciliation report. */
  report: jsonb('report'),
  error: text('error'),
  startedAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
}, (t) => [uniqueIndex('import_runs_site_file_uq').on(t.siteId, t.origin, t.fingerprint)]);

/**
 * A reader following a whole thread: every new published comment is mailed (or gathered into an
 * hourly or daily digest). `email` is the address given by a reader without a verified account
 * address (a guest); it mails nothing until its link is followed (`confirmedAt`).
 */
export const threadSubscriptions = pgTable('thread_subscriptions', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  /** Lower-cased; null: the account's own verified address. */
  email: text('email'),
  mode: text('mode', { enum: ['instant', 'hourly', 'daily'] }).notNull().default('instant'),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('thread_subscriptions_user_uq').on(t.threadId, t.userId).where(sql`${t.userId} is not null`),
  uniqueIndex('thread_subscriptions_email_uq').on(t.threadId, t.email).where(sql`${t.userId} is null`),
  index('thread_subscriptions_user_idx').on(t.userId),
]);

/** What a signed-in reader is told in the widget: a reply to them, a mention, a new comment where they follow. */
export const notifications = pgTable('notifications', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  threadId: uuid('thread_id').notNull().references(() => threads.id, { onDelete: 'cascade' }),
  commentId: uuid('comment_id').notNull().references(() => comments.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['reply', 'mention', 'subscription'] }).notNull(),
  readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [
  /** One notice per reader per comment, whatever the reasons: the fan-out may run twice and adds nothing. */
  uniqueIndex('notifications_user_comment_uq').on(t.userId, t.commentId),
  index('notifications_user_site_idx').on(t.userId, t.siteId, t.id),
]);

/**
 * Every notification mail, written before it is sent: its row is the "sent once" record (locked
 * while the mail goes out, marked sent in the same transaction), and rows in digest mode wait
 * here for their digest. `dedupeKey` makes a fan-out that runs twice add nothing.
 */
export const mailDeliveries = pgTable('mail_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  /** Lower-cased recipient address. */
  email: text('email').notNull(),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['reply', 'mention', 'subscription', 'moderation', 'confirm', 'digest'] }).notNull(),
  threadId: uuid('thread_id').references(() => threads.id, { onDelete: 'cascade' }),
  commentId: uuid('comment_id').references(() => comments.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: ['instant', 'hourly', 'daily'] }).notNull().default('instant'),
  status: text('status', { enum: ['queued', 'sent', 'skipped'] }).notNull().default('queued'),
  /** Why it was skipped (the comment was removed meanwhile, the address unsubscribed), or the last send error. */
  note: text('note'),
  /** For a digest's items: the digest mail that carried them. */
  digestId: uuid('digest_id'),
  /** Extra data a kind needs (a moderator alert's reason, a confirmation's link token). */
  data: jsonb('data'),
  dedupeKey: text('dedupe_key').notNull().unique(),
  attempts: integer('attempts').notNull().default(0),
  sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [
  index('mail_deliveries_digest_idx').on(t.email, t.mode).where(sql`${t.status} = 'queued' and ${t.mode} <> 'instant'`),
  index('mail_deliveries_recent_idx').on(t.email, t.sentAt),
]);

/** Addresses that asked for no more mail: from one thread, or (thread_id null) from Parley altogether. Kept as hashes. */
export const mailSuppressions = pgTable('mail_suppressions', {
  emailHash: text('email_hash').notNull(),
  threadId: uuid('thread_id').references(() => threads.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
}, (t) => [unique('mail_suppressions_uq').on(t.emailHash, t.threadId).nullsNotDistinct()]);

/**
 * Links in mail that work without signing in: unsubscribe (one per mail, RFC 8058's one-click
 * POST too) and confirm an address (double opt-in). Only hashes of the tokens are kept.
 */
export const mailLinks = pgTable('mail_links', {
  tokenHash: text('token_hash').primaryKey(),
  purpose: text('purpose', { enum: ['unsubscribe', 'confirm-guest', 'confirm-subscription'] }).notNull(),
  email: text('email').notNull(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  threadId: uuid('thread_id').references(() => threads.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  subscriptionId: uuid('subscription_id').references(() => threadSubscriptions.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [index('mail_links_user_idx').on(t.userId)]);

/** Moderators who asked to be told of held and flagged comments on a site: at once, or in a digest. */
export const moderatorAlerts = pgTable('moderator_alerts', {
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: ['instant', 'hourly', 'daily'] }).notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.siteId, t.userId] })]);

/** An endpoint a site's admin registered for chosen events; deliveries are signed with `secret`. */
export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  siteId: uuid('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  events: text('events').array().notNull(),
  /** Secret: keys the HMAC-SHA256 of every delivery. Shown once, never logged. */
  secret: text('secret').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
}, (t) => [index('webhooks_site_idx').on(t.siteId)]);

/** One event for one endpoint: the exact body sent (and signed), where it stands, and its attempts. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  webhookId: uuid('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  event: text('event').notNull(),
  body: text('body').notNull(),
  /** Ties the delivery to what caused it: a fan-out that runs twice adds nothing. */
  dedupeKey: text('dedupe_key').notNull(),
  status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
  deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('webhook_deliveries_dedupe_uq').on(t.webhookId, t.dedupeKey),
  index('webhook_deliveries_webhook_idx').on(t.webhookId, t.createdAt),
]);

/** Each try of a delivery: when, the receiver's status code or the error, how long it took. */
export const webhookAttempts = pgTable('webhook_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  deliveryId: uuid('delivery_id').notNull().references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  statusCode: integer('status_code'),
  error: text('error'),
  durationMs: integer('duration_ms').notNull(),
}, (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)]);
