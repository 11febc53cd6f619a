/**
 * Read benchmark, as the performance issue measures it: the first page (`sort=best&limit=50`)
 * of 200-, 1,000- and 10,000-comment threads (a top-level comment and 3 replies, over and
 * over), beside an Express hello-world in its own process as the ceiling, measured in the same
 * run with autocannon (32 connections) in a process of its own; then the 200-comment thread's
 * page while it takes 50 comments/s and 200 votes/s. Parley runs as `npm start` runs it, in its
 * own process. `npm run bench` prints the figures.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { postComment } from '../src/server/comments/service.js';
import { startEmbeddedPostgres, freePort } from '../src/server/db/embedded.js';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { createDeps, type Deps } from '../src/server/deps.js';
import { createSite } from '../src/server/sites/service.js';
import { resolveThread } from '../src/server/threads/service.js';

const SIZES = (process.env.BENCH_SIZES ?? '200,1000,10000').split(',').map(Number);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ORIGIN = 'https://bench.example';
const root = path.resolve(import.meta.dirname, '..');
/** Where the server's own log goes (one line per request: it is part of what is measured). */
const SERVER_LOG = path.join(tmpdir(), 'parley-bench-server.log');

interface Load { rps: number; p50: number; p99: number; errors: number }

async function autocannon(url: string): Promise<Load> {
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules/.bin/autocannon'),
    ['-c', String(CONNECTIONS), '-d', String(DURATION), '-j', '-H', 'accept-encoding=br, gzip', url], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = JSON.parse(stdout);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** A node process, once `readyUrl` answers. */
async function startProcess(args: string[], env: Record<string, string>, readyUrl: string, logFile?: string): Promise<ChildProcess> {
  const out = logFile ? openSync(logFile, 'w') : 'ignore';
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', out, 'inherit'] });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    if (await fetch(readyUrl).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${readyUrl} did not answer`);
}

const helloSource = `import express from 'express';
const app = express();
app.get('/', (q, r) => r.json({ hello: 'world' }));
app.listen(Number(process.env.PORT), '127.0.0.1');`;

async function seedThread(deps: Deps, size: number): Promise<string> {
  const key = `thread-${size}`;
  const { thread } = await resolveThread(deps, { actor: null, origin: ORIGIN }, { site: 'bench', key, url: `${ORIGIN}/${key}` });
  const caller = { actor: null, origin: null };
  for (let i = 0; i < size / 4; i++) {
    const { comment } = await postComment(deps, caller, {
      threadId: thread.id, body: `Comment ${i}: *some* markdown with a [link](https://example.org/${i}) and \`code\`.\n\n> a quote`, author: { name: `Reader ${i % 50}` },
    });
    for (let r = 0; r < 3; r++) {
      await postComment(deps, caller, { threadId: thread.id, parentId: comment.id, body: `Reply ${r} to ${i}, with a few more words.`, author: { name: `Reader ${(i + r) % 50}` } });
    }
  }
  return thread.id;
}

/** 50 comments/s and 200 votes/s on one thread, from named guests, while it is read. */
function churn(base: string, threadId: string, commentIds: string[]): () => Promise<{ comments: number; votes: number; failed: number }> {
  const headers = { 'content-type': 'application/json', origin: ORIGIN };
  const tally = { comments: 0, votes: 0, failed: 0 };
  const tokens: string[] = [];
  const send = async (path: string, body: unknown, token?: string) => {
    try {
      const res = await fetch(base + path, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      if (!res.ok) tally.failed++;
      return res.ok ? await res.json() as { session?: { token: string } } : null;
    } catch {
      tally.failed++;
      return null;
    }
  };
  let n = 0;
  const commentTimer = setInterval(() => {
    const token = tokens[n % 20];
    void send(`/api/v1/threads/${threadId}/comments`, { body: `live comment ${n++}`, ...(token ? {} : { author: { name: `Writer ${n}` } }) }, token).then((r) => {
      if (r?.session) tokens.push(r.session.token);
      if (r) tally.comments++;
    });
  }, 20);
  let v = 0;
  const voteTimer = setInterval(() => {
    if (tokens.length === 0) return;
    const token = tokens[v % tokens.length];
    const target = commentIds[v % commentIds.length];
    void send(`/api/v1/comments/${target}/vote`, { value: (v++ >> 4) % 2 === 0 ? 1 : 0 }, token).then((r) => { if (r) tally.votes++; });
  }, 5);
  return async () => {
    clearInterval(commentTimer);
    clearInterval(voteTimer);
    await new Promise((r) => setTimeout(r, 200));
    return tally;
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
const pg = await startEmbeddedPostgres({ dataDir, port: 0, database: 'bench' });
const database = openDatabase(pg.url, { onError: () => {} });
const children: ChildProcess[] = [];
try {
  await applyMigrations(database.db);
  const deps = createDeps({ db: database.db, secret: 'bench-secret-bench-secret', log: { error: () => {} } });
  await createSite(deps, { slug: 'bench', name: 'Bench', origins: [ORIGIN] });
  const threads = new Map<number, string>();
  for (const size of SIZES) {
    const started = Date.now();
    threads.set(size, await seedThread(deps, size));
    console.log(`seeded ${size} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const [parleyPort, helloPort] = [await freePort(), await freePort()];
  children.push(await startProcess(['--input-type=module', '-e', helloSource], { PORT: String(helloPort) }, `http://127.0.0.1:${helloPort}/`));
  // As `npm start` runs it: compiled (built here if the sources changed).
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root });
  children.push(await startProcess(['dist/server/main.js'], {
    PORT: String(parleyPort), HOST: '127.0.0.1', DATABASE_URL: pg.url, DEMO: 'false', LOG_LEVEL: 'info', DATA_DIR: dataDir,
    SESSION_SECRET: deps.secret, RATE_LIMIT_POSTS_PER_MINUTE: '1000000', RATE_LIMIT_VOTES_PER_MINUTE: '1000000', RATE_LIMIT_NEW_GUESTS_PER_HOUR: '1000000',
  }, `http://127.0.0.1:${parleyPort}/readyz`, SERVER_LOG));
  const base = `http://127.0.0.1:${parleyPort}`;
  const hello = `http://127.0.0.1:${helloPort}/`;
  const pageUrl = (size: number) => `${base}/api/v1/threads/${threads.get(size)}/comments?sort=best&limit=50`;

  const rows: Array<[string, Load, number]> = [];
  const ceilings: Load[] = [];
  for (const size of SIZES) {
    const json = await (await fetch(pageUrl(size))).text();
    const ceiling = await autocannon(hello);
    ceilings.push(ceiling);
    rows.push([`first page of ${size} (${(json.length / 1024).toFixed(0)} KiB JSON)`, await autocannon(pageUrl(size)), ceiling.rps]);
  }
  const hotSize = SIZES[0];
  const firstPage = await (await fetch(pageUrl(hotSize))).json() as { comments: Array<{ id: string }> };
  const stopChurn = churn(base, threads.get(hotSize)!, firstPage.comments.map((c) => c.id));
  await new Promise((r) => setTimeout(r, 1000));
  const hotCeiling = await autocannon(hello);
  const hot = await autocannon(pageUrl(hotSize));
  const churned = await stopChurn();
  rows.push([`same, under ${(churned.comments / (DURATION + 1)).toFixed(0)} comments/s + ${(churned.votes / (DURATION + 1)).toFixed(0)} votes/s`, hot, hotCeiling.rps]);

  const line = (name: string, l: Load, ceiling?: number) =>
    `${name.padEnd(48)} ${l.rps.toFixed(0).padStart(7)} req/s  p50 ${String(l.p50).padStart(3)} ms  p99 ${String(l.p99).padStart(4)} ms  errors ${l.errors}${ceiling ? `  ${(l.rps / ceiling).toFixed(2)} of hello` : ''}`;
  console.log(`\nParley read benchmark: ${CONNECTIONS} connections, ${DURATION} s per run, autocannon and Express hello each in a process of their own (br/gzip accepted)`);
  ceilings.forEach((c, i) => console.log(line(`Express hello (before run ${i + 1})`, c)));
  for (const [name, load, ceiling] of rows) console.log(line(name, load, ceiling));
  if (churned.failed) console.log(`(${churned.failed} writes of the churn failed)`);
} finally {
  await Promise.all(children.map((child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); })));
  await database.close();
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
