/**
 * Write benchmark: comments from 200 signed-in guests round robin over 20 threads, then votes
 * from 200 guests on 50 comments of one hot thread, beside an Express hello-world as the
 * ceiling. `npm run bench:writes` prints writes/s, p50, p99, errors, and checks that every 2xx
 * is a row (and a log entry) in the database.
 *
 * Four processes, as in bench/fanout.ts: this one runs the embedded PostgreSQL, seeds over HTTP
 * and checks; the server is a child of its own (so its profile and CPU time are its own); the load comes
 * from autocannon in a third; the hello-world is a fourth. All share the machine's cores.
 *
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_PROFILE=dir (the server's CPU profile of each
 * scenario, as `node --cpu-prof` writes them, with a summary of where its time goes),
 * BENCH_PG_STATS=1 (pg_stat_statements during the comment writes: the top statements),
 * BENCH_POOL (the server's pg pool size, default openDatabase's).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PROFILE_DIR = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined;
const PG_STATS = process.env.BENCH_PG_STATS === '1';
const ORIGIN = 'https://writes.example';
const SECRET = 'bench-secret-bench-secret';
const THREADS = 20;
const GUESTS = 200;
const HOT_COMMENTS = 50;
/** High enough that the limits count every write but never refuse one: the bench measures the write path. */
const UNLIMITED = '1000000000';

interface Load {
  rps: number; p50: number; p99: number; ok: number; errors: number; non2xx: number; statuses: Record<string, number>;
  /** The comments the server said it saved (2xx): each must be in the database. */
  savedIds: string[];
}
interface ServerStats { queries: number; cpuMs: number }
interface LoadPlan { kind: 'comments' | 'votes' | 'hello'; url: string; tokens: string[]; targets: string[] }

/* ---- server: Parley alone in its process ---- */

