import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { sites } from '../../src/server/db/schema.js';
import type { JoinAck } from '../../src/shared/api.js';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
const sockets: Socket[] = [];
before(async () => { app = await startTestApp(); });
after(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

interface Received { event: string; data: any }

/** A real socket.io client that records every event it receives. */
async function connect(token?: string): Promise<{ socket: Socket; received: Received[] }> {
  const socket = io(app.url, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
  sockets.push(socket);
  const received: Received[] = [];
  // Presence ("N reading now") is not a change of the thread: only changes are recorded.
  socket.onAny((event, data) => { if (event !== 'thread:presence') received.push({ event, data }); });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  return { socket, received };
}

const join = (socket: Socket, threadId: string, since?: string) =>
  socket.timeout(2000).emitWithAck('thread:join', since === undefined ? { threadId } : { threadId, since }) as Promise<JoinAck>;

async function waitFor(received: Received[], predicate: (r: Received) => boolean, ms = 1000): Promise<Received> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const hit = received.find(predicate);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not received within ${ms} ms; got ${JSON.stringify(received.map((r) => r.event))}`);
}

const post = (threadId: string, body: object, token?: string) =>
  api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body, token });

describe('live updates', () => {
  it('delivers a comment, an edit, a vote and a deletion to another reader within a second', async () => {
    const thread = await openThread(app, 'live');
    const reader = await connect();
    const ack = await join(reader.socket, thread.id);
    assert.equal(ack.ok, true);

    const posted = await post(thread.id, { body: 'live *news*', author: { name: 'Writer' } });
    const created = await waitFor(reader.received, (r) => r.event === 'comment:created');
    assert.equal(created.data.comment.id, posted.json.comment.id);
    assert.equal(created.data.comment.html, '<p>live <em>news</em></p>');
    assert.match(created.data.cursor, /^\d+$/);

    const token = posted.json.session.token;
    await api(app, 'PATCH', `/api/v1/comments/${posted.json.comment.id}`, { body: { body: 'edited' }, token });
    const updated = await waitFor(reader.received, (r) => r.event === 'comment:updated');
    assert.equal(updated.data.comment.html, '<p>edited</p>');

    await api(app, 'POST', `/api/v1/comments/${posted.json.comment.id}/vote`, { body: { value: 1, author: { name: 'Voter' } } });
    const voted = await waitFor(reader.received, (r) => r.event === 'vote:updated');
    assert.deepEqual([voted.data.commentId, voted.data.upvotes, voted.data.downvotes], [posted.json.comment.id, 1, 0]);

    await api(app, 'DELETE', `/api/v1/comments/${posted.json.comment.id}`, { token });
    const deleted = await waitFor(reader.received, (r) => r.event === 'comment:deleted');
    assert.equal(deleted.data.commentId, posted.json.comment.id);

    const cursors = reader.received.map((r) => BigInt(r.data.cursor));
    assert.deepEqual(cursors, [...cursors].sort((a, b) => (a < b ? -1 : 1)), 'cursors increase');
  });

  it('sends nothing from other threads', async () => {
    const mine = await openThread(app, 'quiet');
    const other = await openThread(app, 'noisy');
    const reader = await connect();
    await join(reader.socket, mine.id);
    await post(other.id, { body: 'elsewhere', author: { name: 'N' } });
    await post(mine.id, { body: 'here', author: { name: 'N' } });
    await waitFor(reader.received, (r) => r.event === 'comment:created');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(reader.received.map((r) => r.data.comment?.html), ['<p>here</p>']);
  });

  it('replays what a reader missed while disconnected, in order, before acknowledging', async () => {
    const thread = await openThread(app, 'resume');
    const first = await connect();
    await join(first.socket, thread.id);
    const before = await post(thread.id, { body: 'seen', author: { name: 'R' } });
    const seen = await waitFor(first.received, (r) => r.event === 'comment:created');
    first.socket.disconnect();

    const missedA = await post(thread.id, { body: 'missed one', author: { name: 'R' } });
    await post(thread.id, { body: 'missed two', parentId: missedA.json.comment.id, author: { name: 'R' } });
    await api(app, 'POST', `/api/v1/comments/${before.json.comment.id}/vote`, { body: { value: -1, author: { name: 'Voter' } } });

    const again = await connect();
    const ack = await join(again.socket, thread.id, seen.data.cursor);
    assert.equal(ack.ok, true);
    assert.equal(ack.ok && ack.missed, 3);
    assert.deepEqual(again.received.map((r) => r.event), ['comment:created', 'comment:created', 'vote:updated']);
    assert.deepEqual(again.received.slice(0, 2).map((r) => r.data.comment.html), ['<p>missed one</p>', '<p>missed two</p>']);
    assert.equal(ack.ok && ack.cursor, again.received[2].data.cursor);
  });

  it('shows a comment awaiting moderation to its author only', async () => {
    await app.database.db.update(sites).set({ premoderation: 'all' }).where(eq(sites.id, app.site.id));
    try {
      const thread = await openThread(app, 'held');
      const warmup = await post(thread.id, { body: 'my first', author: { name: 'Held' } });
      const token = warmup.json.session.token;
      const author = await connect(token);
      const stranger = await connect();
      await join(author.socket, thread.id);
      await join(stranger.socket, thread.id);
      const held = await post(thread.id, { body: 'waiting', author: { name: 'Held' } }, token);
      assert.equal(held.json.comment.status, 'pending');
      const own = await waitFor(author.received, (r) => r.event === 'comment:created');
      assert.equal(own.data.comment.status, 'pending');
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(stranger.received, []);
      const publicList = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
      assert.equal(publicList.json.comments.length, 0);
      const ownList = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`, { token });
      assert.equal(ownList.json.comments.length, 0, 'the page is the same for the author');
      const overlay = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token });
      assert.deepEqual(overlay.json.pending.map((c: { html: string }) => c.html).sort(), ['<p>my first</p>', '<p>waiting</p>']);
      const strangerOverlay = await api(app, 'GET', `/api/v1/threads/${thread.id}/me`, { token: (await post(thread.id, { body: 'x', author: { name: 'S' } })).json.session.token });
      assert.deepEqual(strangerOverlay.json.pending.map((c: { html: string }) => c.html), ['<p>x</p>']);
      const replay = await connect();
      const ack = await join(replay.socket, thread.id, '0');
      assert.equal(ack.ok && ack.missed, 0, 'a replay never carries someone else\'s pending comment');
    } finally {
      await app.database.db.update(sites).set({ premoderation: 'none' }).where(eq(sites.id, app.site.id));
    }
  });

  it('lets one connection follow a bounded number of threads', async () => {
    const reader = await connect();
    for (let i = 0; i < 20; i++) {
      const thread = await openThread(app, `many-${i}`);
      assert.equal((await join(reader.socket, thread.id)).ok, true);
    }
    const extra = await openThread(app, 'many-extra');
    const refused = await join(reader.socket, extra.id);
    assert.equal(refused.ok ? null : refused.error.code, 'rate_limited');
  });

  it('refuses to join an unknown or malformed thread', async () => {
    const reader = await connect();
    const unknown = await join(reader.socket, '00000000-0000-4000-8000-000000000000');
    assert.deepEqual(unknown.ok ? null : unknown.error.code, 'not_found');
    const bad = await join(reader.socket, 'room:admin');
    assert.deepEqual(bad.ok ? null : bad.error.code, 'validation_failed');
  });
});
