/** Public pages: the same bytes for every reader, from memory, revalidated by ETag; the reader's own state apart. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, startTestApp, type TestApp, withTwoProcesses } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

const post = (target: TestApp, threadId: string, body: object, token?: string) =>
  api(target, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token });

/** The raw bytes of a response, undecoded (fetch would decompress them). */
function raw(target: TestApp, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
    http.get(target.url + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('public thread pages', () => {
  it('are the same bytes for every reader, with or without a session', async () => {
    const thread = await openThread(app, 'same-bytes');
    const a = await post(app, thread.id, { body: 'from A', author: { name: 'A' } });
    const b = await post(app, thread.id, { body: 'from B', author: { name: 'B' } });
    await api(app, 'POST', `/api/v1/comments/${b.json.comment.id}/vote`, { body: { value: 1 }, token: a.json.session.token });
    const path = `/api/v1/threads/${thread.id}/comments`;
    const pages = await Promise.all([undefined, a.json.session.token, b.json.session.token].map((token) => api(app, 'GET', path, { token })));
    assert.ok(pages.every((p) => p.text === pages[0].text), 'identical bodies');
    for (const field of ['isMine', 'myVote', 'editableUntil', 'threadId', 'score']) assert.ok(!pages[0].text.includes(`"${field}"`), field);
  });

  it('come from memory: a second read sends no query, a change is in the next read', async () => {
    const thread = await openThread(app, 'memory');
    await post(app, thread.id, { body: 'one', author: { name: 'M' } });
    const path = `/api/v1/threads/${thread.id}/comments?sort=oldest`;
    await api(app, 'GET', path);
    app.queries.length = 0;
    const again = await api(app, 'GET', path);
    assert.equal(again.json.comments.length, 1);
    assert.deepEqual(app.queries, [], 'served from memory');
    await post(app, thread.id, { body: 'two', author: { name: 'M' } });
    const changed = await api(app, 'GET', path);
    assert.deepEqual(changed.json.comments.map((c: { html: string }) => c.html), ['<p>one</p>', '<p>two</p>']);
  });

  it('answer If-None-Match with 304 until the thread changes', async () => {
    const thread = await openThread(app, 'etag');
    await post(app, thread.id, { body: 'first', author: { name: 'E' } });
    const path = `/api/v1/threads/${thread.id}/comments`;
    const first = await api(app, 'GET', path);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"\d+"$/);
    assert.equal(etag, `"${first.json.eventCursor}"`, 'the ETag is the thread\'s change cursor');
    assert.match(first.headers.get('cache-control')!, /max-age=1.*stale-while-revalidate/);
    const same = await api(app, 'GET', path, { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal((await raw(app, path, { 'if-none-match': `W/${etag}` })).status, 304, 'as a browser revalidates');
    await post(app, thread.id, { body: 'second', author: { name: 'E' } });
    const changed = await api(app, 'GET', path, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });

  it('are sent compressed as the client asks, brotli or gzip, decoding to the same JSON', async () => {
    const thread = await openThread(app, 'encodings');
    for (let i = 0; i < 20; i++) await post(app, thread.id, { body: `comment number ${i} with some words to compress`, author: { name: 'Z' } });
    const path = `/api/v1/threads/${thread.id}/comments`;
    const plain = await raw(app, path, { 'accept-encoding': 'identity' });
    const br = await raw(app, path, { 'accept-encoding': 'br, gzip' });
    const gz = await raw(app, path, { 'accept-encoding': 'gzip' });
    assert.equal(br.encoding, 'br');
    assert.equal(gz.encoding, 'gzip');
    assert.equal(plain.encoding, undefined);
    assert.ok(br.bytes.length < plain.bytes.length / 3, `brotli ${br.bytes.length} of ${plain.bytes.length}`);
    assert.deepEqual(brotliDecompressSync(br.bytes), plain.bytes);
    assert.deepEqual(gunzipSync(gz.bytes), plain.bytes);
  });

  it('splice the first page into the thread answer (include=comments) unchanged', async () => {
    const thread = await openThread(app, 'spliced');
    await post(app, thread.id, { body: 'in the first page', author: { name: 'S' } });
    const both = await api(app, 'GET', `/api/v1/threads?site=news&key=spliced&include=comments`);
    const page = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
    assert.equal(both.json.thread.id, thread.id);
    assert.deepEqual({ comments: both.json.comments, nextCursor: both.json.nextCursor, eventCursor: both.json.eventCursor }, page.json);
  });

  it('rebuild a hot thread\'s page at most every PAGE_REBUILD_MIN_MS, each page saying up to where it is current', async () => {
    const hot = await startTestApp({ pageRebuildMinMs: 400 });
    try {
      const thread = await openThread(hot, 'hot');
      await post(hot, thread.id, { body: 'before', author: { name: 'H' } });
      const path = `/api/v1/threads/${thread.id}/comments`;
      const first = await api(hot, 'GET', path);
      await post(hot, thread.id, { body: 'during the burst', author: { name: 'H' } });
      const soon = await api(hot, 'GET', path);
      assert.equal(soon.json.eventCursor, first.json.eventCursor, 'the same page within the interval');
      assert.equal(soon.json.comments.length, 1);
      await new Promise((r) => setTimeout(r, 450));
      const later = await api(hot, 'GET', path);
      assert.equal(later.json.comments.length, 2);
    } finally {
      await hot.close();
    }
  });
});

describe('comment counts (count.js)', () => {
  it('come from memory until a thread of the site changes, and revalidate by ETag', async () => {
    const thread = await openThread(app, 'counted');
    const path = '/api/v1/counts?site=news&keys=counted,other';
    assert.deepEqual((await api(app, 'GET', path)).json.counts, { counted: 0, other: 0 });
    app.queries.length = 0;
    const again = await api(app, 'GET', path);
    assert.deepEqual(app.queries, [], 'served from memory');
    assert.equal((await api(app, 'GET', path, { headers: { 'if-none-match': again.headers.get('etag')! } })).status, 304);
    await post(app, thread.id, { body: 'count me', author: { name: 'C' } });
    const after = await api(app, 'GET', path, { headers: { 'if-none-match': again.headers.get('etag')! } });
    assert.equal(after.status, 200);
    assert.deepEqual(after.json.counts, { counted: 1, other: 0 });
  });
});

describe('the reader overlay, GET /threads/:id/me', () => {
  it('needs a session, and holds only the reader\'s own votes, comments and comments awaiting moderation', async () => {
    const thread = await openThread(app, 'overlay');
    const none = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`);
    assert.deepEqual([none.status, none.json.error.code], [401, 'auth_required']);
    const a = await post(app, thread.id, { body: 'by A', author: { name: 'A' } });
    const b = await post(app, thread.id, { body: 'by B', author: { name: 'B' } });
    await api(app, 'POST', `/api/v1/comments/${b.json.comment.id}/vote`, { body: { value: -1 }, token: a.json.session.token });
    const mine = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token: a.json.session.token });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(mine.json, { votes: { [b.json.comment.id]: -1 }, mine: { [a.json.comment.id]: a.json.editableUntil }, pending: [], flagged: [] });
  });
});

describe('the reader overlay, tried from outside', () => {
  it('answers a foreign page, another site\'s session and a tampered token with nothing of the reader\'s', async () => {
    await createSite(app.deps, { slug: 'elsewhere', name: 'Elsewhere', origins: ['https://elsewhere.example'] });
    const thread = await openThread(app, 'overlay-attacks');
    const mine = await post(app, thread.id, { body: 'mine', author: { name: 'Owner' } });
    const token = mine.json.session.token;
    const path = `/api/v1/threads/${thread.id}/me`;
    const foreign = await api(app, 'GET', path, { token, headers: { origin: 'https://elsewhere.example' } });
    assert.deepEqual([foreign.status, foreign.json.error.code], [403, 'forbidden']);
    const otherThread = (await api(app, 'GET', `/api/v1/threads?site=elsewhere&key=x&url=${encodeURIComponent('https://elsewhere.example/x')}`, {
      headers: { origin: 'https://elsewhere.example' },
    })).json.thread;
    const otherGuest = await post(app, otherThread.id, { body: 'theirs', author: { name: 'Other' } });
    const crossSite = await api(app, 'GET', path, { token: otherGuest.json.session.token });
    assert.deepEqual([crossSite.status, crossSite.json.error.code], [403, 'forbidden']);
    const tampered = await api(app, 'GET', path, { token: `${token.slice(0, -2)}AA` });
    assert.deepEqual([tampered.status, tampered.json.error.code], [401, 'unauthorized']);
    for (const res of [foreign, crossSite, tampered]) assert.ok(!res.text.includes(mine.json.comment.id), 'no comment of the reader named');
    const together = await Promise.all(Array.from({ length: 20 }, () => api(app, 'GET', path, { token })));
    assert.ok(together.every((r) => r.status === 200 && r.text === together[0].text), 'twenty at once: the same answer, nothing written');
  });
});

describe('pages across processes', () => {
  it('a change written by one process is in the next page another process serves', async () => {
    await withTwoProcesses(async (first, second) => {
      const thread = await openThread(first, 'two-processes');
      const path = `/api/v1/threads/${thread.id}/comments`;
      assert.equal((await api(second, 'GET', path)).json.comments.length, 0);
      await post(first, thread.id, { body: 'written by the first', author: { name: 'P' } });
      const deadline = Date.now() + 3000;
      let seen = 0;
      while (Date.now() < deadline && seen === 0) {
        seen = (await api(second, 'GET', path)).json.comments.length;
        if (seen === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(seen, 1);
    });
  });
});
