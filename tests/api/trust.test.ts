/**
 * Regression tests for issue 5's findings, each tried as an attacker or a careless page would
 * try it, from outside: what the attacker gets, and that nothing was written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { threads } from '../../src/server/db/schema.js';
import { createSite } from '../../src/server/sites/service.js';
import type { JoinAck } from '../../src/shared/api.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

const RIVAL = 'https://rival.example';
let app: TestApp;
before(async () => {
  app = await startTestApp();
  await createSite(app.deps, { slug: 'rival', name: 'Rival', origins: [RIVAL] });
  await createSite(app.deps, { slug: 'members', name: 'Members', origins: ['https://members.example'], guestsAllowed: false });
});
after(async () => { await app?.close(); });

const fromOrigin = (origin: string) => ({ origin });
async function openOn(site: string, origin: string, key: string) {
  const url = `/api/v1/threads?${new URLSearchParams({ site, key, url: `${origin}/${key}` })}`;
  const res = await api(app, 'GET', url, { headers: fromOrigin(origin) });
  assert.equal(res.status, 200, res.text);
  return res.json.thread as { id: string };
}
const post = (threadId: string, body: object, options: { token?: string; origin?: string } = {}) =>
  api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token: options.token, headers: options.origin ? fromOrigin(options.origin) : {} });
const commentCount = async (threadId: string) =>
  (await app.database.pool.query('select count(*)::int as n from comments where thread_id = $1', [threadId])).rows[0].n as number;

describe('sessions belong to one site', () => {
  it('refuses a guest token of site A on site B, from either origin, and writes nothing', async () => {
    const mine = await openThread(app, 'session-home');
    const guest = await post(mine.id, { body: 'hello', author: { name: 'Roamer' } }, { origin: SITE_ORIGIN });
    const token = guest.json.session.token;
    const theirs = await openOn('rival', RIVAL, 'session-away');
    for (const origin of [SITE_ORIGIN, RIVAL, undefined]) {
      const res = await post(theirs.id, { body: 'cross-site' }, { token, origin });
      assert.equal(res.status, 403, `from ${origin ?? 'no origin'}`);
      assert.equal(res.json.error.code, 'forbidden');
    }
    const vote = await api(app, 'POST', `/api/v1/comments/${guest.json.comment.id}/vote`, { body: { value: 1 }, token: (await post(theirs.id, { body: 'rival guest', author: { name: 'R' } }, { origin: RIVAL })).json.session.token });
    assert.equal(vote.status, 403, 'a rival guest cannot vote on our comment either');
    assert.equal(await commentCount(theirs.id), 1);
  });

  it('refuses a page of site A acting on site B\'s thread even with a valid token of B', async () => {
    const theirs = await openOn('rival', RIVAL, 'origin-check');
    const rivalGuest = await post(theirs.id, { body: 'mine', author: { name: 'R' } }, { origin: RIVAL });
    const token = rivalGuest.json.session.token;
    const res = await post(theirs.id, { body: 'from news page' }, { token, origin: SITE_ORIGIN });
    assert.equal(res.status, 403);
    const edit = await api(app, 'PATCH', `/api/v1/comments/${rivalGuest.json.comment.id}`, { body: { body: 'changed' }, token, headers: fromOrigin(SITE_ORIGIN) });
    assert.equal(edit.status, 403);
    const read = await api(app, 'GET', `/api/v1/threads/${theirs.id}/comments`, { headers: fromOrigin(SITE_ORIGIN) });
    assert.equal(read.status, 403);
    assert.equal(await commentCount(theirs.id), 1);
    const { rows } = await app.database.pool.query('select body_source from comments where id = $1', [rivalGuest.json.comment.id]);
    assert.equal(rows[0].body_source, 'mine');
  });

  it('binds the guest session it issues to the thread\'s site', async () => {
    const thread = await openThread(app, 'bound');
    const res = await post(thread.id, { body: 'x', author: { name: 'B' } });
    const { rows } = await app.database.pool.query('select s.site_id, s.scope from sessions s where s.user_id = $1', [res.json.session.userId]);
    assert.deepEqual(rows, [{ site_id: app.site.id, scope: 'embed' }]);
  });
});

describe('401 means the token is bad; 403 that the site wants a sign-in', () => {
  it('answers an unknown token 401 unauthorized, and a guest on a members-only site 403 sign_in_required', async () => {
    const thread = await openThread(app, 'codes');
    const bad = await post(thread.id, { body: 'x' }, { token: 'x'.repeat(43) });
    assert.deepEqual([bad.status, bad.json.error.code], [401, 'unauthorized']);
    const members = await openOn('members', 'https://members.example', 'closed-door');
    const guest = await post(members.id, { body: 'let me in', author: { name: 'G' } }, { origin: 'https://members.example' });
    assert.deepEqual([guest.status, guest.json.error.code], [403, 'sign_in_required']);
    assert.equal(await commentCount(members.id), 0);
  });
});

describe('closed and locked threads', () => {
  it('a locked thread takes no new comment; a closed one takes no comment, edit or vote', async () => {
    const thread = await openThread(app, 'to-lock');
    const mine = await post(thread.id, { body: 'before the lock', author: { name: 'L' } });
    const other = await post(thread.id, { body: 'another', author: { name: 'M' } });
    const token = mine.json.session.token;
    const attempt = async () => ({
      reply: await post(thread.id, { body: 'late', parentId: other.json.comment.id }, { token }),
      edit: await api(app, 'PATCH', `/api/v1/comments/${mine.json.comment.id}`, { body: { body: 'sneaky edit' }, token }),
      vote: await api(app, 'POST', `/api/v1/comments/${other.json.comment.id}/vote`, { body: { value: 1 }, token }),
    });
    await app.database.db.update(threads).set({ status: 'closed' }).where(eq(threads.id, thread.id));
    const closed = await attempt();
    for (const res of [closed.reply, closed.edit, closed.vote]) assert.deepEqual([res.status, res.json.error.code], [403, 'thread_closed']);
    const { rows: untouched } = await app.database.pool.query('select body_source, score from comments where thread_id = $1 order by created_at', [thread.id]);
    assert.deepEqual(untouched, [{ body_source: 'before the lock', score: 0 }, { body_source: 'another', score: 0 }]);

    await app.database.db.update(threads).set({ status: 'locked' }).where(eq(threads.id, thread.id));
    const locked = await attempt();
    assert.deepEqual([locked.reply.status, locked.reply.json.error.code, locked.reply.json.error.message], [403, 'thread_closed', 'This thread is locked: no new comments.']);
    assert.equal(locked.edit.status, 200, 'a locked thread still lets authors fix their words');
    assert.equal(locked.vote.status, 200);
    assert.equal(await commentCount(thread.id), 2);
  });
});

describe('text that would break storage or display', () => {
  it('refuses NUL in a body or a name with 400 and writes nothing', async () => {
    const thread = await openThread(app, 'nul');
    for (const body of [{ body: 'a\u0000b', author: { name: 'N' } }, { body: 'fine', author: { name: 'N\u0000' } }]) {
      const res = await post(thread.id, body);
      assert.deepEqual([res.status, res.json.error.code], [400, 'validation_failed']);
    }
    assert.equal(await commentCount(thread.id), 0);
  });

  it('takes bidi overrides out of names and closes them within each line of a body', async () => {
    const thread = await openThread(app, 'bidi');
    const res = await post(thread.id, { body: 'safe \u202Egnp.exe\nnext line', author: { name: 'admin\u202Enimda' } });
    assert.equal(res.status, 201);
    assert.equal(res.json.comment.author.name, 'adminnimda');
    // The override became an isolate that ends with its line: the next line reads as written.
    assert.match(res.json.comment.html, /safe \u2067gnp\.exe\u2069<br \/>\s*next line/);
  });
});

describe('a listener that fails after commit', () => {
  it('is reported, and the saved comment is still answered 201', async () => {
    const reported: string[] = [];
    const original = app.deps.log.error;
    app.deps.log.error = (obj, msg) => { reported.push(msg); };
    const off = app.deps.events.on('comment.created', () => { throw new Error('listener bug'); });
    try {
      const thread = await openThread(app, 'listener');
      const res = await post(thread.id, { body: 'saved anyway', author: { name: 'S' } });
      assert.equal(res.status, 201);
      assert.equal(await commentCount(thread.id), 1);
      assert.deepEqual(reported, ['event listener failed']);
    } finally {
      off();
      app.deps.log.error = original;
    }
  });
});

describe('a reply racing the deletion of its parent', () => {
  it('never lands under a removed parent: either it is refused, or the parent stays as its placeholder', async () => {
    const thread = await openThread(app, 'race');
    for (let round = 0; round < 10; round++) {
      const parent = await post(thread.id, { body: `parent ${round}`, author: { name: 'P' } });
      const [reply, removal] = await Promise.all([
        post(thread.id, { body: `reply ${round}`, parentId: parent.json.comment.id, author: { name: 'Q' } }),
        api(app, 'DELETE', `/api/v1/comments/${parent.json.comment.id}`, { token: parent.json.session.token }),
      ]);
      assert.equal(removal.status, 200);
      if (reply.status === 201) {
        assert.ok(removal.json.placeholder, `round ${round}: the parent keeps its place for the reply`);
      } else {
        assert.equal(reply.status, 400, `round ${round}`);
      }
    }
    const page = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=oldest&limit=100`);
    const { rows } = await app.database.pool.query(
      `select count(*)::int as n from comments where thread_id = $1 and parent_id is not null and status = 'approved'`, [thread.id]);
    const shownReplies = page.json.comments.reduce((n: number, c: { replies: unknown[] }) => n + c.replies.length, 0);
    assert.equal(shownReplies, rows[0].n, 'every reply that landed is shown');
  });
});

describe('the live-event log holds what a reader may see now', () => {
  it('replays from 0 neither the original nor the edited text, nor the author, of a comment later deleted', async () => {
    const thread = await openThread(app, 'scrub');
    const posted = await post(thread.id, { body: 'ORIGINAL-SECRET text', author: { name: 'Whistleblower' } });
    const token = posted.json.session.token;
    await api(app, 'PATCH', `/api/v1/comments/${posted.json.comment.id}`, { body: { body: 'EDITED-SECRET text' }, token });
    await api(app, 'DELETE', `/api/v1/comments/${posted.json.comment.id}`, { token });
    const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const received: unknown[] = [];
    socket.onAny((event, data) => { if (event !== 'thread:presence') received.push(data); });
    try {
      const ack = await socket.timeout(2000).emitWithAck('thread:join', { threadId: thread.id, since: '0' }) as JoinAck;
      assert.equal(ack.ok, true);
      assert.ok(received.length > 0, 'the changes are replayed');
      const replay = JSON.stringify(received);
      for (const secret of ['ORIGINAL-SECRET', 'EDITED-SECRET', 'Whistleblower']) assert.ok(!replay.includes(secret), `${secret} replayed`);
      const stored = await app.database.pool.query('select * from thread_events where thread_id = $1', [thread.id]);
      assert.ok(!JSON.stringify(stored.rows).includes('SECRET'), 'nor does the table hold it');
    } finally {
      socket.disconnect();
    }
  });

  it('replays an edit as the text it has now', async () => {
    const thread = await openThread(app, 'edit-replay');
    const posted = await post(thread.id, { body: 'first words', author: { name: 'E' } });
    await api(app, 'PATCH', `/api/v1/comments/${posted.json.comment.id}`, { body: { body: 'second words' }, token: posted.json.session.token });
    const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const received: Array<{ comment?: { html: string } }> = [];
    socket.onAny((event, data) => { if (event !== 'thread:presence') received.push(data); });
    try {
      await socket.timeout(2000).emitWithAck('thread:join', { threadId: thread.id, since: '0' });
      assert.deepEqual(received.map((e) => e.comment?.html), ['<p>second words</p>', '<p>second words</p>']);
    } finally {
      socket.disconnect();
    }
  });
});

describe('one rule for deleted comments with replies', () => {
  it('removes a placeholder with its last reply, saying so in the answer', async () => {
    const thread = await openThread(app, 'prune');
    const parent = await post(thread.id, { body: 'parent', author: { name: 'P' } });
    const child = await post(thread.id, { body: 'child', parentId: parent.json.comment.id, author: { name: 'C' } });
    const first = await api(app, 'DELETE', `/api/v1/comments/${parent.json.comment.id}`, { token: parent.json.session.token });
    assert.ok(first.json.placeholder);
    assert.deepEqual(first.json.prunedIds, []);
    const second = await api(app, 'DELETE', `/api/v1/comments/${child.json.comment.id}`, { token: child.json.session.token });
    assert.equal(second.json.placeholder, null);
    assert.deepEqual(second.json.prunedIds, [parent.json.comment.id]);
    const page = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
    assert.deepEqual(page.json.comments, []);
  });
});

describe('"best" paging while scores change', () => {
  it('neither skips nor repeats a comment voted from page 2 to page 1 (or down) between loads', async () => {
    const thread = await openThread(app, 'best-paging');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await post(thread.id, { body: `c${i}`, author: { name: `A${i}` } })).json.comment.id);
    const page1 = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=best&limit=3`);
    const firstIds = page1.json.comments.map((c: { id: string }) => c.id);
    const unseen = ids.filter((id) => !firstIds.includes(id));
    // Between loads: a comment from page 2 climbs to the top, one from page 1 sinks.
    for (let v = 0; v < 3; v++) await api(app, 'POST', `/api/v1/comments/${unseen[2]}/vote`, { body: { value: 1, author: { name: `Up ${v}` } } });
    await api(app, 'POST', `/api/v1/comments/${firstIds[0]}/vote`, { body: { value: -1, author: { name: 'Down' } } });
    const page2 = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=best&limit=3&cursor=${page1.json.nextCursor}`);
    assert.equal(page2.status, 200);
    const secondIds = page2.json.comments.map((c: { id: string }) => c.id);
    assert.deepEqual([...firstIds, ...secondIds].sort(), [...ids].sort(), 'every comment once');
    assert.equal(page2.json.nextCursor, null);
    const climbed = page2.json.comments.find((c: { id: string }) => c.id === unseen[2]);
    assert.equal(climbed.upvotes - climbed.downvotes, 3, 'shown with its score now');
  });

  it('refuses a cursor it did not issue with 400 invalid_cursor', async () => {
    const thread = await openThread(app, 'bad-cursor');
    const res = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?cursor=not-a-cursor`);
    assert.deepEqual([res.status, res.json.error.code], [400, 'invalid_cursor']);
  });
});
