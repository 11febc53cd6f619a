import { z } from 'zod';
import { editCommentBody, postCommentBody } from '../comments/schemas.js';
import { voteBody } from '../votes/routes.js';
import { loginBody, mailRequestBody, signUpBody, ssoBody } from '../auth/schemas.js';
import { addressBanBody, bulkBody, commentActionBody, flagBody, threadActionBody, userActionBody } from '../moderation/routes.js';
import { alertsBody, readBody, subscriptionBody } from '../notifications/routes.js';
import { newTopicBody } from '../forum/schemas.js';

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } });
const error = { $ref: '#/components/schemas/Error' };
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'Error', content: { 'application/json': { schema: error } } }]));
const ok = (description: string, schemaRef?: string) => ({
  description,
  ...(schemaRef ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaRef}` } } } } : {}),
});
const q = (name: string, description: string, required = false) => ({ name, in: 'query', required, description, schema: { type: 'string' } });
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `${what} id`, schema: { type: 'string', format: 'uuid' } });
const bearer = [{ bearer: [] }, {}];

/** The public contract, built from the same zod schemas the routes parse with. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley API', version: '1',
      description: 'Threaded comments with live updates. Errors are {"error": {"code", "message"}}. 401 `unauthorized`: the token is unknown, expired or revoked (drop it); '
        + '401 `auth_required`: the action needs a session; 403 `sign_in_required`: the site refuses guests; 403 `forbidden`: not allowed, e.g. a session or page '
        + 'Origin of another site. A thread is created only by a view whose Origin is one of its site\'s origins, for a URL on that origin.',
    },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token; writes by a reader without one return a new guest session.' } },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
        Thread: {
          type: 'object',
          properties: { id: { type: 'string' }, site: { type: 'string', description: 'the site\'s slug; guest sessions serve this site only' }, key: { type: 'string' }, url: { type: ['string', 'null'] }, title: { type: ['string', 'null'] }, status: { enum: ['open', 'locked', 'closed'] }, commentCount: { type: 'integer' } },
        },
        Comment: {
          type: 'object',
          properties: {
            id: { type: 'string' }, parentId: { type: ['string', 'null'] }, depth: { type: 'integer' },
            author: { type: ['object', 'null'], properties: { name: { type: 'string' }, id: { type: ['string', 'null'] }, isGuest: { type: 'boolean' } } },
            html: { type: 'string', description: 'Rendered from markdown and sanitized.' },
            createdAt: { type: 'string', format: 'date-time' }, editedAt: { type: ['string', 'null'], format: 'date-time' },
            upvotes: { type: 'integer' }, downvotes: { type: 'integer', description: 'the score is upvotes - downvotes' },
            status: { enum: ['pending', 'approved', 'rejected', 'spam', 'deleted'] },
            replies: { type: 'array', items: { $ref: '#/components/schemas/Comment' } },
          },
        },
        ReaderOverlay: {
          type: 'object',
          description: 'What is the reader\'s own in a thread, apart from the page every reader shares',
          properties: {
            votes: { type: 'object', additionalProperties: { enum: [-1, 1] }, description: 'comment id -> the reader\'s vote' },
            mine: { type: 'object', additionalProperties: { type: ['string', 'null'], format: 'date-time' }, description: 'the reader\'s comment ids -> until when editable (null: no longer)' },
            pending: { type: 'array', items: { $ref: '#/components/schemas/Comment' }, description: 'the reader\'s comments awaiting moderation' },
          },
        },
        CommentsPage: {
          type: 'object',
          properties: { comments: { type: 'array', items: { $ref: '#/components/schemas/Comment' } }, nextCursor: { type: ['string', 'null'] }, eventCursor: { type: 'string' } },
        },
      },
    },
    paths: {
      '/threads': {
        get: {
          summary: 'Find a page\'s thread, creating it on first view from an allowed origin',
          parameters: [q('site', 'site slug (else the site allowing the url\'s origin)'), q('key', 'page identifier'), q('url', 'page URL'), q('title', 'page title'),
            q('include', '"comments" to get the first page in the same response'), q('sort', 'best | newest | oldest'), q('limit', '1-100')],
          responses: { 200: ok('The thread (and its first page)', 'Thread'), ...errors(400, 403, 404) },
        },
      },
      '/threads/{id}/comments': {
        get: {
          summary: 'A page of top-level comments, each with its whole reply tree: the same bytes for every reader (ETag = the thread\'s change cursor; If-None-Match gives 304)',
          parameters: [idParam('Thread'), q('sort', 'best | newest | oldest'), q('cursor', 'nextCursor of the previous page ("best" walks the ranking taken with the first page)'), q('limit', '1-100')],
          responses: { 200: ok('The page', 'CommentsPage'), 304: { description: 'Not modified since the ETag given' }, ...errors(400, 403, 404) },
        },
        post: {
          summary: 'Post a comment or a reply', parameters: [idParam('Thread')], security: bearer,
          requestBody: { required: true, content: json(postCommentBody) },
          responses: { 201: ok('{comment, editableUntil, session?}'), ...errors(400, 401, 403, 404, 413, 429) },
        },
      },
      '/threads/{id}/me': {
        get: {
          summary: 'The reader\'s own votes, comments (with until when editable) and comments awaiting moderation in a thread',
          parameters: [idParam('Thread')], security: [{ bearer: [] }],
          responses: { 200: ok('The overlay', 'ReaderOverlay'), ...errors(401, 403, 404) },
        },
      },
      '/comments/{id}': {
        patch: {
          summary: 'Edit your own comment within the edit window', parameters: [idParam('Comment')], security: bearer,
          requestBody: { required: true, content: json(editCommentBody) },
          responses: { 200: ok('{comment, editableUntil}'), ...errors(400, 401, 403, 404) },
        },
        delete: {
          summary: 'Delete your own comment within the edit window', parameters: [idParam('Comment')], security: bearer,
          responses: { 200: ok('{deleted: true, placeholder, prunedIds}: placeholder when replies stand under it; prunedIds: deleted ancestors gone with it'), ...errors(401, 403, 404) },
        },
      },
      '/comments/{id}/vote': {
        post: {
          summary: 'Upvote (1), downvote (-1) or withdraw (0); not on your own comment. Without a session, give author.name to vote as a new guest',
          parameters: [idParam('Comment')], security: bearer,
          requestBody: { required: true, content: json(voteBody) },
          responses: { 200: ok('{commentId, upvotes, downvotes, myVote, session?}'), ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/auth/login': {
        post: {
          summary: 'Sign in with email and password. With `site`, the token serves that site only (what a widget holds); without, the API on every site. Account changes need Parley\'s own pages',
          requestBody: { required: true, content: json(loginBody) },
          responses: { 200: ok('{session: {token, expiresAt, userId}, user}'), ...errors(400, 401, 403, 429) },
        },
      },
      '/auth/sso': {
        post: {
          summary: 'Sign a site\'s own user in from the payload its page carries (Disqus remote_auth_s3, or an HS256 JWT); 401 `invalid_sso` for a bad signature, a stale timestamp or a payload spent by signing out',
          requestBody: { required: true, content: json(ssoBody) },
          responses: { 200: ok('{session, user}'), ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/auth/logout': {
        post: { summary: 'End the bearer session (its sockets are told and dropped)', security: [{ bearer: [] }], responses: { 200: ok('{signedOut: true}'), ...errors(401) } },
      },
      '/me': {
        get: { summary: 'Who the bearer session is', security: [{ bearer: [] }], responses: { 200: ok('{user: {id, displayName, isGuest, avatarUrl, role}}'), ...errors(401) } },
      },
      '/auth/signup': {
        post: { summary: 'Create a local account; a verification link is mailed. Answers 202 whatever the address', requestBody: { required: true, content: json(signUpBody) }, responses: { 202: ok('{status: "check-your-mail"}'), ...errors(400, 429) } },
      },
      '/auth/password-reset': {
        post: { summary: 'Mail a password reset link. Answers 202 whatever the address', requestBody: { required: true, content: json(mailRequestBody) }, responses: { 202: ok('{status: "check-your-mail"}'), ...errors(400, 429) } },
      },
      '/auth/sign-in-link': {
        post: { summary: 'Mail a one-time sign-in link. Answers 202 whatever the address', requestBody: { required: true, content: json(mailRequestBody) }, responses: { 202: ok('{status: "check-your-mail"}'), ...errors(400, 429) } },
      },
      '/comments/{id}/flag': {
        post: {
          summary: 'Flag a comment for the moderators (one flag per reader; at the site\'s threshold it is hidden until a moderator decides). Without a session, give author.name to flag as a new guest',
          parameters: [idParam('Comment')], security: bearer, requestBody: { required: true, content: json(flagBody) },
          responses: { 200: ok('{flagged: true, session?}'), ...errors(400, 401, 403, 404) },
        },
      },
      '/mod/queue': {
        get: {
          summary: 'A moderation queue of a site, newest first, with each comment\'s thread, reasons, flags and author history; also the search (q: full text, English and Arabic)',
          security: [{ bearer: [] }],
          parameters: [q('site', 'site slug', true), q('queue', 'pending | flagged | spam | rejected | recent'), q('cursor', 'nextCursor of the previous page'), q('limit', '1-100'),
            q('q', 'words of the comment'), q('author', 'author name or id'), q('thread', 'thread id'), q('status', 'comment status'), q('from', 'date'), q('to', 'date')],
          responses: { 200: ok('{items: [{comment, thread, reasons, flags, author}], nextCursor, counts}'), ...errors(400, 401, 403, 404) },
        },
      },
      '/mod/comments/{id}': {
        post: { summary: 'Approve, reject (reason shown in place of the body), mark spam, delete, restore, pin, unpin or edit a comment', parameters: [idParam('Comment')], security: [{ bearer: [] }], requestBody: { required: true, content: json(commentActionBody) }, responses: { 200: ok('{comment}'), ...errors(400, 401, 403, 404, 409) } },
      },
      '/mod/comments/bulk': {
        post: { summary: 'One action on a selection, each comment on its own', security: [{ bearer: [] }], requestBody: { required: true, content: json(bulkBody) }, responses: { 200: ok('{results: [{id, ok, comment?, error?}]}'), ...errors(400, 401) } },
      },
      '/mod/threads/{id}': {
        post: { summary: 'Lock (no new comments), close (no changes at all) or reopen a thread', parameters: [idParam('Thread')], security: [{ bearer: [] }], requestBody: { required: true, content: json(threadActionBody) }, responses: { 200: ok('{thread}'), ...errors(400, 401, 403, 404) } },
      },
      '/mod/users/{id}': {
        post: { summary: 'Ban, suspend until a date, shadow-ban, trust or unban a reader on a site', parameters: [idParam('User')], security: [{ bearer: [] }], requestBody: { required: true, content: json(userActionBody) }, responses: { 200: ok('{userId, bans, trusted}'), ...errors(400, 401, 403, 404) } },
      },
      '/mod/bans': {
        post: { summary: 'Ban an email address or an IP hash on a site', security: [{ bearer: [] }], requestBody: { required: true, content: json(addressBanBody) }, responses: { 201: ok('{id}'), ...errors(400, 401, 403, 404) } },
      },
      '/mod/audit': {
        get: { summary: 'A site\'s audit log, newest first: each entry hash-chained to the one before', security: [{ bearer: [] }], parameters: [q('site', 'site slug', true), q('before', 'entry id to page back from'), q('limit', '1-500')], responses: { 200: ok('{entries: [{id, at, actor, action, target, before, after, prevHash, hash}], nextBefore}'), ...errors(400, 401, 403, 404) } },
      },
      '/threads/{id}/subscription': {
        get: { summary: 'Whether the reader follows the thread', parameters: [idParam('Thread')], security: bearer, responses: { 200: ok('{subscription: {threadId, subscribed, mode, confirmed}}'), ...errors(400, 401, 403, 404) } },
        post: {
          summary: 'Follow the thread by mail: with the session\'s verified address at once, or with `email`, which gets a confirmation link first (nothing else is mailed there until it is followed)',
          parameters: [idParam('Thread')], security: bearer, requestBody: { required: false, content: json(subscriptionBody) },
          responses: { 200: ok('{subscription: {threadId, subscribed, mode, confirmed}}'), ...errors(400, 401, 403, 404, 429) },
        },
        delete: { summary: 'Stop following the thread (mail links unsubscribe without a session)', parameters: [idParam('Thread')], security: [{ bearer: [] }], responses: { 200: ok('{subscription}'), ...errors(401, 403, 404) } },
      },
      '/me/notifications': {
        get: { summary: 'The reader\'s notices on a site (replies, mentions, followed threads), newest first, and how many are unread; live: `notification:new` in their socket room', security: [{ bearer: [] }], parameters: [q('site', 'site slug (a site-bound session\'s own by default)')], responses: { 200: ok('{items: [{id, kind, read, createdAt, comment, thread}], unread}'), ...errors(400, 401, 403, 404) } },
      },
      '/me/notifications/read': {
        post: { summary: 'Marks the reader\'s notices on a site read (up to `upTo`, else all)', security: [{ bearer: [] }], requestBody: { required: false, content: json(readBody) }, responses: { 200: ok('{unread}'), ...errors(400, 401, 403, 404) } },
      },
      '/mod/alerts': {
        get: { summary: 'A moderator\'s mail alerts on a site', security: [{ bearer: [] }], parameters: [q('site', 'site slug', true)], responses: { 200: ok('{mode}'), ...errors(400, 401, 403, 404) } },
        put: { summary: 'Mail me about held and flagged comments: at once, hourly, daily, or off', security: [{ bearer: [] }], requestBody: { required: true, content: json(alertsBody) }, responses: { 200: ok('{mode}'), ...errors(400, 401, 403, 404) } },
      },
      '/forum/categories': {
        get: { summary: 'A site\'s forum categories in its order, nested one level (`parentId`), with topic and post counts and latest activity', parameters: [q('site', 'site slug', true)], responses: { 200: ok('{categories: [{id, slug, name, description, parentId, topicCount, postCount, lastActivityAt, startTopics, locked, holdsArticles}]}'), ...errors(400, 403, 404) } },
      },
      '/forum/topics': {
        get: {
          summary: 'A page of topics (article threads included, in the category that holds them): pinned first on the first page, then by the sort; `unread` for a signed-in reader',
          security: bearer, parameters: [q('site', 'site slug', true), q('category', 'category slug (with its subcategories)'), q('sort', 'latest | newest | top'), q('period', 'for top: day | week | month | year | all'), q('cursor', 'nextCursor of the page before'), q('limit', '1-100')],
          responses: { 200: ok('{topics: [{id, threadId, title, kind, category, author, replyCount, createdAt, lastActivityAt, pinned, status, url, articleUrl, unread?}], nextCursor}'), ...errors(400, 403, 404) },
        },
        post: {
          summary: 'Start a topic: its thread and first post in one transaction; its replies use /threads/{threadId}/comments. Live: `topic:created` in the site\'s forum room (`forum:join {site}`)',
          security: [{ bearer: [] }], requestBody: { required: true, content: json(newTopicBody) },
          responses: { 201: ok('{topic, held}'), ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/search': {
        get: { summary: 'Search a forum\'s topic titles and published posts (English and Arabic stems, "a phrase", -word); snippets are escaped HTML with the words in <mark>', parameters: [q('site', 'site slug', true), q('q', 'the words, 1-200 characters', true)], responses: { 200: ok('{results: [{threadId, commentId?, title, snippet, url}]}'), ...errors(400, 403, 404) } },
      },
      '/counts': {
        get: {
          summary: 'Comment counts for list pages',
          parameters: [q('site', 'site slug (else the site allowing the Origin)'), q('key', 'an identifier or URL; repeat for several'), q('keys', 'comma-separated identifiers or URLs')],
          responses: { 200: ok('{counts: {key: n}}'), ...errors(400, 404) },
        },
      },
    },
  };
}
