/** JSON shapes of the public HTTP API (/api/v1) and socket events: shared by server and widget. */

export const MAX_BODY_LENGTH = 10_000;
export const MAX_NAME_LENGTH = 80;

export type CommentStatus = 'pending' | 'approved' | 'rejected' | 'spam' | 'deleted';
export type ThreadStatus = 'open' | 'locked' | 'closed';
export type CommentSort = 'best' | 'newest' | 'oldest';

export interface ApiThread {
  id: string;
  /** The slug of the thread's site: guest sessions are bound to it. */
  site: string;
  key: string;
  url: string | null;
  title: string | null;
  status: ThreadStatus;
  commentCount: number;
}

export interface ApiAuthor {
  name: string;
  /** Present for comments written under a Parley identity (guest or account). */
  id: string | null;
  isGuest: boolean;
}

/**
 * A comment as every reader gets it: pages are the same bytes for everyone (and cached so).
 * What is the reader's own (their vote, whether it is theirs and until when they may change
 * it, their comments awaiting moderation) comes apart, in the ReaderOverlay.
 */
export interface ApiComment {
  id: string;
  parentId: string | null;
  depth: number;
  /** null when the comment is a deleted placeholder kept for its replies. */
  author: ApiAuthor | null;
  html: string;
  createdAt: string;
  editedAt: string | null;
  /** The score is upvotes - downvotes. */
  upvotes: number;
  downvotes: number;
  status: CommentStatus;
  /** Pinned by a moderator: shown first in its thread (top-level comments only). */
  pinned: boolean;
  /** For a comment a moderator rejected with a public reason: that reason, shown in place of the body. */
  moderationNote: string | null;
  replies: ApiComment[];
}

