/**
 * Socket hardening: origins, per-socket and per-address caps, replay limits, cursors, and the
 * bounded live log. Real socket.io clients against the real app, as realtime.test.ts does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq, inArray, sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { commentRankings, sites, threadEvents, threads } from '../../src/server/db/schema.js';
import { pruneLiveLog, pruneRankingSnapshots } from '../../src/server/realtime/prune.js';
import { MAX_THREADS_PER_SOCKET } from '../../src/server/realtime/sockets.js';
import { createSite } from '../../src/server/sites/service.js';
import type { JoinAck } from '../../src/shared/api.js';
import { api, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

const OTHER_ORIGIN = 'https://other.example.org';
const EVIL_ORIGIN = 'https://evil.example';

let app: TestApp;
/** At most 3 sockets per address. */
let capped: TestApp;
/** At most 3 replays per minute. */
let replayLimited: TestApp;
const sockets: Socket[] = [];

before(async () => {
  [app, capped, replayLimited] = await Promise.all([
    startTestApp(), startTestApp({ socketsPerIp: 3 }), startTestApp({ replaysPerMinute: 3 }),
  ]);
  await createSite(app.deps, { slug: 'other', name: 'Other', origins: [OTHER_ORIGIN] });
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all([app, capped, replayLimited].map((a) => a?.close()));
});

interface Received { event: string; data: any }
interface Client { socket: Socket; received: Received[] }

/** Resolves with the connected client, or rejects with the connect_error. */
async function connect(target: TestApp, origin?: string): Promise<Client> {
  const socket = io(target.url, {
    transports: ['websocket'], reconnection: false, forceNew: true, ...(origin ? { extraHeaders: { origin } } : {}),
  });
  sockets.push(socket);
  const received: Received[] = [];
  // Presence ("N reading now") is not a change of the thread: only changes are recorded.
  socket.onAny((event, data) => { if (event !== 'thread:presence') received.push({ event, data }); });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  return { socket, received };
}

const refusal = (target: TestApp, origin?: string) =>
  connect(target, origin).then(() => assert.fail('connected'), (err: Error & { data?: any }) => err);

const join = (socket: Socket, threadId: string, since?: string) =>
  socket.timeout(2000).emitWithAck('thread:join', since === undefined ? { threadId } : { threadId, since }) as Promise<JoinAck>;

const errorCode = (ack: JoinAck) => (ack.ok ? null : ack.error.code);

/** A page view from the site's own origin creates its thread, as the widget does. */
async function openThread(target: TestApp, key: string, site = { slug: 'news', origin: SITE_ORIGIN }) {
  const url = `${site.origin}/${key}`;
  const res = await api(target, 'GET', `/api/v1/threads?site=${site.slug}&key=${encodeURIComponent(key)}&url=${encodeURIComponent(url)}`, {
    headers: { origin: site.origin },
  });
  if (res.status !== 200) throw new Error(`openThread: ${res.status} ${res.text}`);
  return res.json.thread as { id: string };
}

