/**
 * Moderation from outside: a moderator's bearer token (from /auth/login), readers' guest
 * tokens, sockets; every action checked for what readers then get, and every call tried by
 * someone without the role on that site.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { auditLog } from '../../src/server/db/schema.js';
import { verifyAuditChain } from '../../src/server/moderation/audit.js';
import { createSite, updateSitePolicy } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

const OTHER_ORIGIN = 'https://other.example.net';
const PASSWORD = 'moderator password';
let app: TestApp;
let modToken: string;
let otherModToken: string;
let readerToken: string;
const sockets: Socket[] = [];

async function login(email: string, site?: string, origin?: string): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, ...(site ? { site } : {}) }, headers: origin ? { origin } : {} });
  assert.equal(res.status, 200, res.text);
  return res.json.session.token;
}

let bodies = 0;
/** A guest's comment (a new guest unless a token is given), with a body of its own unless given. */
async function post(threadId: string, options: { body?: string; token?: string; name?: string; email?: string; composeMs?: number; hp?: string; parentId?: string } = {}) {
  const body = {
    body: options.body ?? `comment number ${++bodies}`, composeMs: options.composeMs ?? 10_000, ...(options.hp ? { hp: options.hp } : {}),
    ...(options.parentId ? { parentId: options.parentId } : {}),
    ...(options.token ? {} : { author: { name: options.name ?? `Guest ${bodies}`, ...(options.email ? { email: options.email } : {}) } }),
  };
  return api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token: options.token, headers: { origin: SITE_ORIGIN } });
}
const act = (commentId: string, body: object, token = modToken) => api(app, 'POST', `/api/v1/mod/comments/${commentId}`, { body, token });
const page = async (threadId: string) => (await api(app, 'GET', `/api/v1/threads/${threadId}/comments?sort=oldest`)).json.comments as any[];
const queue = async (name: string, token = modToken) => api(app, 'GET', `/api/v1/mod/queue?site=news&queue=${name}`, { token });

async function listen(threadId: string, token?: string): Promise<Array<{ event: string; data: any }>> {
  const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: token ? { token } : {}, extraHeaders: { origin: SITE_ORIGIN } });
  sockets.push(socket);
  const seen: Array<{ event: string; data: any }> = [];
  socket.onAny((event, data) => seen.push({ event, data }));
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  const ack = await socket.timeout(2000).emitWithAck('thread:join', { threadId });
  assert.equal(ack.ok, true);
  return seen;
}
async function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = check();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  // Readers at different addresses: the test names them in X-Forwarded-For, as a proxy would.
  app = await startTestApp({ trustProxy: 'loopback' });
  await createSite(app.deps, { slug: 'other', name: 'Other', origins: [OTHER_ORIGIN] });
  const other = (await app.database.pool.query(`select id from sites where slug = 'other'`)).rows[0].id;
  for (const [email, siteId, role] of [['mod@news.example', app.site.id, 'moderator'], ['mod@other.example', other, 'moderator']] as const) {
    const user = await createAccount(app.deps, { email, password: PASSWORD, displayName: email.split('@')[0], verified: true });
    await setRole(app.deps, { siteId, userId: user.id, role });
  }
  await createAccount(app.deps, { email: 'reader@news.example', password: PASSWORD, displayName: 'Plain Reader', verified: true });
  modToken = await login('mod@news.example');
  otherModToken = await login('mod@other.example');
  readerToken = await login('reader@news.example', 'news', SITE_ORIGIN);
});
after(async () => {
  sockets.forEach((s) => s.close());
  await app.close();
});

