import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

async function post(threadId: string, body: unknown, token?: string) {
  return api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token });
}
async function rowCounts() {
  const { rows } = await app.database.pool.query(
    'select (select count(*) from comments)::int as comments, (select count(*) from users)::int as users, (select count(*) from sessions)::int as sessions, (select count(*) from thread_events)::int as events');
  return rows[0];
}

describe('posting as a guest', () => {
  it('returns the comment with rendered markdown and a guest session', async () => {
    const thread = await openThread(app, 'guest-post');
    const res = await post(thread.id, { body: 'Hello **world**', author: { name: 'Ada', email: 'ada@example.org' } });
    assert.equal(res.status, 201);
    assert.equal(res.json.comment.html, '<p>Hello <strong>world</strong></p>');
    assert.equal(res.json.comment.author.name, 'Ada');
    assert.equal(res.json.comment.author.isGuest, true);
    assert.equal('email' in res.json.comment.author, false, 'emails are never published');
    assert.match(res.json.editableUntil, /^\d{4}-\d\d-\d\dT/, 'the author is told until when they may change it');
    assert.match(res.json.session.token, /^[A-Za-z0-9_-]{40,}$/);
    const { rows } = await app.database.pool.query('select token_hash from sessions');
    assert.ok(rows.every((r) => r.token_hash !== res.json.session.token), 'tokens are stored hashed');
  });

  it('threads replies at any depth and lists them as one tree', async () => {
    const thread = await openThread(app, 'deep');
    const top = await post(thread.id, { body: 'top', author: { name: 'A' } });
    let parentId = top.json.comment.id;
    for (let depth = 1; depth <= 8; depth++) {
      const reply = await post(thread.id, { body: `depth ${depth}`, parentId, author: { name: 'B' } });
      assert.equal(reply.status, 201);
      assert.equal(reply.json.comment.depth, depth);
      parentId = reply.json.comment.id;
    }
    const list = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
    assert.equal(list.status, 200);
    let node = list.json.comments[0];
    for (let depth = 1; depth <= 8; depth++) {
      assert.equal(node.replies.length, 1);
      node = node.replies[0];
      assert.equal(node.html, `<p>depth ${depth}</p>`);
    }
    const threadAgain = await openThread(app, 'deep');
    assert.equal(threadAgain.commentCount, 9);
  });

  it('shows hostile HTML as text', async () => {
    const thread = await openThread(app, 'xss');
    const res = await post(thread.id, { body: '<img src=x onerror=alert(1)><script>alert(2)</script>', author: { name: '<b>Eve</b>' } });
    assert.equal(res.status, 201);
    assert.doesNotMatch(res.json.comment.html, /<img|<script/);
    assert.equal(res.json.comment.author.name, '<b>Eve</b>', 'names are data; the widget escapes them');
  });
});

describe('bad input changes nothing', () => {
  it('answers each kind of bad request with the right status and no write', async () => {
    const thread = await openThread(app, 'bad-input');
    const other = await openThread(app, 'other-thread');
    const foreign = await post(other.id, { body: 'elsewhere', author: { name: 'X' } });
    const before = await rowCounts();
    const cases: Array<[string, Awaited<ReturnType<typeof api>>, number]> = [
      ['malformed JSON', await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { raw: '{"body": "x",' }), 400],
      ['missing body', await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, {}), 400],
      ['empty body', await post(thread.id, { body: '   ', author: { name: 'A' } }), 400],
      ['no guest name', await post(thread.id, { body: 'hi' }), 400],
      ['body too long', await post(thread.id, { body: 'x'.repeat(10_001), author: { name: 'A' } }), 400],
      ['huge JSON', await post(thread.id, { body: 'x'.repeat(200_000), author: { name: 'A' } }), 413],
      ['unknown thread', await post('00000000-0000-4000-8000-000000000000', { body: 'hi', author: { name: 'A' } }), 404],
      ['not a thread id', await post('nope', { body: 'hi', author: { name: 'A' } }), 400],
      ['parent from another thread', await post(thread.id, { body: 'hi', parentId: foreign.json.comment.id, author: { name: 'A' } }), 400],
      ['unknown key', await post(thread.id, { body: 'hi', author: { name: 'A' }, admin: true }), 400],
      ['bad email', await post(thread.id, { body: 'hi', author: { name: 'A', email: 'nope' } }), 400],
      ['bad token', await post(thread.id, { body: 'hi' }, 'x'.repeat(43)), 401],
    ];
    for (const [name, res, status] of cases) {
      assert.equal(res.status, status, `${name}: ${res.text}`);
      assert.equal(typeof res.json?.error?.code, 'string', `${name} has a JSON error`);
      assert.equal(typeof res.json?.error?.message, 'string');
      assert.doesNotMatch(res.text, /<html|at .*\.ts:\d+/i, `${name} leaks no page or stack`);
    }
    assert.deepEqual(await rowCounts(), before);
  });

  it('answers unknown routes and comments with JSON 404s', async () => {
    const route = await api(app, 'GET', '/api/v1/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(route.json.error.code, 'not_found');
    const comment = await api(app, 'PATCH', '/api/v1/comments/00000000-0000-4000-8000-000000000000', { body: { body: 'x' }, token: await guestToken() });
    assert.equal(comment.status, 404);
  });
});