async function post(target: TestApp, threadId: string, body: string, origin = SITE_ORIGIN) {
  const res = await api(target, 'POST', `/api/v1/threads/${threadId}/comments`, {
    body: { body, author: { name: 'Poster' } }, headers: { origin },
  });
  if (res.status !== 201) throw new Error(`post: ${res.status} ${res.text}`);
  return res.json.comment as { id: string };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 2000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventIds(target: TestApp, threadId: string): Promise<string[]> {
  const rows = await target.database.db.select({ id: threadEvents.id }).from(threadEvents)
    .where(eq(threadEvents.threadId, threadId)).orderBy(threadEvents.id);
  return rows.map((r) => String(r.id));
}

describe('socket origins', () => {
  it('refuses a connection from an origin no site allows; allows none, and a site\'s', async () => {
    const err = await refusal(app, EVIL_ORIGIN);
    assert.ok(err instanceof Error);
    await connect(app);
    await connect(app, SITE_ORIGIN);
  });

  it('keeps a page of one site out of another site\'s threads', async () => {
    const thread = await openThread(app, 'origin-a');
    const own = await connect(app, SITE_ORIGIN);
    const stranger = await connect(app, OTHER_ORIGIN);
    assert.equal((await join(own.socket, thread.id)).ok, true);
    assert.equal(errorCode(await join(stranger.socket, thread.id)), 'forbidden');

    await post(app, thread.id, 'for site A only');
    await waitFor(() => own.received.find((r) => r.event === 'comment:created'));
    await pause(150);
    assert.deepEqual(stranger.received, [], 'the refused socket is in no room of the thread');

    const theirs = await openThread(app, 'origin-b', { slug: 'other', origin: OTHER_ORIGIN });
    assert.equal((await join(stranger.socket, theirs.id)).ok, true);
  });

  it('keeps a disabled site\'s pages out of its threads', async () => {
    const slug = 'paused';
    const origin = 'https://paused.example.org';
    const site = await createSite(app.deps, { slug, name: 'Paused', origins: [origin] });
    const thread = await openThread(app, 'paused-1', { slug, origin });
    const page = await connect(app, origin);
    // Disabled behind the allowlist's back: the join must read the site as it is now.
    await app.database.db.update(sites).set({ enabled: false }).where(eq(sites.id, site.id));
    assert.equal(errorCode(await join(page.socket, thread.id)), 'forbidden');
  });
});

describe('socket caps', () => {
  it('counts joins under way against the per-socket thread cap', async () => {
    const threadIds = await Promise.all(Array.from({ length: 25 }, (_, i) => openThread(app, `race-${i}`).then((t) => t.id)));
    const reader = await connect(app);
    const acks = await Promise.all(threadIds.map((id) => join(reader.socket, id)));
    assert.equal(acks.filter((a) => a.ok).length, MAX_THREADS_PER_SOCKET);
    assert.deepEqual(new Set(acks.filter((a) => !a.ok).map(errorCode)), new Set(['rate_limited']));
    const again = acks.findIndex((a) => a.ok);
    assert.equal((await join(reader.socket, threadIds[again])).ok, true, 'rejoining a followed thread takes no new slot');
  });

  it('caps the connections of one address, and frees a slot on disconnect', async () => {
    const held = [await connect(capped), await connect(capped), await connect(capped)];
    const err = await refusal(capped);
    assert.equal(err.data?.code, 'rate_limited');
    assert.match(err.message, /At most 3 connections/);

    held[0].socket.disconnect();
    const fourth = await waitFor(() => connect(capped).catch(() => undefined));
    assert.equal(fourth.socket.connected, true);
    assert.equal((await refusal(capped)).data?.code, 'rate_limited', 'still three at most');
  });
});

describe('socket replays', () => {
  it('limits replays per address: a leave/join loop stops replaying', async () => {
    const thread = await openThread(replayLimited, 'loop');
    await post(replayLimited, thread.id, 'one');
    const reader = await connect(replayLimited);
    for (let i = 0; i < 3; i++) {
      const ack = await join(reader.socket, thread.id, '0');
      assert.equal(ack.ok && ack.missed, 1);
      reader.socket.emit('thread:leave', { threadId: thread.id });
    }
    const refused = await join(reader.socket, thread.id, '0');
    assert.equal(errorCode(refused), 'rate_limited');
    await pause(100);
    assert.equal(reader.received.length, 3, 'the refused join replays nothing');

    await post(replayLimited, thread.id, 'two');
    await pause(200);
    assert.equal(reader.received.length, 3, 'and does not join the room');
    assert.equal((await join(reader.socket, thread.id)).ok, true, 'a join without a cursor replays nothing and is not counted');
  });

  it('answers a cursor that is no cursor with invalid_cursor', async () => {
    const thread = await openThread(app, 'cursors');
    const reader = await connect(app);
    for (const since of ['9999999999999999999', '99999999999999999999', '-1', 'abc', '1.5', '']) {
      assert.equal(errorCode(await join(reader.socket, thread.id, since)), 'invalid_cursor', `since ${JSON.stringify(since)}`);
    }
    const largest = await join(reader.socket, thread.id, '9223372036854775807');
    assert.deepEqual(largest, { ok: true, cursor: '9223372036854775807', missed: 0, truncated: false });
  });
});

describe('bounded live log', () => {
  const prunedThrough = async (threadId: string) => {
    const [row] = await app.database.db.select({ through: threads.eventsPrunedThrough }).from(threads).where(eq(threads.id, threadId));
    return String(row.through);
  };

  it('drops events older than the window; a client from before them re-reads, one after them replays', async () => {
    const thread = await openThread(app, 'prune-age');
    for (const body of ['old one', 'old two', 'recent']) await post(app, thread.id, body);
    const [e1, e2, e3] = await eventIds(app, thread.id);
    await app.database.db.update(threadEvents).set({ createdAt: sql`now() - interval '25 hours'` })
      .where(inArray(threadEvents.id, [Number(e1), Number(e2)]));

    const result = await pruneLiveLog(app.database.db, { now: new Date(), windowHours: 24, keepPerThread: 1000 });
    assert.ok(result.events >= 2);
    assert.deepEqual(await eventIds(app, thread.id), [e3]);
    assert.equal(await prunedThrough(thread.id), e2);

    const behind = await connect(app);
    assert.deepEqual(await join(behind.socket, thread.id, e1), { ok: true, truncated: true, missed: 0, cursor: e3 });
    assert.deepEqual(await join(behind.socket, thread.id, '0'), { ok: true, truncated: true, missed: 0, cursor: e3 });
    await pause(100);
    assert.deepEqual(behind.received, [], 'nothing is replayed to a client told to re-read');

    const current = await connect(app);
    const ack = await join(current.socket, thread.id, e2);
    assert.deepEqual(ack, { ok: true, truncated: false, missed: 1, cursor: e3 });
    assert.deepEqual(current.received.map((r) => r.data.cursor), [e3]);
  });

  it('keeps the last N events of a thread', async () => {
    const thread = await openThread(app, 'prune-count');
    for (const body of ['a', 'b', 'c', 'd']) await post(app, thread.id, body);
    const [e1, e2, e3, e4] = await eventIds(app, thread.id);

    await pruneLiveLog(app.database.db, { now: new Date(), windowHours: 24, keepPerThread: 2 });
    assert.deepEqual(await eventIds(app, thread.id), [e3, e4]);
    assert.equal(await prunedThrough(thread.id), e2);

    const reader = await connect(app);
    assert.deepEqual(await join(reader.socket, thread.id, e1), { ok: true, truncated: true, missed: 0, cursor: e4 });
    const ack = await join(reader.socket, thread.id, e2);
    assert.deepEqual(ack, { ok: true, truncated: false, missed: 2, cursor: e4 });
    assert.deepEqual(reader.received.map((r) => r.data.cursor), [e3, e4]);

    const again = await pruneLiveLog(app.database.db, { now: new Date(), windowHours: 24, keepPerThread: 2 });
    assert.equal(again.events, 0, 'a second run finds nothing more');
    assert.equal(await prunedThrough(thread.id), e2);
  });

  it('drops ranking snapshots older than the window', async () => {
    const thread = await openThread(app, 'rankings');
    const db = app.database.db;
    const [old] = await db.insert(commentRankings).values({ threadId: thread.id, eventCursor: 0, ids: [], createdAt: new Date(Date.now() - 25 * 3_600_000) }).returning();
    const [fresh] = await db.insert(commentRankings).values({ threadId: thread.id, eventCursor: 1, ids: [] }).returning();
    assert.equal(await pruneRankingSnapshots(db, { now: new Date(), windowHours: 24 }), 1);
    const left = await db.select({ id: commentRankings.id }).from(commentRankings).where(inArray(commentRankings.id, [old.id, fresh.id]));
    assert.deepEqual(left.map((r) => r.id), [fresh.id]);
  });
});

describe('socket limits behind a trusted proxy', () => {
  it('count each reader by the address the proxy forwards, not the proxy\'s own', async () => {
    const proxied = await startTestApp({ socketsPerIp: 1, trustProxy: 'loopback' });
    const opened: Socket[] = [];
    const open = (forwardedFor: string) => new Promise<Socket>((resolve, reject) => {
      const socket = io(proxied.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': forwardedFor } });
      opened.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
    try {
      await open('203.0.113.7');
      await open('198.51.100.9');
      await assert.rejects(open('203.0.113.7'), (err: Error & { data?: { code?: string } }) => err.data?.code === 'rate_limited');
    } finally {
      for (const s of opened) s.disconnect();
      await proxied.close();
    }
  });
});