describe('a pre-moderated site', () => {
  it('holds a guest\'s comment for its author only, until a moderator approves it; then every open page gets it live', async () => {
    await updateSitePolicy(app.deps, 'news', { premoderation: 'guests' });
    try {
      const thread = await openThread(app, 'premod');
      const stranger = await listen(thread.id);
      const posted = await post(thread.id, { body: 'Please approve me' });
      assert.equal(posted.status, 201);
      assert.equal(posted.json.comment.status, 'pending');
      assert.deepEqual(await page(thread.id), []);
      const pending = await queue('pending');
      const item = pending.json.items.find((i: any) => i.comment.id === posted.json.comment.id);
      assert.deepEqual(item.reasons, ['premoderation']);
      assert.equal(item.thread.id, thread.id);
      assert.equal(item.author.history.pending, 1);
      assert.ok(pending.json.counts.pending >= 1);

      const approved = await act(posted.json.comment.id, { action: 'approve' });
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.json.comment.status, 'approved');
      const live = await waitFor(() => stranger.find((e) => e.event === 'comment:created'), 'comment:created');
      assert.equal(live.data.comment.id, posted.json.comment.id);
      assert.deepEqual((await page(thread.id)).map((c) => c.id), [posted.json.comment.id]);
      assert.equal((await queue('pending')).json.items.some((i: any) => i.comment.id === posted.json.comment.id), false);
    } finally {
      await updateSitePolicy(app.deps, 'news', { premoderation: 'none' });
    }
  });

  it('lets a trusted reader skip pre-moderation, and holds a new member until N comments of theirs were approved', async () => {
    await updateSitePolicy(app.deps, 'news', { premoderateNewMembers: 1 });
    try {
      const thread = await openThread(app, 'new-members');
      const first = await post(thread.id, { token: readerToken });
      assert.equal(first.json.comment.status, 'pending');
      await act(first.json.comment.id, { action: 'approve' });
      assert.equal((await post(thread.id, { token: readerToken })).json.comment.status, 'approved');
    } finally {
      await updateSitePolicy(app.deps, 'news', { premoderateNewMembers: 0 });
    }
    await updateSitePolicy(app.deps, 'news', { premoderation: 'all' });
    try {
      const thread = await openThread(app, 'trusted');
      const userId = (await api(app, 'GET', '/api/v1/me', { token: readerToken })).json.user.id;
      assert.equal((await post(thread.id, { token: readerToken })).json.comment.status, 'pending');
      assert.equal((await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'trust' } })).status, 200);
      assert.equal((await post(thread.id, { token: readerToken })).json.comment.status, 'approved');
    } finally {
      await updateSitePolicy(app.deps, 'news', { premoderation: 'none' });
    }
  });
});

describe('rules on every new comment', () => {
  it('refuses a banned word (whole word, any case or accent, Arabic with its diacritics) saying which, and writes nothing', async () => {
    await updateSitePolicy(app.deps, 'news', { bannedWords: ['scam', 'كلمة'] });
    try {
      const thread = await openThread(app, 'banned-words');
      for (const body of ['What a SCAM this is', 'what a scám', 'هذه كَلِمَة ممنوعة']) {
        const res = await post(thread.id, { body });
        assert.equal(res.status, 400, body);
        assert.match(res.json.error.message, /does not allow/);
        assert.equal(res.json.session, undefined);
      }
      assert.equal((await post(thread.id, { body: 'scamper is a fine word' })).status, 201, 'only whole words');
      const count = await app.database.pool.query('select count(*)::int as n from comments where thread_id = $1', [thread.id]);
      assert.equal(count.rows[0].n, 1);
    } finally {
      await updateSitePolicy(app.deps, 'news', { bannedWords: [] });
    }
  });

  it('holds, with the reason shown in the queue: a suspect word, too many links, a filled honeypot, a comment typed too fast, the same text again', async () => {
    await updateSitePolicy(app.deps, 'news', { suspectWords: ['propaganda'], maxLinks: 1 });
    try {
      const thread = await openThread(app, 'holds');
      const cases = [
        [{ body: 'This is Propaganda!' }, 'suspect-word:propaganda'],
        [{ body: 'see https://a.example and https://b.example' }, 'links'],
        [{ hp: 'http://spam.example' }, 'honeypot'],
        [{ composeMs: 400 }, 'too-fast'],
      ] as const;
      for (const [options, reason] of cases) {
        const res = await post(thread.id, options);
        assert.equal(res.json.comment.status, 'pending', reason);
        const items = (await queue('pending')).json.items;
        assert.deepEqual(items.find((i: any) => i.comment.id === res.json.comment.id).reasons, [reason]);
      }
      const first = await post(thread.id, { body: 'Buy my stuff' });
      const again = await post(thread.id, { body: 'Buy my stuff', token: first.json.session.token });
      assert.equal(first.json.comment.status, 'approved');
      assert.equal(again.json.comment.status, 'pending');
      assert.equal((await page(thread.id)).length, 1);
    } finally {
      await updateSitePolicy(app.deps, 'news', { suspectWords: [], maxLinks: 3 });
    }
  });
});