async function guestToken(): Promise<string> {
  const thread = await openThread(app, 'tokens');
  const res = await post(thread.id, { body: 'token maker', author: { name: 'T' } });
  return res.json.session.token;
}

describe('editing and deleting', () => {
  it('lets the author edit within 15 minutes, and nobody else', async () => {
    const thread = await openThread(app, 'edits');
    const mine = await post(thread.id, { body: 'first draft', author: { name: 'A' } });
    const token = mine.json.session.token;
    const id = mine.json.comment.id;
    const fifteenMinutesOn = new Date(Date.parse(mine.json.comment.createdAt) + 15 * 60_000).toISOString();
    assert.equal(mine.json.editableUntil, fifteenMinutesOn, 'the author is told until when');
    const asAuthor = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token });
    assert.deepEqual(asAuthor.json.mine, { [id]: fifteenMinutesOn });
    const asStranger = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token: await guestToken() });
    assert.deepEqual(asStranger.json.mine, {});
    const edited = await api(app, 'PATCH', `/api/v1/comments/${id}`, { body: { body: 'second _draft_' }, token });
    assert.equal(edited.status, 200);
    assert.equal(edited.json.comment.html, '<p>second <em>draft</em></p>');
    assert.ok(edited.json.comment.editedAt);

    const stranger = await guestToken();
    const refused = await api(app, 'PATCH', `/api/v1/comments/${id}`, { body: { body: 'hijacked' }, token: stranger });
    assert.equal(refused.status, 403);
    const anonymous = await api(app, 'PATCH', `/api/v1/comments/${id}`, { body: { body: 'hijacked' } });
    assert.equal(anonymous.status, 401);
    const deleteByStranger = await api(app, 'DELETE', `/api/v1/comments/${id}`, { token: stranger });
    assert.equal(deleteByStranger.status, 403);

    app.clock.advance(15 * 60_000 + 1000);
    try {
      const late = await api(app, 'PATCH', `/api/v1/comments/${id}`, { body: { body: 'too late' }, token });
      assert.equal(late.status, 403);
      assert.equal(late.json.error.code, 'edit_window_closed');
      const lateDelete = await api(app, 'DELETE', `/api/v1/comments/${id}`, { token });
      assert.equal(lateDelete.status, 403);
      const lateOverlay = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token });
      assert.deepEqual(lateOverlay.json.mine, { [id]: null }, 'still theirs, no longer editable once the window closed');
    } finally {
      app.clock.advance(-(15 * 60_000 + 1000));
    }
    const list = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
    assert.equal(list.json.comments[0].html, '<p>second <em>draft</em></p>');
  });

  it('removes a deleted comment, but keeps a placeholder where replies hang', async () => {
    const thread = await openThread(app, 'deletes');
    const lone = await post(thread.id, { body: 'lonely', author: { name: 'A' } });
    const parent = await post(thread.id, { body: 'parent', author: { name: 'B' } });
    await post(thread.id, { body: 'child', parentId: parent.json.comment.id, author: { name: 'C' } });

    const del1 = await api(app, 'DELETE', `/api/v1/comments/${lone.json.comment.id}`, { token: lone.json.session.token });
    assert.equal(del1.status, 200);
    assert.equal(del1.json.placeholder, null);
    const del2 = await api(app, 'DELETE', `/api/v1/comments/${parent.json.comment.id}`, { token: parent.json.session.token });
    assert.equal(del2.status, 200);
    assert.equal(del2.json.placeholder.status, 'deleted');

    const list = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=oldest`);
    assert.equal(list.json.comments.length, 1);
    const placeholder = list.json.comments[0];
    assert.equal(placeholder.status, 'deleted');
    assert.equal(placeholder.author, null);
    assert.equal(placeholder.html, '');
    assert.equal(placeholder.replies[0].html, '<p>child</p>');
    const { rows } = await app.database.pool.query('select body_source from comments where id = $1', [parent.json.comment.id]);
    assert.equal(rows[0].body_source, '', 'the deleted text is gone from the database');
    assert.equal((await openThread(app, 'deletes')).commentCount, 1);
    const again = await api(app, 'DELETE', `/api/v1/comments/${parent.json.comment.id}`, { token: parent.json.session.token });
    assert.equal(again.status, 404);
  });
});

describe('reading a thread', () => {
  it('pages top-level comments by cursor in each sort order', async () => {
    const thread = await openThread(app, 'paging');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await post(thread.id, { body: `c${i}`, author: { name: 'P' } });
      ids.push(res.json.comment.id);
    }
    const voter = await guestToken();
    await api(app, 'POST', `/api/v1/comments/${ids[3]}/vote`, { body: { value: 1 }, token: voter });
    const walk = async (sort: string) => {
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const res = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200);
        assert.ok(res.json.comments.length <= 3);
        seen.push(...res.json.comments.map((c: { html: string }) => c.html.replace(/<\/?p>/g, '')));
        cursor = res.json.nextCursor;
      }
      return seen;
    };
    assert.deepEqual(await walk('oldest'), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    assert.deepEqual(await walk('newest'), ['c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'c0']);
    assert.deepEqual(await walk('best'), ['c3', 'c6', 'c5', 'c4', 'c2', 'c1', 'c0']);
    const bad = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?cursor=garbage`);
    assert.equal(bad.status, 400);
  });

  it('costs the same number of queries for 3 comments as for 120', async () => {
    const small = await openThread(app, 'q-small');
    const large = await openThread(app, 'q-large');
    for (let i = 0; i < 3; i++) await post(small.id, { body: `s${i}`, author: { name: 'Q' } });
    await app.database.db.execute(sql`
      insert into comments (site_id, thread_id, root_id, author_name, body_source, body_html, status)
      select ${app.site.id}, ${large.id}, gen_random_uuid(), 'Q', 'x', '<p>x</p>', 'approved' from generate_series(1, 40)`);
    await app.database.db.execute(sql`update comments set root_id = id where thread_id = ${large.id}`);
    for (let level = 1; level <= 2; level++) {
      await app.database.db.execute(sql`
        insert into comments (site_id, thread_id, parent_id, root_id, depth, author_name, body_source, body_html, status)
        select site_id, thread_id, id, root_id, ${level}, 'R', 'y', '<p>y</p>', 'approved' from comments
        where thread_id = ${large.id} and depth = ${level - 1}`);
    }
    const count = async (threadId: string, token?: string) => {
      app.queries.length = 0;
      const res = await api(app, 'GET', `/api/v1/threads/${threadId}/comments?limit=50`, { token });
      assert.equal(res.status, 200);
      return { queries: app.queries.length, comments: JSON.stringify(res.json).split('"depth"').length - 1 };
    };
    const a = await count(small.id);
    const b = await count(large.id);
    assert.equal(a.comments, 3);
    assert.equal(b.comments, 120);
    assert.equal(a.queries, b.queries);
    // The live cursor, the pinned comments (first page only), the top-level page, all replies by root.
    assert.ok(b.queries <= 5, `reading sends ${b.queries} queries`);
    const token = await guestToken();
    assert.equal((await count(small.id, token)).queries, (await count(large.id, token)).queries);
  });
});
