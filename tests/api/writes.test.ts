/**
 * What the write path's shortcuts must not change: a revoked session is refused at once though
 * sessions are cached; concurrent writes lose nothing and each thread's cursors still follow
 * commit order; rate limits counted in batches still hold across processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revokeSession } from '../../src/server/auth/service.js';
import { RateLimited } from '../../src/server/errors.js';
import { createRateLimits } from '../../src/server/limits/service.js';
import { liveChangeLog, readThreadEventsSince } from '../../src/server/realtime/log.js';
import { api, openThread, startTestApp, type TestApp, withTwoProcesses } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

const post = (threadId: string, body: object, token?: string) =>
  api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token });

async function newGuest(threadId: string, name: string): Promise<{ token: string; commentId: string }> {
  const res = await post(threadId, { body: `I am ${name}`, author: { name } });
  assert.equal(res.status, 201, res.text);
  return { token: res.json.session.token, commentId: res.json.comment.id };
}

describe('revoking a session', () => {
  it('refuses its token on the very next request, though the session was cached', async () => {
    const thread = await openThread(app, 'revoke');
    const { token } = await newGuest(thread.id, 'Leaving');
    assert.equal((await post(thread.id, { body: 'still here' }, token)).status, 201);
    assert.deepEqual(await revokeSession(app.deps, token), { revoked: true });
    const refused = await post(thread.id, { body: 'gone?' }, token);
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'unauthorized');
    const vote = await api(app, 'POST', `/api/v1/comments/${(await post(thread.id, { body: 'x', author: { name: 'O' } })).json.comment.id}/vote`, { body: { value: 1 }, token });
    assert.equal(vote.status, 401);
    const { rows } = await app.database.pool.query('select count(*)::int as n from comments where thread_id = $1', [thread.id]);
    assert.equal(rows[0].n, 3, 'the refused comment was not written');
  });
});

describe('revoking a session with several processes', () => {
  it('refuses its token at once in the other process too, though that process had it cached', async () => {
    await withTwoProcesses(async (first, second) => {
      const thread = await openThread(first, 'revoke-everywhere');
      const guest = await api(first, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'hello', author: { name: 'Roamer' } } });
      const token = guest.json.session.token;
      const onSecond = (body: string) => api(second, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body }, token });
      assert.equal((await onSecond('cached in the second process now')).status, 201);
      await revokeSession(first.deps, token);
      const deadline = Date.now() + 2000;
      let status = 201;
      while (status !== 401 && Date.now() < deadline) {
        status = (await api(second, 'GET', `/api/v1/threads/${thread.id}/me`, { token })).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 401, 'the second process no longer accepts it');
      assert.equal((await onSecond('after revocation')).status, 401);
    });
  });
});

/** Every event id of each thread, as a reader polling the log would see them appear. */
async function logOf(threadIds: string[]): Promise<Map<string, number[]>> {
  const { rows } = await app.database.pool.query(
    'select thread_id, id::int8::text as id from thread_events where thread_id = any($1::uuid[]) order by id', [threadIds]);
  const byThread = new Map(threadIds.map((t) => [t, [] as number[]]));
  for (const r of rows) byThread.get(r.thread_id)!.push(Number(r.id));
  return byThread;
}

