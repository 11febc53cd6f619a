/**
 * Read benchmark: a 1,000-comment thread (replies up to 6 deep) in a fresh embedded PostgreSQL,
 * its first page of comments under load from a separate autocannon process, beside /healthz on
 * the same Express server as the ceiling. `npm run bench` prints the figures.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../src/server/app.js';
import { postComment } from '../src/server/comments/service.js';
import { parseConfig } from '../src/server/config.js';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { createDeps, type Deps } from '../src/server/deps.js';
import { createSite } from '../src/server/sites/service.js';
import { resolveThread } from '../src/server/threads/service.js';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 1000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const root = path.resolve(import.meta.dirname, '..');

interface Load { rps: number; p50: number; p99: number; errors: number; non2xx: number }

/** Load comes from another process, so the server keeps both cores' worth of its own event loop. */
async function autocannon(url: string): Promise<Load> {
  const { stdout } = await promisify(execFile)(path.join(root, 'node_modules/.bin/autocannon'),
    ['-c', String(CONNECTIONS), '-d', String(DURATION), '-j', url], { encoding: 'utf8' });
  const r = JSON.parse(stdout);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

async function seed(deps: Deps): Promise<string> {
  await createSite(deps, { slug: 'bench', name: 'Bench', origins: ['https://bench.example'] });
  const { thread } = await resolveThread(deps, { actor: null, origin: 'https://bench.example' }, { site: 'bench', key: 'big', url: 'https://bench.example/big' });
  // Each top-level comment gets four replies somewhere in its own subtree, at most 6 deep.
  let subtree: Array<{ id: string; depth: number }> = [];
  let seedValue = 42;
  const random = () => ((seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < COMMENTS; i++) {
    if (i % 5 === 0) subtree = [];
    const candidates = subtree.filter((p) => p.depth < 6);
    const parent = candidates.length === 0 ? null : candidates[Math.floor(random() * candidates.length)];
    const { comment } = await postComment(deps, { actor: null, origin: null }, {
      threadId: thread.id,
      parentId: parent?.id,
      body: `Comment ${i}: *some* markdown with a [link](https://example.org/${i}) and \`code\`.\n\n> a quote`,
      author: { name: `Reader ${i % 50}` },
    });
    subtree.push({ id: comment.id, depth: comment.depth });
  }
  return thread.id;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
const pg = await startEmbeddedPostgres({ dataDir, port: 0, database: 'bench' });
const database = openDatabase(pg.url);
try {
  await applyMigrations(database.db);
  const deps = createDeps({ db: database.db, secret: 'bench-secret-bench-secret' });
  const started = Date.now();
  const threadId = await seed(deps);
  const seedMs = Date.now() - started;
  const config = parseConfig({ PORT: '0', DEMO: 'false', SESSION_SECRET: deps.secret, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const parts = createApp(deps, config, pino({ level: 'silent' }));
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(parts.server.address() as AddressInfo).port}`;
  const pageUrl = `${base}/api/v1/threads/${threadId}/comments?sort=best&limit=50`;

  const firstPage = await (await fetch(pageUrl)).text();
  const countTree = (list: Array<{ replies: any[] }>): number => list.reduce((n, c) => n + 1 + countTree(c.replies), 0);
  const fullStart = performance.now();
  let cursor: string | null = null;
  let pages = 0;
  let shown = 0;
  do {
    const res = await fetch(`${pageUrl}${cursor ? `&cursor=${cursor}` : ''}`);
    const body = await res.json() as { nextCursor: string | null; comments: unknown[] };
    shown += countTree(body.comments as Array<{ replies: any[] }>);
    cursor = body.nextCursor;
    pages++;
  } while (cursor);
  const fullMs = performance.now() - fullStart;

  const ceiling = await autocannon(`${base}/healthz`);
  const page = await autocannon(pageUrl);
  await parts.close();

  const row = (name: string, l: Load) =>
    `${name.padEnd(34)} ${l.rps.toFixed(0).padStart(8)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   errors ${l.errors + l.non2xx}`;
  console.log(`\nParley read benchmark: ${COMMENTS} comments (replies up to 6 deep), ${CONNECTIONS} connections, ${DURATION} s each, autocannon in a separate process`);
  console.log(`seeding through postComment: ${seedMs} ms (${(seedMs / COMMENTS).toFixed(2)} ms per comment)`);
  console.log(`first page (50 top-level + replies): ${(firstPage.length / 1024).toFixed(1)} KiB JSON, ${countTree(JSON.parse(firstPage).comments)} comments`);
  console.log(`whole thread, all ${pages} pages one after another: ${fullMs.toFixed(0)} ms for ${shown} comments`);
  console.log(row('GET /healthz (ceiling)', ceiling));
  console.log(row('GET first page of comments', page));
  console.log(`ratio page / ceiling: ${(page.rps / ceiling.rps * 100).toFixed(1)} %`);
} finally {
  await database.close();
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