describe('moderators\' actions on comments', () => {
  it('reject with a reason leaves the reason in its place; spam and delete take it away; restore brings it back', async () => {
    const thread = await openThread(app, 'actions');
    const reader = await listen(thread.id);
    const target = await post(thread.id, { body: 'An opinion' });
    const id = target.json.comment.id;
    const rejected = await act(id, { action: 'reject', reason: 'Off-topic' });
    assert.equal(rejected.status, 200);
    const shown = (await page(thread.id)).find((c) => c.id === id);
    assert.deepEqual([shown.status, shown.html, shown.author, shown.moderationNote], ['rejected', '', null, 'Off-topic']);
    const gone = await waitFor(() => reader.find((e) => e.event === 'comment:deleted' && e.data.commentId === id), 'comment:deleted');
    assert.equal(gone.data.placeholder.moderationNote, 'Off-topic');
    assert.equal((await queue('rejected')).json.items[0].comment.id, id);

    assert.equal((await act(id, { action: 'restore' })).json.comment.status, 'approved');
    assert.equal((await page(thread.id)).find((c) => c.id === id).html, '<p>An opinion</p>');
    assert.equal((await act(id, { action: 'spam' })).json.comment.status, 'spam');
    assert.equal((await page(thread.id)).some((c) => c.id === id), false);
    assert.equal((await act(id, { action: 'restore' })).status, 200);
    assert.equal((await act(id, { action: 'delete' })).json.comment.status, 'deleted');
    const restoreDeleted = await act(id, { action: 'restore' });
    assert.equal(restoreDeleted.status, 409);
    const { rows } = await app.database.pool.query('select comment_count from threads where id = $1', [thread.id]);
    assert.equal(rows[0].comment_count, 0);
  });

  it('pins a comment first in its thread, and edits keep the earlier text in the history', async () => {
    const thread = await openThread(app, 'pins');
    const first = await post(thread.id);
    const second = await post(thread.id, { body: 'Worth reading' });
    assert.equal((await act(second.json.comment.id, { action: 'pin' })).json.comment.pinned, true);
    const listed = await page(thread.id);
    assert.deepEqual(listed.map((c) => c.id), [second.json.comment.id, first.json.comment.id]);
    const second2 = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=oldest&limit=1`);
    assert.deepEqual(second2.json.comments.map((c: any) => c.id), [second.json.comment.id, first.json.comment.id], 'pinned ones come on top of the first page');
    const edited = await act(second.json.comment.id, { action: 'edit', body: 'Worth reading (edited by a moderator)' });
    assert.match(edited.json.comment.html, /edited by a moderator/);
    const history = await app.database.pool.query('select body_source from comment_revisions where comment_id = $1', [second.json.comment.id]);
    assert.deepEqual(history.rows, [{ body_source: 'Worth reading' }]);
  });

  it('acts on a selection, each comment on its own', async () => {
    const thread = await openThread(app, 'bulk');
    const ids = [(await post(thread.id)).json.comment.id, (await post(thread.id)).json.comment.id];
    const res = await api(app, 'POST', '/api/v1/mod/comments/bulk', { token: modToken, body: { ids: [...ids, '00000000-0000-4000-8000-000000000000'], action: 'spam' } });
    assert.deepEqual(res.json.results.map((r: any) => r.ok), [true, true, false]);
    assert.deepEqual(await page(thread.id), []);
  });
});

describe('flags', () => {
  it('one per reader; at the site\'s threshold the comment is hidden until a moderator decides', async () => {
    await updateSitePolicy(app.deps, 'news', { flagThreshold: 2 });
    try {
      const thread = await openThread(app, 'flags');
      const target = await post(thread.id, { body: 'Provocative' });
      const id = target.json.comment.id;
      const flag = (token: string, from = '203.0.113.1') => api(app, 'POST', `/api/v1/comments/${id}/flag`, {
        token, headers: { origin: SITE_ORIGIN, 'x-forwarded-for': from }, body: { reason: 'abuse' },
      });
      assert.equal((await flag(target.json.session.token)).status, 403, 'not your own');
      const flagger = (await post(thread.id)).json.session.token;
      assert.equal((await flag(flagger)).status, 200);
      assert.equal((await flag(flagger)).status, 200);
      assert.equal((await page(thread.id)).some((c) => c.id === id), true, 'one reader twice is one flag');
      const flagged = (await queue('flagged')).json.items.find((i: any) => i.comment.id === id);
      assert.deepEqual(flagged.flags.map((f: any) => f.reason), ['abuse']);
      const overlay = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token: flagger });
      assert.deepEqual(overlay.json.flagged, [id]);
      const sameAddress = (await post(thread.id)).json.session.token;
      assert.equal((await flag(sameAddress)).status, 200);
      assert.equal((await page(thread.id)).some((c) => c.id === id), true, 'a second guest name from the same address is the same voice');
      const second = (await post(thread.id)).json.session.token;
      assert.equal((await flag(second, '198.51.100.7')).status, 200);
      assert.equal((await page(thread.id)).some((c) => c.id === id), false, 'hidden once two addresses flagged it');
      assert.equal((await act(id, { action: 'approve' })).status, 200);
      assert.equal((await page(thread.id)).some((c) => c.id === id), true, 'back once approved');
      const answered = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token: flagger });
      assert.deepEqual(answered.json.flagged, [], 'the approval answered the flags');
      const stranger = await api(app, 'POST', `/api/v1/comments/${id}/flag`, { headers: { origin: SITE_ORIGIN }, body: { reason: 'spam' } });
      assert.equal(stranger.status, 401);
    } finally {
      await updateSitePolicy(app.deps, 'news', { flagThreshold: 3 });
    }
  });
});

describe('actions on readers', () => {
  it('a banned reader\'s next comment and vote are refused; a suspension ends at its date; unban lifts it', async () => {
    const thread = await openThread(app, 'bans');
    const victim = await post(thread.id);
    const token = victim.json.session.token;
    const other = await post(thread.id);
    const userId = victim.json.comment.author.id;
    const ban = await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'ban', reason: 'spam' } });
    assert.equal(ban.status, 200, ban.text);
    const refused = await post(thread.id, { token });
    assert.deepEqual([refused.status, refused.json.error.message], [403, 'You are banned from commenting on this site.']);
    const vote = await api(app, 'POST', `/api/v1/comments/${other.json.comment.id}/vote`, { token, headers: { origin: SITE_ORIGIN }, body: { value: 1 } });
    assert.equal(vote.status, 403);
    const until = new Date(app.clock.now().getTime() + 3_600_000);
    await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'suspend', until: until.toISOString() } });
    assert.equal((await post(thread.id, { token })).status, 403);
    app.clock.advance(3_700_000);
    try {
      assert.equal((await post(thread.id, { token })).status, 201, 'the suspension is over');
    } finally {
      app.clock.advance(-3_700_000);
    }
    await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'ban' } });
    await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'unban' } });
    assert.equal((await post(thread.id, { token })).status, 201);
  });

  it('bans an email address: a new guest giving it is refused', async () => {
    const thread = await openThread(app, 'email-ban');
    const res = await api(app, 'POST', '/api/v1/mod/bans', { token: modToken, body: { site: 'news', email: 'Troll@Example.org' } });
    assert.equal(res.status, 201);
    assert.equal((await post(thread.id, { email: 'troll@example.org' })).status, 403);
    assert.equal((await post(thread.id, { email: 'someone@example.org' })).status, 201);
  });

  it('shadow-bans: the reader sees their comments as published, over HTTP and the socket; nobody else sees them', async () => {
    const thread = await openThread(app, 'shadow');
    const first = await post(thread.id);
    const token = first.json.session.token;
    const userId = first.json.comment.author.id;
    await api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'shadowban' } });
    const own = await listen(thread.id, token);
    const others = await listen(thread.id);
    const hidden = await post(thread.id, { token, body: 'Can anyone see me?' });
    assert.equal(hidden.status, 201);
    assert.equal(hidden.json.comment.status, 'approved', 'nothing tells them');
    const mine = await waitFor(() => own.find((e) => e.event === 'comment:created' && e.data.comment.id === hidden.json.comment.id), 'own event');
    assert.equal(mine.data.comment.status, 'approved');
    const overlay = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token });
    assert.deepEqual(overlay.json.pending.map((c: any) => [c.id, c.status]), [[hidden.json.comment.id, 'approved']]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(others.some((e) => e.event === 'comment:created' && e.data.comment.id === hidden.json.comment.id), false);
    assert.equal((await page(thread.id)).some((c) => c.id === hidden.json.comment.id), false);
    assert.equal((await queue('pending')).json.items.some((i: any) => i.comment.id === hidden.json.comment.id), false, 'not in the pending queue');
  });
});

describe('threads', () => {
  it('lock, close and reopen reach open pages live', async () => {
    const thread = await openThread(app, 'lockable');
    const reader = await listen(thread.id);
    const locked = await api(app, 'POST', `/api/v1/mod/threads/${thread.id}`, { token: modToken, body: { action: 'lock' } });
    assert.equal(locked.json.thread.status, 'locked');
    const live = await waitFor(() => reader.find((e) => e.event === 'thread:updated'), 'thread:updated');
    assert.equal(live.data.status, 'locked');
    assert.equal((await post(thread.id)).status, 403);
    await api(app, 'POST', `/api/v1/mod/threads/${thread.id}`, { token: modToken, body: { action: 'reopen' } });
    assert.equal((await post(thread.id)).status, 201);
  });

  it('closes threads older than the site\'s limit', async () => {
    const thread = await openThread(app, 'old-thread');
    await updateSitePolicy(app.deps, 'news', { autoCloseDays: 30 });
    try {
      app.clock.advance(31 * 86_400_000);
      const res = await post(thread.id);
      assert.deepEqual([res.status, res.json.error.code], [403, 'thread_closed']);
      const shown = await api(app, 'GET', `/api/v1/threads?site=news&key=old-thread`);
      assert.equal(shown.json.thread.status, 'closed');
    } finally {
      app.clock.advance(-31 * 86_400_000);
      await updateSitePolicy(app.deps, 'news', { autoCloseDays: null });
    }
  });
});

describe('isolation', () => {
  it('another site\'s moderator, a reader, and nobody are refused on every moderation call', async () => {
    const thread = await openThread(app, 'isolated');
    const target = await post(thread.id);
    const id = target.json.comment.id;
    const userId = target.json.comment.author.id;
    const calls = (token?: string) => [
      api(app, 'GET', '/api/v1/mod/queue?site=news&queue=recent', { token }),
      api(app, 'POST', `/api/v1/mod/comments/${id}`, { token, body: { action: 'reject' } }),
      api(app, 'POST', '/api/v1/mod/comments/bulk', { token, body: { ids: [id], action: 'spam' } }),
      api(app, 'POST', `/api/v1/mod/threads/${thread.id}`, { token, body: { action: 'close' } }),
      api(app, 'POST', `/api/v1/mod/users/${userId}`, { token, body: { site: 'news', action: 'ban' } }),
      api(app, 'POST', '/api/v1/mod/bans', { token, body: { site: 'news', email: 'x@example.org' } }),
      api(app, 'GET', '/api/v1/mod/audit?site=news', { token }),
    ];
    const before = await app.database.pool.query('select count(*)::int as n from audit_log');
    for (const [who, token, status] of [['other site\'s moderator', otherModToken, 403], ['reader', readerToken, 403], ['nobody', undefined, 401]] as const) {
      for (const res of await Promise.all(calls(token))) {
        const bulkResult = res.json?.results?.[0];
        if (bulkResult) assert.equal(bulkResult.ok, false, who);
        else assert.equal(res.status, status, `${who}: ${res.text}`);
      }
    }
    assert.equal((await page(thread.id)).some((c) => c.id === id), true);
    assert.equal((await app.database.pool.query('select count(*)::int as n from audit_log')).rows[0].n, before.rows[0].n);
    const bans = await app.database.pool.query('select count(*)::int as n from bans where user_id = $1', [userId]);
    assert.equal(bans.rows[0].n, 0);
  });
});

describe('the audit log', () => {
  it('records every action with its actor, before and after; the chain verifies, and a hand-edited row is found', async () => {
    const thread = await openThread(app, 'audited');
    const target = await post(thread.id);
    await act(target.json.comment.id, { action: 'reject', reason: 'Rude' });
    const res = await api(app, 'GET', '/api/v1/mod/audit?site=news', { token: modToken });
    const entry = res.json.entries[0];
    assert.equal(entry.action, 'comment.reject');
    assert.equal(entry.actor.name, 'mod');
    assert.deepEqual([entry.before.status, entry.after.status, entry.after.moderationNote], ['approved', 'rejected', 'Rude']);
    assert.equal(res.json.entries[1].hash, entry.prevHash);
    assert.deepEqual(await verifyAuditChain(app.deps.db, app.site.id), { ok: true, entries: res.json.entries.length });
    const victim = res.json.entries[2];
    await app.deps.db.update(auditLog).set({ actorName: 'someone else' }).where(eq(auditLog.id, victim.id));
    const verdict = await verifyAuditChain(app.deps.db, app.site.id);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.ok === false && verdict.firstBadId, victim.id);
    await app.deps.db.execute(sql`delete from audit_log where id = ${victim.id}`);
    const removed = await verifyAuditChain(app.deps.db, app.site.id);
    assert.equal(removed.ok === false && removed.firstBadId, res.json.entries[1].id, 'the entry after a removed one is named');
  });
});

describe('search', () => {
  it('finds comments by words, English and Arabic alike, with their stems', async () => {
    const thread = await openThread(app, 'searchable');
    const english = await post(thread.id, { body: 'The militants were financing their operations through kidnapping' });
    const arabic = await post(thread.id, { body: 'تمويل الجماعات المسلحة عبر الخطف' });
    const find = async (q: string) => (await api(app, 'GET', `/api/v1/mod/queue?site=news&queue=recent&q=${encodeURIComponent(q)}`, { token: modToken })).json.items.map((i: any) => i.comment.id);
    assert.deepEqual(await find('finance operation'), [english.json.comment.id]);
    assert.deepEqual(await find('الجماعات'), [arabic.json.comment.id]);
    assert.deepEqual(await find('nothing-like-this'), []);
  });
});

describe('as an attacker', () => {
  it('a moderator\'s token used from another origin\'s page changes nothing', async () => {
    const thread = await openThread(app, 'foreign-page');
    const target = await post(thread.id);
    const res = await api(app, 'POST', `/api/v1/mod/comments/${target.json.comment.id}`, { token: modToken, headers: { origin: 'https://evil.example' }, body: { action: 'reject' } });
    assert.equal(res.status, 403);
    assert.equal((await page(thread.id)).some((c) => c.id === target.json.comment.id), true);
  });

  it('twenty moderators approving one held comment at once: one approval, one count, one audit entry', async () => {
    await updateSitePolicy(app.deps, 'news', { premoderation: 'all' });
    let id: string;
    let threadId: string;
    try {
      const thread = await openThread(app, 'race-approve');
      threadId = thread.id;
      id = (await post(thread.id)).json.comment.id;
    } finally {
      await updateSitePolicy(app.deps, 'news', { premoderation: 'none' });
    }
    const results = await Promise.all(Array.from({ length: 20 }, () => act(id, { action: 'approve' })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array(19).fill(409)]);
    const { rows } = await app.database.pool.query('select comment_count from threads where id = $1', [threadId]);
    assert.equal(rows[0].comment_count, 1);
    const audit = await app.database.pool.query(`select count(*)::int as n from audit_log where target_id = $1 and action = 'comment.approve'`, [id]);
    assert.equal(audit.rows[0].n, 1);
  });

  it('twenty copies of one reader\'s flag are one flag; another site\'s token, a foreign page or a tampered token flag nothing', async () => {
    const thread = await openThread(app, 'race-flag');
    const id = (await post(thread.id)).json.comment.id;
    const reader = (await post(thread.id)).json.session.token;
    const flag = (token: string | undefined, origin = SITE_ORIGIN) => api(app, 'POST', `/api/v1/comments/${id}/flag`, { token, headers: { origin }, body: { reason: 'spam' } });
    assert.deepEqual([...new Set((await Promise.all(Array.from({ length: 20 }, () => flag(reader)))).map((r) => r.status))], [200]);
    const otherThread = await api(app, 'GET', `/api/v1/threads?site=other&key=x&url=${encodeURIComponent(`${OTHER_ORIGIN}/x`)}`, { headers: { origin: OTHER_ORIGIN } });
    const otherGuest = (await api(app, 'POST', `/api/v1/threads/${otherThread.json.thread.id}/comments`, { headers: { origin: OTHER_ORIGIN }, body: { body: 'elsewhere', author: { name: 'Elsewhere' } } })).json.session.token;
    assert.equal((await flag(otherGuest)).status, 403);
    assert.equal((await flag(otherGuest, OTHER_ORIGIN)).status, 403);
    assert.equal((await flag(reader, 'https://evil.example')).status, 403);
    assert.equal((await flag(`${reader.slice(0, -1)}${reader.endsWith('A') ? 'B' : 'A'}`)).status, 401);
    const { rows } = await app.database.pool.query('select flag_count, (select count(*)::int from flags where comment_id = $1) as flags from comments where id = $1', [id]);
    assert.deepEqual(rows[0], { flag_count: 1, flags: 1 });
  });

  it('twenty bans of one reader at once leave one ban in force', async () => {
    const thread = await openThread(app, 'race-ban');
    const userId = (await post(thread.id)).json.comment.author.id;
    const results = await Promise.all(Array.from({ length: 20 }, () => api(app, 'POST', `/api/v1/mod/users/${userId}`, { token: modToken, body: { site: 'news', action: 'ban' } })));
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    const { rows } = await app.database.pool.query('select count(*)::int as n from bans where user_id = $1 and lifted_at is null', [userId]);
    assert.equal(rows[0].n, 1);
  });
});