/** Why a reader flags a comment. */
export const FLAG_REASONS = ['spam', 'abuse', 'off-topic', 'misinformation', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

/** POST /comments/:id/flag. */
export interface FlagRequest {
  reason: FlagReason;
  /** Optional words for the moderators. */
  note?: string;
}

export interface ThreadResponse {
  thread: ApiThread;
  /** Present when asked for with include=comments: the first page, in one request. */
  comments?: ApiComment[];
  nextCursor?: string | null;
  /** Live-update cursor at the moment the page was read; pass as `since` to thread:join. */
  eventCursor?: string;
}

export interface CommentsPage {
  comments: ApiComment[];
  nextCursor: string | null;
  eventCursor: string;
}

/**
 * What is the reader's own in a thread (GET /threads/:id/me), merged by the widget into the
 * page every reader shares.
 */
export interface ReaderOverlay {
  /** The reader's vote on each comment they voted on. */
  votes: Record<string, 1 | -1>;
  /** The reader's comments: until when each may still be edited or deleted, or null. */
  mine: Record<string, string | null>;
  /**
   * The reader's comments the shared page does not show: awaiting moderation (status
   * `pending`: the widget says so), or held for nobody else to see (status `approved` as
   * presented: the widget shows them as published, as it would any comment).
   */
  pending: ApiComment[];
  /** Comments the reader has flagged. */
  flagged: string[];
}

export interface GuestSession {
  token: string;
  expiresAt: string;
  userId: string;
}

/** Any session a sign-in hands out (a guest's, an account's, an SSO user's): the same shape. */
export type ApiSession = GuestSession;

/** A user as others may see them (no email). */
export interface ApiUser {
  id: string;
  displayName: string;
  isGuest: boolean;
  /** A locally generated SVG on Parley's origin. */
  avatarUrl: string;
  /** Staff role on the session's site, if any. */
  role?: 'admin' | 'moderator' | null;
}

/** POST /auth/login, POST /auth/sso. */
export interface SignInResponse {
  session: ApiSession;
  user: ApiUser;
}

/** GET /me. */
export interface MeResponse {
  user: ApiUser;
}

/**
 * What the sign-in popup (on Parley's origin) posts to the page that opened it, with that
 * page's origin as the target: only an origin of the site ever receives it.
 */
export interface PopupSignInMessage {
  type: 'parley:signed-in';
  site: string;
  session: ApiSession;
  user: ApiUser;
}

/** A write by a reader who had no session returns a new guest session with the result. */
export interface CommentResponse {
  comment: ApiComment;
  /** Until when the author may edit or delete it. */
  editableUntil: string;
  session?: GuestSession;
}

export interface EditResponse {
  comment: ApiComment;
  editableUntil: string;
}

/** A vote by a reader without a session names them, and makes them a guest (where the site allows guests). */
export interface VoteRequest {
  value: -1 | 0 | 1;
  author?: { name: string; email?: string | null };
}

export interface VoteResponse {
  commentId: string;
  upvotes: number;
  downvotes: number;
  myVote: -1 | 0 | 1;
  session?: GuestSession;
}

/** A deleted comment with replies keeps its place as this placeholder; without, null. */
export interface DeleteResponse {
  deleted: true;
  placeholder: ApiComment | null;
  /** Deleted ancestors that held their place only for this comment: remove them too. */
  prunedIds: string[];
}

export interface CountsResponse {
  counts: Record<string, number>;
}

/* ---- socket.io ---- */

export interface LiveEventBase {
  /** Monotonic per server: resume with thread:join { since: cursor }. */
  cursor: string;
  threadId: string;
}
export interface CommentCreatedEvent extends LiveEventBase { comment: ApiComment }
export interface CommentUpdatedEvent extends LiveEventBase { comment: ApiComment }
export interface CommentDeletedEvent extends LiveEventBase {
  commentId: string;
  /** When the comment keeps its place for its replies, the placeholder to show instead. */
  placeholder: ApiComment | null;
  /** Deleted ancestors that held their place only for this comment: remove them too. */
  prunedIds: string[];
}
export interface VoteUpdatedEvent extends LiveEventBase {
  commentId: string;
  upvotes: number;
  downvotes: number;
}

/** A moderator locked (no new comments), closed (nothing changes) or reopened the thread. */
export interface ThreadUpdatedEvent extends LiveEventBase {
  status: ThreadStatus;
}

export interface ServerToClientEvents {
  'comment:created': (e: CommentCreatedEvent) => void;
  'comment:updated': (e: CommentUpdatedEvent) => void;
  'comment:deleted': (e: CommentDeletedEvent) => void;
  'vote:updated': (e: VoteUpdatedEvent) => void;
  'thread:updated': (e: ThreadUpdatedEvent) => void;
  /** How many connections follow the thread now ("N reading now"); sent at most every 2 s per thread. */
  'thread:presence': (e: { threadId: string; count: number }) => void;
  /** The socket's session was signed out (here or elsewhere): the socket is dropped next. */
  'session:revoked': () => void;
  /** To a site's moderators (after mod:join): a comment entered, moved between or left the queues. */
  'mod:changed': (e: ModChangedEvent) => void;
  /** To a site's moderators (after mod:join): an import uploaded on the dashboard moved on (a few a second at most). */
  'import:progress': (e: ImportJobProgress) => void;
  /** To a site's moderators (after mod:join): that import ended. */
  'import:finished': (e: ImportJobOutcome) => void;
  /** To a reader (their user room): a new notice on a site (a reply, a mention, a comment where they follow). */
  'notification:new': (e: NotificationNewEvent) => void;
  /** To a site's forum room (after forum:join): a topic was started. */
  'topic:created': (e: import('./forum.js').TopicCreatedEvent) => void;
  /** To a site's forum room: a published post in one of its threads. */
  'topic:activity': (e: import('./forum.js').TopicActivityEvent) => void;
}

export interface NotificationNewEvent {
  siteId: string;
  /** The reader's unread notices on that site, this one included. */
  unread: number;
}

/** Where a comment stands now; the dashboard re-reads the queue for the rest (no text travels). */
export interface ModChangedEvent {
  commentId: string;
  status: CommentStatus;
  flagCount: number;
}

/** An import uploaded on the dashboard, as its page and socket show it. */
export interface ImportJobInfo {
  jobId: string;
  format: 'disqus' | 'wordpress';
  dryRun: boolean;
  /** The uploaded file's name as the browser gave it (shown as text only). */
  fileName: string;
}

export interface ImportJobProgress extends ImportJobInfo {
  /** 1: reading ids (planning), 2: writing, 3: writing replies that came before their parents. */
  pass: 1 | 2 | 3;
  postsRead: number;
  /** Posts in the file, once the first pass has counted them. */
  postsInFile: number | null;
  postsWritten: number;
  /** Of the file (compressed, for a .gz) in the pass under way. */
  bytesRead: number;
  bytesTotal: number;
}

export interface ImportTotals {
  threadsInFile: number;
  threadsCreated: number;
  postsInFile: number;
  imported: number;
  alreadyPresent: number;
  skipped: number;
  byReason: Partial<Record<string, number>>;
}

export interface ImportJobOutcome extends ImportJobInfo {
  /** previewed: a dry run ended (nothing written; the file waits for "Import"). */
  status: 'done' | 'previewed' | 'failed' | 'interrupted';
  totals: ImportTotals | null;
  /** Why it failed (a malformed file names its line and column). */
  error: string | null;
}

/** mod:join {site}: follow a site's queues, for its moderators only. */
export type ModJoinAck = { ok: true } | { ok: false; error: { code: string; message: string } };

export interface JoinRequest { threadId: string; since?: string }
/**
 * Joining with `since` first re-sends, as ordinary events, every change after that cursor,
 * then acknowledges. Live events may interleave with them: until the ack, a client buffers
 * what it receives, then applies it sorted by cursor, skipping cursors it has seen.
 * `truncated`: more was missed than is re-sent; reload the thread instead.
 */
export type JoinAck =
  | { ok: true; cursor: string; missed: number; truncated: boolean }
  | { ok: false; error: { code: string; message: string } };

export interface ClientToServerEvents {
  'thread:join': (req: JoinRequest, ack: (res: JoinAck) => void) => void;
  'thread:leave': (req: { threadId: string }) => void;
  'mod:join': (req: { site: string }, ack: (res: ModJoinAck) => void) => void;
  /** Follows a site's forum: new topics and activity for its lists. */
  'forum:join': (req: { site: string }, ack: (res: ModJoinAck) => void) => void;
}