async function runServer(): Promise<void> {
  const pino = (await import('pino')).default;
  const { createApp } = await import('../src/server/app.js');
  const { parseConfig } = await import('../src/server/config.js');
  const { openDatabase } = await import('../src/server/db/index.js');
  const { createDeps } = await import('../src/server/deps.js');
  const { createRateLimits } = await import('../src/server/limits/service.js');
  let queries = 0;
  const max = process.env.BENCH_POOL ? Number(process.env.BENCH_POOL) : undefined;
  const database = openDatabase(process.env.BENCH_DB_URL!, { max, queryLogger: { logQuery: () => { queries++; } } });
  const config = parseConfig({
    PORT: '0', DEMO: 'false', SESSION_SECRET: SECRET, DATA_DIR: process.env.BENCH_DATA_DIR, LOG_LEVEL: 'silent',
    RATE_LIMIT_POSTS_PER_MINUTE: UNLIMITED, RATE_LIMIT_VOTES_PER_MINUTE: UNLIMITED, RATE_LIMIT_NEW_THREADS_PER_MINUTE: UNLIMITED,
    RATE_LIMIT_NEW_GUESTS_PER_HOUR: UNLIMITED, RATE_LIMIT_REPLAYS_PER_MINUTE: UNLIMITED,
  });
  const log = pino({ level: 'silent' });
  // As runtime.ts assembles it, less the cross-process adapter (one process, embedded database).
  const limits = createRateLimits({ db: database.db, keyPrefix: config.redisPrefix, perPeriod: config.limits });
  const deps = createDeps({ db: database.db, secret: config.sessionSecret, log, limits });
  const parts = createApp(deps, config, log);
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  const profiler = new (await import('node:inspector/promises')).Session();
  profiler.connect();
  process.on('message', async (message: { type: string; file?: string }) => {
    if (message.type === 'profile-start') {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      process.send!({ type: 'profiling' });
    }
    if (message.type === 'profile-stop') {
      const { profile } = await profiler.post('Profiler.stop');
      (await import('node:fs')).writeFileSync(message.file!, JSON.stringify(profile));
      process.send!({ type: 'profiled' });
    }
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      process.send!({ type: 'stats', queries, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    if (message.type === 'stop') {
      await parts.close();
      await database.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${(parts.server.address() as AddressInfo).port}` });
}

/* ---- hello: the Express ceiling, a JSON POST answered without any work ---- */

async function runHello(): Promise<void> {
  const express = (await import('express')).default;
  const app = express();
  app.post('/', express.json(), (_req, res) => { res.status(201).json({ ok: true }); });
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stats') process.exit(0);
    const cpu = process.cpuUsage();
    process.send!({ type: 'stats', queries: 0, cpuMs: (cpu.user + cpu.system) / 1000 });
  });
}

/* ---- load: autocannon, each request a different guest, thread or comment ---- */

function nextRequest(plan: LoadPlan, i: number): { path: string; token: string; body: string } {
  if (plan.kind === 'hello') return { path: '/', token: plan.tokens[0], body: JSON.stringify({ body: `hello ${i}` }) };
  const token = plan.tokens[i % plan.tokens.length];
  if (plan.kind === 'comments') {
    const body = `Comment ${i}: *some* markdown with a [link](https://example.org/${i}) and \`code\`.\n\n> a quote`;
    return { path: `/api/v1/threads/${plan.targets[i % plan.targets.length]}/comments`, token, body: JSON.stringify({ body }) };
  }
  // Each (guest, comment) pair comes back every 200 requests with the next of 1, -1, 0: real changes.
  const value = [1, -1, 0][i % 3];
  return { path: `/api/v1/comments/${plan.targets[i % plan.targets.length]}/vote`, token, body: JSON.stringify({ value }) };
}

async function runLoad(plan: LoadPlan): Promise<Load> {
  const autocannon = (await import('autocannon')).default;
  let i = 0;
  const savedIds: string[] = [];
  const result = await autocannon({
    url: plan.url, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
    requests: [{
      setupRequest: (req: any) => {
        const next = nextRequest(plan, i++);
        return {
          ...req, method: 'POST', path: next.path, body: next.body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${next.token}` },
        };
      },
      onResponse: (status: number, body: string) => {
        if (plan.kind === 'comments' && status === 201) savedIds.push((JSON.parse(body) as { comment: { id: string } }).comment.id);
      },
    }],
  });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, Number((v as { count: number }).count)]));
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], errors: result.errors + result.timeouts, non2xx: result.non2xx, statuses, savedIds,
  };
}

/* ---- coordinator ---- */

function child(role: string, env: Record<string, string> = {}, execArgv = process.execArgv): { proc: ChildProcess; ready: Promise<string> } {
  const proc = fork(SELF, [role], { env: { ...process.env, ...env }, execArgv });
  const ready = new Promise<string>((resolve, reject) => {
    proc.once('message', (m: { type: string; url: string }) => resolve(m.url));
    proc.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return { proc, ready };
}

async function load(plan: LoadPlan): Promise<Load> {
  const { proc } = child('load', { BENCH_PLAN: JSON.stringify(plan) });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: Load) => resolve(m));
    proc.once('exit', (code) => reject(new Error(`load exited with ${code}`)));
  });
}

/** Sends the server a message and waits for its answer of the given type. */
async function ask<T>(server: ChildProcess, message: { type: string; file?: string }, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: T & { type: string }) => {
      if (m.type !== answer) return;
      server.off('message', onMessage);
      resolve(m);
    };
    server.on('message', onMessage);
    server.send(message);
  });
}

const askStats = (server: ChildProcess) => ask<ServerStats>(server, { type: 'stats' }, 'stats');

/**
 * CPU seconds PostgreSQL has used: the postmaster, its live backends, and (through cutime)
 * the backends that have exited. Load-independent, unlike writes/s on a shared machine.
 */
function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const fields = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fields(Number(entry));
      // After ") ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      if (Number(entry) === postmaster) ticks += f[11] + f[12] + f[13] + f[14];
      else if (f[1] === postmaster) ticks += f[11] + f[12];
    } catch { /* gone meanwhile */ }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * What one scenario cost: server and PostgreSQL CPU per request, and queries per request; with
 * BENCH_PROFILE, the server's CPU profile of just this scenario.
 */
async function measured(
  server: ChildProcess, dataDir: string, name: string, work: () => Promise<Load>,
): Promise<{ load: Load; cost: string; profile?: string }> {
  const profile = PROFILE_DIR && name !== 'hello' ? path.join(PROFILE_DIR, `${name}.cpuprofile`) : undefined;
  if (profile) await ask(server, { type: 'profile-start' }, 'profiling');
  const [s0, p0] = [await askStats(server), postgresCpuMs(dataDir)];
  const result = await work();
  const [s1, p1] = [await askStats(server), postgresCpuMs(dataDir)];
  if (profile) await ask(server, { type: 'profile-stop', file: profile }, 'profiled');
  const n = Math.max(1, result.ok + result.non2xx);
  const cost = `server CPU ${((s1.cpuMs - s0.cpuMs) / n).toFixed(2)} ms, PostgreSQL CPU ${((p1 - p0) / n).toFixed(2)} ms, `
    + `${((s1.queries - s0.queries) / n).toFixed(1)} drizzle queries per request`;
  return { load: result, cost, profile };
}

async function savedButMissing(pool: pg.Pool, ids: string[]): Promise<{ missing: number; unlogged: number }> {
  const { rows } = await pool.query(`select
    (select count(*)::int from comments where id = any($1::uuid[])) as found,
    (select count(*)::int from thread_events where type = 'comment:created' and comment_id = any($1::uuid[])) as logged`, [ids]);
  return { missing: ids.length - rows[0].found, unlogged: ids.length - rows[0].logged };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Threads are created by a view from the site's own page; guests by their first comment. */
async function seed(base: string): Promise<{ threads: string[]; tokens: string[]; hot: string[]; voters: string[] }> {
  const threads: string[] = [];
  for (let t = 0; t < THREADS + 1; t++) {
    const query = new URLSearchParams({ site: 'writes', key: `t-${t}`, url: `${ORIGIN}/t-${t}` });
    const res = await fetch(`${base}/api/v1/threads?${query}`, { headers: { origin: ORIGIN } });
    threads.push(((await res.json()) as { thread: { id: string } }).thread.id);
  }
  const hotThread = threads.pop()!;
  const tokens: string[] = [];
  for (let g = 0; g < GUESTS; g++) {
    const res = await post(`${base}/api/v1/threads/${threads[g % THREADS]}/comments`, { body: `Hello from guest ${g}`, author: { name: `Guest ${g}` } });
    tokens.push(res.session.token);
  }
  // The hot thread's comments are by guests who do not vote, so no vote is refused as one's own.
  const hot: string[] = [];
  for (let c = 0; c < HOT_COMMENTS; c++) {
    hot.push((await post(`${base}/api/v1/threads/${hotThread}/comments`, { body: `Hot ${c}`, author: { name: `Author ${c}` } })).comment.id);
  }
  return { threads, tokens, hot, voters: tokens };
}

async function counts(pool: pg.Pool): Promise<{ comments: number; created: number; votes: number; voteEvents: number }> {
  const { rows } = await pool.query(`select
    (select count(*)::int from comments) as comments,
    (select count(*)::int from thread_events where type = 'comment:created') as created,
    (select count(*)::int from votes) as votes,
    (select count(*)::int from thread_events where type = 'vote:updated') as "voteEvents"`);
  return rows[0];
}

/** Every comment's counters match its votes: concurrent votes lost nothing. */
async function driftedCounters(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(`select count(*)::int as n from comments c where c.score <>
    (select coalesce(sum(value), 0) from votes v where v.comment_id = c.id)
    or c.upvotes <> (select count(*) from votes v where v.comment_id = c.id and v.value = 1)
    or c.downvotes <> (select count(*) from votes v where v.comment_id = c.id and v.value = -1)`);
  return rows[0].n;
}

async function topStatements(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query(`select calls, round(total_exec_time::numeric, 1) as total_ms,
      round(mean_exec_time::numeric, 3) as mean_ms, regexp_replace(query, '\\s+', ' ', 'g') as query
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
    order by total_exec_time desc limit 15`);
  return rows.map((r) => `  ${String(r.calls).padStart(7)} calls ${String(r.total_ms).padStart(9)} ms total ${String(r.mean_ms).padStart(7)} ms mean  ${String(r.query).slice(0, 150)}`);
}

/** The server's CPU profile, summed by self time per function and per package. */
function summariseProfile(file: string): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[]; timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = profile.timeDeltas[k] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += dt;
    const where = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/main\//, '');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')
      : url.includes('/src/') ? 'parley' : url.startsWith('node:') ? 'node core' : (functionName || '(native)');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  });
  const pct = (v: number) => `${(v / total * 100).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `  ${file}: ${(total / 1e6).toFixed(1)} s sampled`,
    '  by package:', ...top(byPackage, 14).map(([k, v]) => `    ${pct(v)}  ${k}`),
    '  by function (self time):', ...top(self, 25).map(([k, v]) => `    ${pct(v)}  ${k}`),
  ];
}

const row = (name: string, l: Load, unit = 'req/s') =>
  `${name.padEnd(40)} ${l.rps.toFixed(0).padStart(6)} ${unit}   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   2xx ${l.ok}   errors ${l.errors}   non-2xx ${l.non2xx}${l.non2xx ? ` ${JSON.stringify(l.statuses)}` : ''}`;

async function startDatabase(dataDir: string) {
  const { startEmbeddedPostgres } = await import('../src/server/db/embedded.js');
  let server = await startEmbeddedPostgres({ dataDir, port: 0, database: 'writes' });
  if (PG_STATS) {
    // The embedded server takes no extra flags: set the library in the cluster's config, restart.
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
    await admin.end();
    await server.stop();
    server = await startEmbeddedPostgres({ dataDir, port: 0, database: 'writes' });
  }
  return server;
}

async function main(): Promise<void> {
  const { applyMigrations, openDatabase } = await import('../src/server/db/index.js');
  const { createDeps } = await import('../src/server/deps.js');
  const { createSite } = await import('../src/server/sites/service.js');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-writes-'));
  const embedded = await startDatabase(dataDir);
  const database = openDatabase(embedded.url);
  const pool = new pg.Pool({ connectionString: embedded.url, max: 2 });
  const children: ChildProcess[] = [];
  try {
    await applyMigrations(database.db);
    if (PG_STATS) await pool.query('create extension if not exists pg_stat_statements');
    await createSite(createDeps({ db: database.db, secret: SECRET }), { slug: 'writes', name: 'Writes', origins: [ORIGIN] });
    if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
    const server = child('server', { BENCH_DB_URL: embedded.url, BENCH_DATA_DIR: dataDir });
    const hello = child('hello');
    children.push(server.proc, hello.proc);
    const [base, helloUrl] = await Promise.all([server.ready, hello.ready]);
    const { threads, tokens, hot, voters } = await seed(base);

    const { load: ceiling, cost: ceilingCost } = await measured(hello.proc, dataDir, 'hello', () =>
      load({ kind: 'hello', url: helloUrl, tokens: ['x'.repeat(43)], targets: [] }));
    if (PG_STATS) await pool.query('select pg_stat_statements_reset()');
    const before = await counts(pool);
    const { load: writes, cost: writeCost, profile: writeProfile } = await measured(server.proc, dataDir, 'comments', () => load({ kind: 'comments', url: base, tokens, targets: threads }));
    const afterWrites = await counts(pool);
    const { missing, unlogged } = await savedButMissing(pool, writes.savedIds);
    const statements = PG_STATS ? await topStatements(pool) : [];
    const { load: votes, cost: voteCost, profile: voteProfile } = await measured(server.proc, dataDir, 'votes', () => load({ kind: 'votes', url: base, tokens: voters, targets: hot }));
    const afterVotes = await counts(pool);
    const drift = await driftedCounters(pool);

    server.proc.send({ type: 'stop' });
    await new Promise((resolve) => server.proc.once('exit', resolve));
    const written = afterWrites.comments - before.comments;
    console.log(`\nParley write benchmark: ${GUESTS} signed-in guests over ${THREADS} threads, ${CONNECTIONS} in flight, ${SECONDS} s each, autocannon in a separate process, 2 processes sharing ${(await import('node:os')).cpus().length} cores`);
    console.log(row('POST / Express hello-world (ceiling)', ceiling));
    console.log(`  ${ceilingCost.replace(/, PostgreSQL.*$/, ' per request')}`);
    console.log(row('POST comment (200 guests, 20 threads)', writes, 'wr/s'));
    console.log(`  ${writeCost}`);
    console.log(`  ${writes.savedIds.length} comments answered 201: ${missing === 0 ? 'every one saved' : `${missing} LOST`}, `
      + `${unlogged === 0 ? 'every one in the live log' : `${unlogged} NOT LOGGED`}; rows written ${written} `
      + `(${written - writes.savedIds.length} were in flight at the cut-off); comment events ${afterWrites.created - before.created}`);
    console.log(row(`POST vote (200 guests, ${HOT_COMMENTS} comments, 1 thread)`, votes, 'vt/s'));
    console.log(`  ${voteCost}`);
    console.log(`  vote events ${afterVotes.voteEvents - afterWrites.voteEvents}; comments whose counters drift from their votes: ${drift}`);
    if (statements.length > 0) console.log('pg_stat_statements during the comment writes (top by total time):', `\n${statements.join('\n')}`);
    if (writeProfile) console.log('server CPU profile, comments:', `\n${summariseProfile(writeProfile).join('\n')}`);
    if (voteProfile) console.log('server CPU profile, votes:', `\n${summariseProfile(voteProfile).join('\n')}`);
    if (missing !== 0 || unlogged !== 0 || drift !== 0) process.exitCode = 1;
  } finally {
    for (const proc of children) if (proc.exitCode === null) proc.kill();
    await pool.end();
    await database.close();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === 'server') await runServer();
else if (role === 'hello') await runHello();
else if (role === 'load') {
  process.send!(await runLoad(JSON.parse(process.env.BENCH_PLAN!) as LoadPlan));
  process.exit(0);
} else await main();
