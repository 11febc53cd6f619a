/**
 * Live fan-out benchmark: N sockets on one thread, 50 comments posted over HTTP; for each
 * socket and comment, the delay from the POST's response to the event's arrival, and the
 * server's memory idle and with all N connected. `npm run bench:fanout`.
 *
 * Three processes: this one runs the embedded PostgreSQL, coordinates and posts; the server is a
 * child of its own (a fresh one per N, so one size's garbage does not flatter the next); the
 * sockets live in a third, so the server keeps its own event loop and the poster's clock is not
 * held up by the sockets' work. Times are compared on the machine's clock. All share the
 * machine's cores, as a real server and its readers would not: the figures are an upper bound.
 * BENCH_SOCKETS=500,2000,10000 and BENCH_COMMENTS=50 set the sizes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { createDeps } from '../src/server/deps.js';
import { createRateLimits } from '../src/server/limits/service.js';
import { createSite } from '../src/server/sites/service.js';
import { resolveThread } from '../src/server/threads/service.js';
import type { JoinAck } from '../src/shared/api.js';

const ORIGIN = 'https://fanout.example';
const SECRET = 'bench-secret-bench-secret';
const SIZES = (process.env.BENCH_SOCKETS ?? '500,2000,10000').split(',').map(Number);
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 50);
/** Handshakes under way at once: enough to open 10,000 in seconds, few enough not to time out. */
const CONNECT_BATCH = 200;

interface Memory { rss: number; heapUsed: number; external: number; arrayBuffers: number }
interface Delivery { p50: number; p99: number; max: number; lost: number; allDeliveredP50: number; postP50?: number; emitP50?: number }
type Message =
  | { type: 'ready'; url: string }
  | { type: 'memory'; memory: Memory }
  | { type: 'connected'; sockets: number; failed: number; ms: number }
  | { type: 'delivered' }
  | { type: 'emits'; p50: number }
  | { type: 'result'; delivery: Delivery };

/* ---- coordinator ---- */

