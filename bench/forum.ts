/**
 * Forum benchmark, as the forum issue measures it: on the embedded PostgreSQL, a forum of
 * 10,000 topics and 200,000 posts (the demo's categories; one topic of 500 posts, the rest
 * about 19 each, a third of the posts top-level, the others replies; English and Arabic words),
 * then the median and p95 time to serve, one request at a time, a category page, the forum
 * home, the 500-post topic's page (threaded and flat), and searches; with the queries each page
 * sends and the time PostgreSQL spends on them (EXPLAIN ANALYZE of the last run's statements).
 * Parley runs in this process (the app as main.ts composes it). `npm run bench:forum`.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { comments, threads } from '../src/server/db/schema.js';
import { createDeps } from '../src/server/deps.js';
import { readCategories } from '../src/server/forum/categories.js';
import { seedDemoForum } from '../src/server/forum/demo.js';
import { topicPageCache } from '../src/server/forum/page-cache.js';
import { topicPath } from '../src/server/forum/service.js';
import { demoArticle } from '../src/server/demo/article.js';
import { createSite } from '../src/server/sites/service.js';

const TOPICS = Number(process.env.BENCH_TOPICS ?? 10_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 200_000);
const BIG_TOPIC = 500;
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const SECRET = 'bench-secret-bench-secret';

/**
 * Posts are runs of consecutive words from the demo article (a real analysis of the first
 * site): a topical forum's vocabulary, common and rare words as real text has them; one post
 * in seven is Arabic.
 */
const ARTICLE = demoArticle().blocks.map((b) => b.text).join(' ').split(/\s+/).filter(Boolean);
const ARABIC = (`تحليل ممتاز التعاون الإقليمي بين دول المغرب العربي هو الحل الوحيد على المدى الطويل لكن الخلاف بين الجزائر والمغرب
  يجعل إحياء اتحاد المغرب العربي صعبا جدا تمويل الجماعات المسلحة في منطقة الساحل يعتمد على الخطف والتهريب والمخدرات
  الأمن في المنطقة يحتاج إلى تنمية اقتصادية وفرص عمل للشباب`).split(/\s+/);

/** mulberry32: a small seeded generator, so every run builds the same forum. */
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
function sentence(words: number): string {
  const source = random() < 1 / 7 ? ARABIC : ARTICLE;
  const from = Math.floor(random() * Math.max(1, source.length - words));
  return source.slice(from, from + words).join(' ');
}

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.floor(sorted.length * 0.95)] };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-forum-'));
const pg = await startEmbeddedPostgres({ dataDir, port: 0, database: 'bench' });
let queries = 0;
let sent: Array<[string, unknown[]]> = [];
const database = openDatabase(pg.url, { onError: () => {}, queryLogger: { logQuery: (query, params) => { queries++; sent.push([query, params]); } } });

