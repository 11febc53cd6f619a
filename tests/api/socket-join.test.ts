/**
 * What a socket join costs: none of the thousands of readers joining a busy thread should read
 * the database when there is nothing to replay, yet the origin check and the replay stay right,
 * in one process and across several.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { createSite, setSiteEnabled } from '../../src/server/sites/service.js';
import type { JoinAck } from '../../src/shared/api.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp, withTwoProcesses } from '../helpers/app.js';

const OTHER_ORIGIN = 'https://other.example.org';

let app: TestApp;
const sockets: Socket[] = [];
before(async () => {
  app = await startTestApp();
  await createSite(app.deps, { slug: 'other', name: 'Other', origins: [OTHER_ORIGIN] });
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

interface Client { socket: Socket; cursors: string[] }

async function connect(target: TestApp, origin = SITE_ORIGIN): Promise<Client> {
  const socket = io(target.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
  sockets.push(socket);
  const cursors: string[] = [];
  socket.onAny((event, data: { cursor: string }) => { if (event !== 'thread:presence') cursors.push(data.cursor); });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  return { socket, cursors };
}

const join = (socket: Socket, threadId: string, since?: string) =>
  socket.timeout(2000).emitWithAck('thread:join', since === undefined ? { threadId } : { threadId, since }) as Promise<JoinAck>;

async function post(target: TestApp, threadId: string, body: string): Promise<void> {
  const res = await api(target, 'POST', `/api/v1/threads/${threadId}/comments`, { body: { body, author: { name: 'Poster' } }, headers: { origin: SITE_ORIGIN } });
  assert.equal(res.status, 201, res.text);
}

/** The queries `work` sends, once the sockets it uses are connected. */
async function queriesOf(work: () => Promise<unknown>): Promise<string[]> {
  app.queries.length = 0;
  await work();
  return app.queries.splice(0);
}

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('joining a thread', () => {
  it('reads the database once per thread: later joins without a cursor send no query', async () => {
    const thread = await openThread(app, 'cached');
    const [first, second, third] = [await connect(app), await connect(app), await connect(app)];
    assert.ok((await queriesOf(() => join(first.socket, thread.id))).length > 0, 'the first join reads the thread');
    assert.deepEqual(await queriesOf(() => join(second.socket, thread.id)), []);
    assert.deepEqual(await queriesOf(() => join(third.socket, thread.id)), []);
  });

  it('answers a join whose cursor is current without a query, and still replays an older one', async () => {
    const thread = await openThread(app, 'current');
    const watcher = await connect(app);
    await join(watcher.socket, thread.id);
    await post(app, thread.id, 'one');
    await post(app, thread.id, 'two');
    await waitFor(() => watcher.cursors.length === 2);
    const [older, current] = watcher.cursors;

    const reader = await connect(app);
    let ack: JoinAck | undefined;
    assert.deepEqual(await queriesOf(async () => { ack = await join(reader.socket, thread.id, current); }), []);
    assert.deepEqual(ack, { ok: true, cursor: current, missed: 0, truncated: false });

    const behind = await connect(app);
    assert.deepEqual(await join(behind.socket, thread.id, older), { ok: true, cursor: current, missed: 1, truncated: false });
    assert.deepEqual(behind.cursors, [current]);
  });

  it('takes the newest cursor from the database first, then from the changes it announces', async () => {
    const thread = await openThread(app, 'moving');
    const watcher = await connect(app);
    await join(watcher.socket, thread.id);
    await post(app, thread.id, 'before the thread is known');
    await waitFor(() => watcher.cursors.length === 1);
    // A fresh process: what it knows of the thread comes from the database.
    const fresh = await startTestApp({ sameDatabaseAs: app });
    try {
      const first = await connect(fresh);
      assert.deepEqual(await join(first.socket, thread.id, watcher.cursors[0]), { ok: true, cursor: watcher.cursors[0], missed: 0, truncated: false });
      await post(fresh, thread.id, 'after the first join');
      await waitFor(() => first.cursors.length === 1);
      const late = await connect(fresh);
      app.queries.length = 0;
      const ack = await join(late.socket, thread.id, first.cursors[0]);
      assert.deepEqual(ack, { ok: true, cursor: first.cursors[0], missed: 0, truncated: false });
      assert.deepEqual(app.queries, [], 'the cursor learned from the change is current');
    } finally {
      await fresh.close();
    }
  });

  it('refuses a page of another site from the cache, and a disabled site at once', async () => {
    const thread = await openThread(app, 'guarded');
    await join((await connect(app)).socket, thread.id);
    const stranger = await connect(app, OTHER_ORIGIN);
    let refused: JoinAck | undefined;
    assert.deepEqual(await queriesOf(async () => { refused = await join(stranger.socket, thread.id); }), []);
    assert.equal(refused?.ok ? null : refused?.error.code, 'forbidden');

    const slug = 'switched';
    const origin = 'https://switched.example.org';
    await createSite(app.deps, { slug, name: 'Switched', origins: [origin] });
    const theirs = await openSiteThread(slug, origin, 'switched-1');
    const page = await connect(app, origin);
    assert.equal((await join(page.socket, theirs.id)).ok, true);
    await setSiteEnabled(app.deps, slug, false);
    const again = await join(page.socket, theirs.id);
    assert.equal(again.ok ? null : again.error.code, 'forbidden', 'site.changed drops the cached site');
  });

  it('serves a long-polling client as a WebSocket one, once its handshake request is let go', async () => {
    const thread = await openThread(app, 'polling');
    const socket = io(app.url, { transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { origin: SITE_ORIGIN } });
    sockets.push(socket);
    const cursors: string[] = [];
    socket.on('comment:created', (e) => cursors.push(e.cursor));
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    assert.equal((await join(socket, thread.id)).ok, true);
    await post(app, thread.id, 'to a poller');
    await waitFor(() => cursors.length === 1);
    const stranger = io(app.url, { transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { origin: OTHER_ORIGIN } });
    sockets.push(stranger);
    await new Promise<void>((resolve, reject) => { stranger.once('connect', resolve); stranger.once('connect_error', reject); });
    const refused = await join(stranger, thread.id);
    assert.equal(refused.ok ? null : refused.error.code, 'forbidden', 'the Origin kept from the handshake still counts');
  });

  it('shares one read among concurrent first joins of a thread', async () => {
    const thread = await openThread(app, 'stampede');
    const readers = await Promise.all(Array.from({ length: 20 }, () => connect(app)));
    const sent = await queriesOf(() => Promise.all(readers.map((r) => join(r.socket, thread.id))));
    assert.equal(sent.length, 1, sent.join('\n'));
  });
});

describe('joining a thread with several processes', () => {
  it('does not take a cursor learned from its own changes as current: another process may have written', async () => {
    await withTwoProcesses(async (a, b) => {
      const thread = await openThread(a, 'two-processes');
      const onA = await connect(a);
      await join(onA.socket, thread.id);
      await post(a, thread.id, 'through A');
      await waitFor(() => onA.cursors.length === 1);
      await post(b, thread.id, 'through B');
      const reader = await connect(a);
      const ack = await join(reader.socket, thread.id, onA.cursors[0]);
      assert.equal(ack.ok && ack.missed, 1, 'the change made through B is replayed');
    });
  });
});

async function openSiteThread(slug: string, origin: string, key: string): Promise<{ id: string }> {
  const res = await api(app, 'GET', `/api/v1/threads?site=${slug}&key=${key}&url=${encodeURIComponent(`${origin}/${key}`)}`, { headers: { origin } });
  assert.equal(res.status, 200, res.text);
  return res.json.thread;
}
