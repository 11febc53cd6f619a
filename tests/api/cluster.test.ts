import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';
import { connectTestRedis } from '../helpers/redis.js';

let redis: Redis | null = null;
const sockets: Socket[] = [];
before(async () => { redis = await connectTestRedis(); });
after(() => {
  sockets.forEach((s) => s.disconnect());
  redis?.disconnect();
});

async function listen(app: TestApp, threadId: string): Promise<unknown[]> {
  const socket = io(app.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  const received: unknown[] = [];
  socket.on('comment:created', (e) => received.push(e));
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  const ack = await socket.timeout(2000).emitWithAck('thread:join', { threadId });
  assert.equal(ack.ok, true);
  return received;
}

/** Two Parley instances on one database: a reader on B sees what a writer posts through A. */
async function checkFanOut(options: { redis?: Redis }) {
  const a = await startTestApp({ crossProcess: true, ...options });
  const b = await startTestApp({ crossProcess: true, sameDatabaseAs: a, ...options });
  try {
    const thread = await openThread(a, 'cluster');
    const onB = await listen(b, thread.id);
    await new Promise((r) => setTimeout(r, 200)); // the adapters subscribe asynchronously
    const posted = await api(a, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'through A', author: { name: 'Ann' } } });
    assert.equal(posted.status, 201);
    const deadline = Date.now() + 2000;
    while (onB.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(onB.length, 1, 'the reader on the other process got the comment exactly once');
    assert.equal((onB[0] as { comment: { html: string } }).comment.html, '<p>through A</p>');
  } finally {
    await b.close();
    await a.close();
  }
}

describe('several Parley processes', () => {
  it('pass live events through PostgreSQL', async () => { await checkFanOut({}); });

  it('pass live events through Redis', async (t) => {
    if (!redis) return t.skip('no Redis');
    await checkFanOut({ redis });
  });
});