async function main(): Promise<void> {
  const files = openFileLimit();
  const largest = Math.max(...SIZES);
  // Each process holds one descriptor per socket, plus its own few hundred.
  if (files !== null && files < largest + 500) {
    throw new Error(`ulimit -n is ${files}: ${largest} sockets need about ${largest + 500}. Raise it (ulimit -n ${largest + 1000}) or lower BENCH_SOCKETS.`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-fanout-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, database: 'fanout' });
  const database = openDatabase(pg.url);
  const rows: string[] = [];
  try {
    await applyMigrations(database.db);
    const deps = createDeps({ db: database.db, secret: SECRET });
    await createSite(deps, { slug: 'fanout', name: 'Fanout', origins: [ORIGIN] });
    for (const n of SIZES) {
      const { thread } = await resolveThread(deps, { actor: null, origin: ORIGIN }, { site: 'fanout', key: `n-${n}`, url: `${ORIGIN}/n-${n}` });
      rows.push(await measure(pg.url, dataDir, n, thread.id));
      console.log(rows.at(-1));
    }
  } finally {
    await database.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nParley live fan-out: ${COMMENTS} comments posted one after another to one thread; delay from each POST's response to its arrival on each socket`);
  console.log('p50/p99/max: that delay over every socket and comment (an event handled before the response counts 0);');
  console.log('POST p50: the POST itself; emit p50: the server\'s synchronous work to write one event to all N sockets;');
  console.log('all p50: from sending the POST to the last socket\'s receipt; lost: receipts missing after 30 s.');
  console.log('Server, sockets and poster share the machine\'s cores. Memory: the server\'s, after a full GC, idle and with N connected.');
  console.log(HEADER);
  for (const row of rows) console.log(row);
}

const HEADER = `${'sockets'.padStart(7)} ${'connect s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'POST p50'.padStart(8)} ${'emit p50'.padStart(8)} ${'all p50'.padStart(7)} ${'lost'.padStart(5)}`
  + ` ${'RSS idle'.padStart(9)} ${'RSS N'.padStart(8)} ${'heap idle'.padStart(9)} ${'heap N'.padStart(8)} ${'ext N'.padStart(7)} ${'KB/sock RSS'.padStart(11)} ${'KB/sock heap'.padStart(12)}`;

async function measure(dbUrl: string, dataDir: string, n: number, threadId: string): Promise<string> {
  const server = spawnRole('server', { BENCH_DB_URL: dbUrl, BENCH_DATA_DIR: dataDir, BENCH_SOCKETS_PER_IP: String(n + 100) });
  const clients = { child: undefined as ChildProcess | undefined };
  try {
    const { url } = await next(server, 'ready');
    const idle = await askMemory(server);
    clients.child = spawnRole('clients', { BENCH_URL: url, BENCH_THREAD: threadId, BENCH_N: String(n) });
    const connected = await next(clients.child, 'connected');
    const full = await askMemory(server);
    const postP50 = await postComments(url, threadId, clients.child);
    clients.child.send({ type: 'report' });
    const { delivery } = await next(clients.child, 'result');
    server.send({ type: 'emits' });
    const { p50: emitP50 } = await next(server, 'emits');
    return formatRow(n, connected, { ...delivery, postP50, emitP50 }, idle, full);
  } finally {
    clients.child?.kill();
    server.send({ type: 'stop' });
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

function formatRow(n: number, connected: { ms: number; failed: number }, d: Delivery, idle: Memory, full: Memory): string {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const perSocket = (a: number, b: number) => ((b - a) / 1024 / n).toFixed(2);
  const ms = (x: number) => x.toFixed(1).padStart(7);
  return `${String(n).padStart(7)} ${(connected.ms / 1000).toFixed(1).padStart(9)} ${ms(d.p50)} ${ms(d.p99)} ${ms(d.max)} ${(d.postP50 ?? NaN).toFixed(1).padStart(8)} ${(d.emitP50 ?? NaN).toFixed(1).padStart(8)} ${ms(d.allDeliveredP50)} ${String(d.lost + connected.failed * COMMENTS).padStart(5)}`
    + ` ${mb(idle.rss).padStart(9)} ${mb(full.rss).padStart(8)} ${mb(idle.heapUsed).padStart(9)} ${mb(full.heapUsed).padStart(8)} ${mb(full.external).padStart(7)}`
    + ` ${perSocket(idle.rss, full.rss).padStart(11)} ${perSocket(idle.heapUsed, full.heapUsed).padStart(12)}`;
}

/** The soft limit on open files (what `ulimit -n` shows), where Linux says it. */
function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

/** The same file in another role; --expose-gc so memory is read after a full collection. */
function spawnRole(name: string, env: Record<string, string>): ChildProcess {
  return fork(import.meta.filename, [name], {
    execArgv: [...process.execArgv, '--expose-gc'],
    env: { ...process.env, ...env },
  });
}

function next<T extends Message['type']>(child: ChildProcess, type: T): Promise<Extract<Message, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<Message, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before sending ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function askMemory(server: ChildProcess): Promise<Memory> {
  server.send({ type: 'memory' });
  return (await next(server, 'memory')).memory;
}

/* ---- server: Parley as main.ts composes it, minus the embedded database it does not own ---- */

async function runServer(): Promise<void> {
  const env = process.env;
  const config = parseConfig({
    PORT: '0', HOST: '127.0.0.1', DEMO: 'false', SESSION_SECRET: SECRET, DATA_DIR: env.BENCH_DATA_DIR, LOG_LEVEL: 'silent',
    SOCKETS_PER_IP: env.BENCH_SOCKETS_PER_IP, RATE_LIMIT_POSTS_PER_MINUTE: '1000000', RATE_LIMIT_NEW_GUESTS_PER_HOUR: '1000000',
  });
  const log = pino({ level: 'silent' });
  const database = openDatabase(env.BENCH_DB_URL!);
  const limits = createRateLimits({ db: database.db, keyPrefix: 'bench', perPeriod: config.limits });
  const deps = createDeps({ db: database.db, secret: SECRET, limits, log });
  // Listeners run in order: these two bracket the relay's, so the gap is one broadcast's cost.
  let relayStart = 0;
  const emitMs: number[] = [];
  deps.events.on('comment.created', () => { relayStart = performance.now(); });
  const parts = createApp(deps, config, log);
  deps.events.on('comment.created', () => { emitMs.push(performance.now() - relayStart); });
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  const { port } = parts.server.address() as AddressInfo;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'memory') process.send!({ type: 'memory', memory: settledMemory() });
    if (m.type === 'emits') process.send!({ type: 'emits', p50: percentiles(emitMs).p50 });
    // BENCH_HEAP_SNAPSHOTS=dir: a snapshot beside each reading, to see which objects a socket costs
    // (it blocks the server for seconds: the delivery figures of such a run mean nothing).
    if (m.type === 'memory' && env.BENCH_HEAP_SNAPSHOTS) v8.writeHeapSnapshot(path.join(env.BENCH_HEAP_SNAPSHOTS, `fanout-${env.BENCH_SOCKETS_PER_IP}-${Date.now()}.heapsnapshot`));
    if (m.type === 'stop') {
      void parts.close().then(() => database.close()).finally(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` });
}

function settledMemory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/* ---- clients: N sockets in one process of their own ---- */

/** Milliseconds on the machine's clock, comparable across processes (unlike performance.now()). */
const wallClock = () => performance.timeOrigin + performance.now();

async function runClients(): Promise<void> {
  const env = process.env;
  const n = Number(env.BENCH_N);
  const arrivals = new Map<string, number[]>();
  const started = performance.now();
  const { sockets, failed } = await openSockets(env.BENCH_URL!, env.BENCH_THREAD!, n, (commentId) => {
    let list = arrivals.get(commentId);
    if (!list) arrivals.set(commentId, (list = []));
    list.push(wallClock());
  });
  process.send!({ type: 'connected', sockets: sockets.length, failed, ms: performance.now() - started });
  const delays: number[] = [];
  const allDelivered: number[] = [];
  let lost = 0;
  process.on('message', async (m: { type: string; id?: string; sentAt?: number; answeredAt?: number }) => {
    if (m.type === 'posted') {
      const got = await waitForAll(arrivals, m.id!, sockets.length);
      lost += sockets.length - got.length;
      // The server writes the events before the response: one handled first counts as 0 ms.
      for (const at of got) delays.push(Math.max(0, at - m.answeredAt!));
      if (got.length > 0) allDelivered.push(Math.max(...got) - m.sentAt!);
      arrivals.delete(m.id!);
      process.send!({ type: 'delivered' });
    }
    if (m.type === 'report') {
      process.send!({ type: 'result', delivery: { ...percentiles(delays), lost, allDeliveredP50: percentiles(allDelivered).p50 } });
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

async function openSockets(url: string, threadId: string, n: number, onComment: (id: string) => void) {
  const sockets: Socket[] = [];
  let failed = 0;
  for (let start = 0; start < n; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, n - start) }, () => openOne(url, threadId, onComment));
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') sockets.push(result.value);
      else failed++;
    }
  }
  return { sockets, failed };
}

async function openOne(url: string, threadId: string, onComment: (id: string) => void): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: ORIGIN } });
  socket.on('comment:created', (e: { comment: { id: string } }) => onComment(e.comment.id));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = await socket.timeout(30_000).emitWithAck('thread:join', { threadId }) as JoinAck;
  if (!ack.ok) throw new Error(ack.error.code);
  return socket;
}

async function waitForAll(arrivals: Map<string, number[]>, id: string, n: number): Promise<number[]> {
  const deadline = performance.now() + 30_000;
  while ((arrivals.get(id)?.length ?? 0) < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  return arrivals.get(id) ?? [];
}

/* ---- the poster: the coordinator, so its clock is not held up by the sockets' work ---- */

async function postComments(url: string, threadId: string, clients: ChildProcess): Promise<number> {
  const latencies: number[] = [];
  let token: string | undefined;
  for (let i = 0; i < COMMENTS; i++) {
    const sentAt = wallClock();
    const res = await fetch(`${url}/api/v1/threads/${threadId}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ body: `Comment ${i} of the fan-out benchmark, with *some* markdown.`, author: { name: 'Bench' } }),
    });
    const answeredAt = wallClock();
    const body = await res.json() as { comment: { id: string }; session?: { token: string } };
    if (res.status !== 201) throw new Error(`POST ${res.status}: ${JSON.stringify(body)}`);
    token ??= body.session?.token;
    latencies.push(answeredAt - sentAt);
    clients.send({ type: 'posted', id: body.comment.id, sentAt, answeredAt });
    await next(clients, 'delivered');
    await new Promise((r) => setTimeout(r, 20));
  }
  return percentiles(latencies).p50;
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

const role = process.argv[2];
if (role === 'server') await runServer();
else if (role === 'clients') await runClients();
else await main();
