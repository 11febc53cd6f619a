/**
 * Export benchmark: fills a site with BENCH_COMMENTS comments (200,000 by default; 100 a thread,
 * a third of them replies, 5,000 readers, a vote for every second comment) straight in SQL, then
 * runs the real CLI: `export json` and `export disqus` to files, and `import json` of the first
 * into an empty database. Prints each one's time, rate, peak memory (the process's max RSS) and
 * output size: memory that stays flat while the site grows is what streaming means here.
 *
 * `npm run bench:export`; BENCH_COMMENTS=50000 to compare.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 200_000);
const root = path.resolve(import.meta.dirname, '..');

async function fill(url: string): Promise<void> {
  const database = openDatabase(url);
  await applyMigrations(database.db);
  await database.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const threads = Math.ceil(COMMENTS / 100);
  const tops = Math.ceil((COMMENTS * 2) / 3);
  await client.query(`
    insert into sites (slug, name, allowed_origins) values ('bench', 'Bench', '{https://bench.example}');
    create temp table r as select gen_random_uuid() as id, 'Reader ' || g as name, g from generate_series(1, 5000) g;
    insert into users (id, display_name, name_key, email, is_guest) select id, name, lower(name), 'reader' || g || '@example.org', true from r;
    create temp table t as select gen_random_uuid() as id, g from generate_series(0, ${threads - 1}) g;
    insert into threads (id, site_id, key, url, title, comment_count)
      select id, (select id from sites where slug = 'bench'), 'article-' || g, 'https://bench.example/articles/' || g, 'Article ' || g || ' & more', 100 from t;
    create temp table c as select gen_random_uuid() as id, g from generate_series(0, ${COMMENTS - 1}) g;
    insert into comments (id, site_id, thread_id, parent_id, root_id, depth, author_id, author_name, author_is_guest, body_source, body_html, status, created_at)
      select c.id, (select id from sites where slug = 'bench'), t.id, null, c.id, 0, r.id, r.name, true,
             'the analysis of regional security shows that intelligence services rarely share what they know ' || c.g,
             '<p>the analysis of regional security shows that intelligence services rarely share what they know ' || c.g || '</p>',
             case when c.g % 97 = 0 then 'spam' else 'approved' end, timestamptz '2015-01-01' + c.g * interval '1 minute'
        from c join t on t.g = c.g % ${threads} join r on r.g = 1 + c.g % 5000 where c.g < ${tops};
    insert into comments (id, site_id, thread_id, parent_id, root_id, depth, author_id, author_name, author_is_guest, body_source, body_html, status, created_at)
      select c.id, p.site_id, p.thread_id, p.id, p.id, 1, r.id, r.name, true, 'a reply ' || c.g, '<p>a reply ' || c.g || '</p>', 'approved',
             p.created_at + interval '1 second'
        from c join c as pc on pc.g = c.g - ${tops} join comments p on p.id = pc.id join r on r.g = 1 + c.g % 5000 where c.g >= ${tops};
    insert into votes (comment_id, user_id, value) select c.id, r.id, 1 from c join r on r.g = 1 + (c.g * 7) % 5000 where c.g % 2 = 0;
    analyze;`);
  await client.end();
}

/** Runs the compiled CLI under /usr/bin/time: seconds and peak RSS (MB) of the process. */
function cli(args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<{ seconds: number; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, path.join(root, 'dist/server/cli.js'), ...args], { env, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => {
      if (typeof out === 'number') closeSync(out);
      const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`parley ${args.join(' ')} failed:\n${stderr}`));
      else resolve({ seconds: Number(m[1]), peakMb: Math.round(Number(m[2]) / 1024) });
    });
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'parley-bench-export-'));
  chmodSync(scratch, 0o755); // the embedded PostgreSQL runs as its own user when this runs as root
  const server = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: 0, database: 'bench' });
  try {
    const started = Date.now();
    await fill(server.url);
    console.log(`Filled a site with ${COMMENTS.toLocaleString('en')} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('create database bench_import');
    await admin.end();
    const env = (url: string) => ({ ...process.env, DATABASE_URL: url, SESSION_SECRET: 'bench-secret-bench-secret', DEMO: 'false', LOG_LEVEL: 'warn' });
    const importUrl = new URL(server.url);
    importUrl.pathname = '/bench_import';
    const json = path.join(scratch, 'site.jsonl');
    const xml = path.join(scratch, 'site.xml');
    const rows = [
      ['export json', await cli(['export', 'json', '--site', 'bench'], env(server.url), json), statSync(json).size],
      ['export disqus', await cli(['export', 'disqus', '--site', 'bench'], env(server.url), xml), statSync(xml).size],
      ['import json (empty database)', await cli(['import', 'json', json], env(importUrl.toString())), statSync(json).size],
    ] as const;
    console.log(`\n| ${COMMENTS.toLocaleString('en')} comments | time | comments/s | peak RSS | file |\n|---|---|---|---|---|`);
    for (const [what, run, bytes] of rows) {
      console.log(`| ${what} | ${run.seconds.toFixed(1)} s | ${Math.round(COMMENTS / run.seconds).toLocaleString('en')} | ${run.peakMb} MB | ${(bytes / 1e6).toFixed(0)} MB |`);
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