describe('200 concurrent writes over several threads', () => {
  it('lose nothing, and each thread\'s cursors appear in commit order: a reader never sees one below a cursor it has seen', async () => {
    const threads = await Promise.all(Array.from({ length: 5 }, (_, i) => openThread(app, `burst-${i}`)));
    const guests = await Promise.all(Array.from({ length: 20 }, (_, i) => newGuest(threads[i % 5].id, `Writer ${i}`)));
    const tokens = guests.map((g) => g.token);
    const ids = threads.map((t) => t.id);
    const highest = new Map(ids.map((t) => [t, 0]));
    const seen = new Set<number>();
    const outOfOrder: string[] = [];
    let writing = true;
    // A reader polling each thread's log while the writes commit: whatever it sees newly must lie above what it saw.
    const reader = (async () => {
      while (writing) {
        for (const [threadId, cursors] of await logOf(ids)) {
          const fresh = cursors.filter((c) => !seen.has(c));
          for (const c of fresh) {
            if (c < highest.get(threadId)!) outOfOrder.push(`${c} appeared after ${highest.get(threadId)} on ${threadId}`);
            seen.add(c);
          }
          highest.set(threadId, Math.max(highest.get(threadId)!, ...cursors));
        }
      }
    })();
    // Votes lock only their comment, not the thread's row: the thread's log lock alone orders them.
    const voting = Promise.all(Array.from({ length: 100 }, (_, i) =>
      api(app, 'POST', `/api/v1/comments/${guests[(i + 1) % 20].commentId}/vote`, { body: { value: i % 40 < 20 ? 1 : -1 }, token: tokens[i % 20] })));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      post(ids[i % 5], { body: `burst ${i}` }, tokens[i % 20])));
    const votes = await voting;
    writing = false;
    await reader;
    assert.deepEqual(results.filter((r) => r.status !== 201).map((r) => r.text), []);
    assert.deepEqual(votes.filter((r) => r.status !== 200).map((r) => r.text), []);
    assert.deepEqual(outOfOrder, []);
    for (const threadId of ids) {
      const { rows } = await app.database.pool.query(
        `select c.id, (select count(*)::int from thread_events e where e.comment_id = c.id and e.type = 'comment:created') as logged
         from comments c where c.thread_id = $1`, [threadId]);
      assert.equal(rows.length, 4 + 40, 'its four guests\' first comments and its 40 of the burst');
      assert.ok(rows.every((r) => r.logged === 1), 'one log entry per comment');
      const replay = await readThreadEventsSince(app.database.db, { threadId, since: '0', viewerId: null, limit: 1000 });
      const replayed = replay.events.filter((e) => e.type === 'comment:created').map((e) => (e.payload.comment as { id: string }).id);
      assert.equal(new Set(replayed).size, replayed.length, 'each comment once');
      assert.deepEqual(new Set(replayed), new Set(rows.map((r) => r.id)));
    }
    const { rows: counts } = await app.database.pool.query(
      'select t.comment_count, (select count(*)::int from comments c where c.thread_id = t.id) as n from threads t where t.id = any($1::uuid[])', [ids]);
    assert.ok(counts.every((r) => r.comment_count === r.n), 'each thread counts every comment');
  });
});

describe('a thread\'s change log', () => {
  it('makes a later change of the thread wait until an earlier one has committed, so cursors follow commit order', async () => {
    const thread = await openThread(app, 'ordered');
    const { commentId } = await newGuest(thread.id, 'Ordered');
    const change = {
      name: 'vote.updated' as const, siteId: app.site.id, threadId: thread.id, commentId, audienceUserId: null,
      payload: { commentId, upvotes: 0, downvotes: 0 },
    };
    const context = (tx: Parameters<typeof liveChangeLog.record>[0]['tx']) => ({ tx, afterCommit: () => {}, events: app.deps.events });
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => { commitFirst = resolve; });
    let firstRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => { firstRecorded = resolve; });
    const first = app.database.db.transaction(async (tx) => {
      await liveChangeLog.record(context(tx), change);
      firstRecorded();
      await firstMayCommit;
    });
    await recorded;
    let secondDone = false;
    const second = app.database.db.transaction((tx) => liveChangeLog.record(context(tx), change)).then(() => { secondDone = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(secondDone, false, 'the second change waits for the first to commit');
    commitFirst();
    await Promise.all([first, second]);
    const { rows } = await app.database.pool.query(
      `select id::text from thread_events where thread_id = $1 and type = 'vote:updated' order by id`, [thread.id]);
    assert.equal(rows.length, 2);
  });
});

describe('rate limits counted in batches', () => {
  it('let two processes together through no more than the limit, and refuse at most a batch early', async () => {
    // Two processes' limiters on one store: 40 a minute is taken from it two points at a time.
    const shared = { db: app.database.db, keyPrefix: `${app.prefix}-batch`, perPeriod: { post: 40, vote: 40, thread: 40, guest: 40, replay: 40, signin: 40, mail: 40 } };
    const processes = [createRateLimits(shared), createRateLimits(shared)];
    let allowed = 0;
    const retryAfter: number[] = [];
    await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      try {
        await processes[i % 2].consume('post', ['ip:batch-test']);
        allowed++;
      } catch (err) {
        if (!(err instanceof RateLimited)) throw err;
        retryAfter.push(err.retryAfterSeconds);
      }
    }));
    assert.ok(allowed <= 40 && allowed >= 39, `allowed ${allowed}`);
    assert.equal(retryAfter.length, 60 - allowed);
    assert.ok(retryAfter.every((s) => s >= 1 && s <= 60), `Retry-After ${retryAfter}`);
  });
});
