import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

async function newComment(key: string) {
  const thread = await openThread(app, key);
  const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: `vote on me (${key})`, author: { name: 'V' } } });
  return { threadId: thread.id, id: res.json.comment.id as string, authorToken: res.json.session.token as string };
}
const vote = (id: string, value: unknown, token?: string) => api(app, 'POST', `/api/v1/comments/${id}/vote`, { body: { value }, token });
/** A reader without a session names themself, as the widget asks them to. */
const voteAsNewGuest = (id: string, value: unknown, name = 'Voter') =>
  api(app, 'POST', `/api/v1/comments/${id}/vote`, { body: { value, author: { name } } });
const score = (c: { upvotes: number; downvotes: number }) => c.upvotes - c.downvotes;
const count = async (table: string) => (await app.database.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

describe('voting', () => {
  it('counts one vote per reader, which they can change or withdraw', async () => {
    const { id, threadId } = await newComment('votes');
    const first = await voteAsNewGuest(id, 1);
    assert.equal(first.status, 200);
    assert.equal((first.json.upvotes - first.json.downvotes), 1);
    const token = first.json.session.token;
    assert.equal(score((await vote(id, 1, token)).json), 1, 'voting twice counts once');
    const down = await vote(id, -1, token);
    assert.deepEqual([down.json.upvotes, down.json.downvotes, down.json.myVote], [0, 1, -1]);
    const other = await voteAsNewGuest(id, -1, 'Other');
    assert.equal(score(other.json), -2);
    const withdrawn = await vote(id, 0, token);
    assert.deepEqual([score(withdrawn.json), withdrawn.json.downvotes, withdrawn.json.myVote], [-1, 1, 0]);
    const list = await api(app, 'GET', `/api/v1/threads/${threadId}/comments`);
    assert.equal(score(list.json.comments[0]), -1);
    const overlay = await api(app, 'GET', `/api/v1/threads/${threadId}/me`, { token: other.json.session.token });
    assert.deepEqual(overlay.json.votes, { [id]: -1 });
  });

  it('needs a session: a nameless vote without one is 401 auth_required and leaves no user, session or vote', async () => {
    const { id } = await newComment('no-session');
    const [users, sessions, votes] = [await count('users'), await count('sessions'), await count('votes')];
    for (let i = 0; i < 5; i++) {
      const refused = await vote(id, 1);
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error.code, 'auth_required');
    }
    assert.deepEqual([await count('users'), await count('sessions'), await count('votes')], [users, sessions, votes]);
    const listed = await api(app, 'GET', `/api/v1/threads/${(await openThread(app, 'no-session')).id}/comments`);
    assert.equal(score(listed.json.comments[0]), 0);
  });

  it('refuses a vote on your own comment with 403, and the score stays', async () => {
    const { id, authorToken } = await newComment('own');
    const own = await vote(id, 1, authorToken);
    assert.equal(own.status, 403);
    assert.equal(own.json.error.code, 'forbidden');
    const { rows } = await app.database.pool.query('select score from comments where id = $1', [id]);
    assert.equal(rows[0].score, 0);
  });

  it('keeps counters exact under concurrent votes', async () => {
    const { id } = await newComment('concurrent');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => voteAsNewGuest(id, i % 4 === 0 ? -1 : 1, `Voter ${i}`)));
    assert.ok(results.every((r) => r.status === 200));
    const { rows } = await app.database.pool.query(
      'select c.score, c.upvotes, c.downvotes, (select coalesce(sum(value), 0)::int from votes where comment_id = c.id) as total from comments c where id = $1', [id]);
    assert.deepEqual(rows[0], { score: 10, upvotes: 15, downvotes: 5, total: 10 });
  });

  it('rejects bad values and unknown comments', async () => {
    const { id, authorToken } = await newComment('bad-votes');
    const voter = (await voteAsNewGuest((await newComment('bad-votes-2')).id, 1)).json.session.token;
    for (const value of [2, '1', null, 0.5]) assert.equal((await vote(id, value, voter)).status, 400);
    assert.equal((await vote('00000000-0000-4000-8000-000000000000', 1, authorToken)).status, 404);
    const { rows } = await app.database.pool.query('select count(*)::int as n from votes where comment_id = $1', [id]);
    assert.equal(rows[0].n, 0);
  });
});

describe('vote stuffing', () => {
  it('caps the guests one IP address can make: 60 named votes from one address do not give 60 points', async () => {
    const limited = await startTestApp({ guestsPerHour: 4 });
    try {
      const thread = await openThread(limited, 'stuffed');
      const posted = await api(limited, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'target', author: { name: 'T' } } });
      const id = posted.json.comment.id;
      // The target's author was this address's first guest of the hour: three are left.
      const usersBefore = (await limited.database.pool.query('select count(*)::int as n from users')).rows[0].n;
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) {
        const res = await api(limited, 'POST', `/api/v1/comments/${id}/vote`, { body: { value: 1, author: { name: `Sock ${i}` } } });
        statuses.push(res.status);
      }
      assert.equal(statuses.filter((s) => s === 200).length, 3);
      assert.ok(statuses.slice(3).every((s) => s === 429));
      const { rows } = await limited.database.pool.query('select score from comments where id = $1', [id]);
      assert.equal(rows[0].score, 3);
      const usersAfter = (await limited.database.pool.query('select count(*)::int as n from users')).rows[0].n;
      assert.equal(usersAfter - usersBefore, 3, 'a refused vote leaves no guest behind');
    } finally {
      await limited.close();
    }
  });
});
