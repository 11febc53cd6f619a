import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { connectTestRedis } from '../helpers/redis.js';

let redis: Redis | null = null;
before(async () => { redis = await connectTestRedis(); });
after(() => { redis?.disconnect(); });

/** The same checks whichever store counts: a flood is refused with 429 and writes nothing. */
async function checkLimits(app: TestApp) {
  const thread = await openThread(app, 'flood');
  const post = (i: number) => api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: `spam ${i}`, author: { name: 'F' } } });
  for (let i = 0; i < 3; i++) assert.equal((await post(i)).status, 201);
  const refused = await post(3);
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.code, 'rate_limited');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  const { rows } = await app.database.pool.query('select count(*)::int as n from comments where thread_id = $1', [thread.id]);
  assert.equal(rows[0].n, 3);

  const list = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
  const target = list.json.comments[0].id;
  const vote = (value: number, name: string) => api(app, 'POST', `/api/v1/comments/${target}/vote`, { body: { value, author: { name } } });
  assert.equal((await vote(1, 'V1')).status, 200);
  assert.equal((await vote(1, 'V2')).status, 200);
  const third = await vote(-1, 'V3');
  assert.equal(third.status, 429);
  const { rows: votes } = await app.database.pool.query('select count(*)::int as n from votes where comment_id = $1', [target]);
  assert.equal(votes[0].n, 2);
  assert.equal((await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`)).status, 200, 'reading is never limited');
}

describe('rate limits', () => {
  it('refuse a flood of new threads, but not views of existing ones', async () => {
    const app = await startTestApp({ threadsPerMinute: 2 });
    try {
      await openThread(app, 'page-1');
      await openThread(app, 'page-2');
      const third = await api(app, 'GET', `/api/v1/threads?site=news&key=page-3&url=${encodeURIComponent(`${SITE_ORIGIN}/page-3`)}`, {
        headers: { origin: SITE_ORIGIN },
      });
      assert.equal(third.status, 429);
      const { rows } = await app.database.pool.query('select count(*)::int as n from threads');
      assert.equal(rows[0].n, 2);
      for (let i = 0; i < 5; i++) await openThread(app, 'page-1');
    } finally {
      await app.close();
    }
  });

  it('refuse a flood of comments and votes, counted in PostgreSQL', async () => {
    const app = await startTestApp({ postsPerMinute: 3, votesPerMinute: 2 });
    try {
      await checkLimits(app);
      const { rows } = await app.database.pool.query('select count(*)::int as n from rate_limits');
      assert.ok(rows[0].n >= 2, 'the counters live in the database, shared by every process');
    } finally {
      await app.close();
    }
  });

  it('refuse a flood of comments and votes, counted in Redis', async (t) => {
    if (!redis) return t.skip('no Redis');
    const app = await startTestApp({ postsPerMinute: 3, votesPerMinute: 2, redis });
    try {
      await checkLimits(app);
      const { rows } = await app.database.pool.query('select count(*)::int as n from rate_limits');
      assert.equal(rows[0].n, 0);
      assert.ok((await redis.keys(`${app.prefix}:*`)).length >= 2);
    } finally {
      await app.close();
    }
  });
});
