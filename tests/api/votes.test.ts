import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

async function newComment(key: string) {
  const thread = await openThread(app, key);
  const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'vote on me', author: { name: 'V' } } });
  return { threadId: thread.id, id: res.json.comment.id as string };
}
const vote = (id: string, value: unknown, token?: string) => api(app, 'POST', `/api/v1/comments/${id}/vote`, { body: { value }, token });

describe('voting', () => {
  it('counts one vote per reader, which they can change or withdraw', async () => {
    const { id, threadId } = await newComment('votes');
    const first = await vote(id, 1);
    assert.equal(first.status, 200);
    assert.equal(first.json.score, 1);
    const token = first.json.session.token;
    assert.equal((await vote(id, 1, token)).json.score, 1, 'voting twice counts once');
    const down = await vote(id, -1, token);
    assert.deepEqual([down.json.score, down.json.upvotes, down.json.downvotes, down.json.myVote], [-1, 0, 1, -1]);
    const other = await vote(id, -1);
    assert.equal(other.json.score, -2);
    const withdrawn = await vote(id, 0, token);
    assert.deepEqual([withdrawn.json.score, withdrawn.json.downvotes, withdrawn.json.myVote], [-1, 1, 0]);
    const list = await api(app, 'GET', `/api/v1/threads/${threadId}/comments`, { token: other.json.session.token });
    assert.equal(list.json.comments[0].score, -1);
    assert.equal(list.json.comments[0].myVote, -1);
  });

  it('keeps counters exact under concurrent votes', async () => {
    const { id } = await newComment('concurrent');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => vote(id, i % 4 === 0 ? -1 : 1)));
    assert.ok(results.every((r) => r.status === 200));
    const { rows } = await app.database.pool.query(
      'select c.score, c.upvotes, c.downvotes, (select coalesce(sum(value), 0)::int from votes where comment_id = c.id) as total from comments c where id = $1', [id]);
    assert.deepEqual(rows[0], { score: 10, upvotes: 15, downvotes: 5, total: 10 });
  });

  it('rejects bad values and unknown comments', async () => {
    const { id } = await newComment('bad-votes');
    for (const value of [2, '1', null, 0.5]) assert.equal((await vote(id, value)).status, 400);
    assert.equal((await vote('00000000-0000-4000-8000-000000000000', 1)).status, 404);
    const { rows } = await app.database.pool.query('select count(*)::int as n from votes where comment_id = $1', [id]);
    assert.equal(rows[0].n, 0);
  });
});