/** PostgreSQL's own execution time of the statements a request sent (EXPLAIN ANALYZE, planning included). */
async function databaseMs(statements: Array<[string, unknown[]]>): Promise<number> {
  let total = 0;
  for (const [query, params] of statements) {
    if (!/^\s*(select|with)/i.test(query)) continue;
    const { rows } = await database.pool.query(`explain (analyze, format json) ${query}`, params);
    const plan = (rows[0] as { 'QUERY PLAN': Array<{ 'Execution Time': number; 'Planning Time': number }> })['QUERY PLAN'][0];
    total += plan['Execution Time'] + plan['Planning Time'];
  }
  return total;
}
let close = async () => {};
try {
  await applyMigrations(database.db);
  const deps = createDeps({ db: database.db, secret: SECRET, log: { error: () => {} } });
  const site = await createSite(deps, { slug: 'bench', name: 'Bench', origins: ['https://bench.example'] });
  await seedDemoForum(deps, site.id);
  const categories = (await readCategories(deps.db, site.id)).filter((c) => !c.holdsArticles);

  const started = Date.now();
  const now = Date.now();
  const topicRows = Array.from({ length: TOPICS }, (_, i) => {
    const created = new Date(now - Math.floor(random() * 365 * 86_400_000));
    return {
      id: crypto.randomUUID(), siteId: site.id, key: `topic:${i}`, title: `${sentence(5)} ${i}`, kind: 'topic' as const,
      categoryId: (i === 0 ? categories.find((c) => c.slug === 'analysis')! : pick(categories)).id, authorName: `Member ${i % 300}`,
      createdAt: created, lastActivityAt: created, commentCount: 0,
    };
  });
  for (let i = 0; i < topicRows.length; i += 2000) await deps.db.insert(threads).values(topicRows.slice(i, i + 2000));
  // Posts per topic: 500 for the first, the rest shared evenly.
  const share = Math.floor((POSTS - BIG_TOPIC) / (TOPICS - 1));
  const left = POSTS - BIG_TOPIC - share * (TOPICS - 1);
  const perTopic = topicRows.map((_, i) => (i === 0 ? BIG_TOPIC : share + (i <= left ? 1 : 0)));
  let batch: Array<typeof comments.$inferInsert> = [];
  const flush = async () => { if (batch.length) await deps.db.insert(comments).values(batch); batch = []; };
  for (const [t, topic] of topicRows.entries()) {
    const tops: string[] = [];
    let at = topic.createdAt.getTime();
    for (let p = 0; p < perTopic[t]; p++) {
      const id = crypto.randomUUID();
      const parent = p > 0 && random() < 2 / 3 ? pick(tops) : null;
      if (!parent) tops.push(id);
      at += Math.floor(random() * 3_600_000);
      const text = `${sentence(12 + Math.floor(random() * 30))}.`;
      batch.push({
        id, siteId: site.id, threadId: topic.id, parentId: parent, rootId: parent ?? id, depth: parent ? 1 : 0, authorName: `Member ${(t + p) % 300}`,
        authorIsGuest: false, bodySource: text, bodyHtml: `<p>${text}</p>\n`, status: 'approved', createdAt: new Date(at),
      });
      if (batch.length >= 2000) await flush();
    }
    topic.lastActivityAt = new Date(at);
  }
  await flush();
  await deps.db.execute(sql`update threads t set comment_count = c.n, last_activity_at = c.last
    from (select thread_id, count(*)::int as n, max(created_at) as last from comments group by thread_id) c where c.thread_id = t.id`);
  await deps.db.execute(sql`vacuum analyze`);
  const [{ topics, posts }] = (await deps.db.execute<{ topics: number; posts: number }>(sql`select (select count(*)::int from threads) as topics, (select count(*)::int from comments) as posts`)).rows;
  console.log(`seeded ${topics} topics and ${posts} posts in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DEMO: 'false', SESSION_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const parts = createApp(deps, config, pino({ level: 'silent' }));
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  close = () => parts.close();
  const base = `http://127.0.0.1:${(parts.server.address() as AddressInfo).port}`;
  deps.publicUrl = base;

  const big = topicRows[0];
  const bigPath = topicPath(site, { id: big.id, title: big.title });
  const busiest = (await deps.db.execute<{ slug: string; n: number }>(sql`select c.slug, count(*)::int as n from threads t join forum_categories c on c.id = t.category_id group by c.slug order by n desc limit 1`)).rows[0];
  const cases: Array<[string, string]> = [
    [`category page (/c/${busiest.slug}, ${busiest.n} topics)`, `/forum/bench/c/${busiest.slug}`],
    ['category page, second page', ''],
    ['forum home (categories and latest topics)', '/forum/bench'],
    [`500-post topic page, threaded (${BIG_TOPIC} posts)`, bigPath],
    ['500-post topic page, threaded, rendered anew', bigPath],
    ['500-post topic page, flat', `${bigPath}?view=flat`],
    ['500-post topic page, flat, rendered anew', `${bigPath}?view=flat`],
    ['topics API (latest, 30)', '/api/v1/forum/topics?site=bench'],
    ['search "ransom kidnapping"', `/api/v1/search?site=bench&q=${encodeURIComponent('ransom kidnapping')}`],
    ['search a phrase "drug trade"', `/api/v1/search?site=bench&q=${encodeURIComponent('"drug trade"')}`],
    ['search Arabic "المغرب"', `/api/v1/search?site=bench&q=${encodeURIComponent('المغرب')}`],
    ['search a rare word "Boutefliqa"', `/api/v1/search?site=bench&q=${encodeURIComponent('Boutefliqa')}`],
    ['search a common word "Africa"', `/api/v1/search?site=bench&q=${encodeURIComponent('Africa')}`],
  ];
  const first = await (await fetch(`${base}${cases[0][1]}`)).text();
  cases[1][1] = new URL(/<link rel="next" href="([^"]+)"/.exec(first)![1].replace(/&amp;/g, '&')).pathname + new URL(/<link rel="next" href="([^"]+)"/.exec(first)![1].replace(/&amp;/g, '&')).search;

  console.log(`\n${'what'.padEnd(52)}${'median'.padStart(10)}${'p95'.padStart(10)}${'queries'.padStart(9)}${'db ms'.padStart(8)}${'bytes'.padStart(9)}`);
  const searchMedians: number[] = [];
  for (const [name, url] of cases) {
    const samples: number[] = [];
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < RUNS + 5; i++) {
      // As after a change to the topic: the shared rendering is gone.
      if (name.endsWith('rendered anew')) topicPageCache(deps).forget(big.id);
      queries = 0;
      sent = [];
      const t0 = performance.now();
      const res = await fetch(`${base}${url}`);
      const body = await res.text();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
      if (i >= 5) samples.push(ms); // the first few warm caches and prepare statements
      count = queries;
      bytes = body.length;
    }
    const { median, p95 } = stats(samples);
    const db = await databaseMs(sent);
    if (name.startsWith('search')) searchMedians.push(median);
    console.log(`${name.padEnd(52)}${`${median.toFixed(1)} ms`.padStart(10)}${`${p95.toFixed(1)} ms`.padStart(10)}${String(count).padStart(9)}${db.toFixed(1).padStart(8)}${String(bytes).padStart(9)}`);
  }
  console.log(`\nsearch, median of the medians: ${stats(searchMedians).median.toFixed(1)} ms`);
} finally {
  await close();
  await database.close();
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
