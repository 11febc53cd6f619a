/**
 * Import benchmark: generates a Disqus export (BENCH_POSTS posts, 200,000 by default, about
 * 100 posts a thread, a third of them replies, one reply in fifty before its parent, spam and
 * deleted posts sprinkled in), then runs the real CLI (`parley import disqus`) on it against an
 * embedded PostgreSQL and prints posts per second, the CLI's peak memory and the file's size.
 *
 * `npm run bench:import`; BENCH_POSTS=1500000 for a file of about 1 GB; BENCH_KEEP=1 keeps the file.
 */
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

const POSTS = Number(process.env.BENCH_POSTS ?? 200_000);
const PER_THREAD = 100;
const root = path.resolve(import.meta.dirname, '..');
const PARLEY_FLAGS = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.parley as string)
  .split(' ').filter((word) => word.startsWith('--'));

const WORDS = 'the analysis of regional security shows that intelligence services rarely share what they know with allies until a crisis forces them'.split(' ');
function message(i: number): string {
  const words: string[] = [];
  for (let w = 0; w < 30 + (i % 40); w++) words.push(WORDS[(i * 7 + w * 13) % WORDS.length]);
  const text = words.join(' ');
  return i % 5 === 0 ? `<p>${text}</p><p>See <a href="https://example.org/${i}">source ${i}</a> &amp; more.</p>` : `<p>${text}</p>`;
}

/** Writes the export as Disqus does (one line, CDATA messages), and returns its size in bytes. */
export async function generateExport(file: string, posts: number): Promise<number> {
  const out = createWriteStream(file);
  const write = async (text: string) => { if (!out.write(text)) await once(out, 'drain'); };
  await write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">');
  await write('<category dsq:id="1"><forum>bench</forum><title>General</title><isDefault>true</isDefault></category>');
  const threads = Math.ceil(posts / PER_THREAD);
  for (let t = 0; t < threads; t++) {
    await write(`<thread dsq:id="${1_000_000 + t}"><id>article-${t}</id><forum>bench</forum><category dsq:id="1"/><link>https://bench.example/articles/${t}</link>`
      + `<title>Article ${t} &amp;#8217;s title</title><message/><createdAt>2014-01-01T00:00:00Z</createdAt><author><name>Editor</name><isAnonymous>false</isAnonymous><username>editor</username></author>`
      + `<ipAddress>10.0.0.1</ipAddress><isClosed>${t % 50 === 0}</isClosed><isDeleted>false</isDeleted></thread>`);
  }
  for (let i = 0; i < posts; i++) {
    const thread = Math.floor(i / PER_THREAD);
    const inThread = i % PER_THREAD;
    // Replies point back up to three posts; one in fifty points forward (its parent comes later in the file).
    let parent: number | null = null;
    if (inThread % 3 === 2) parent = i - 1 - ((i >> 2) % 2);
    else if (inThread % 50 === 7 && inThread + 3 < PER_THREAD) parent = i + 3;
    const at = new Date(Date.UTC(2015, 0, 1) + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await write(`<post dsq:id="${10_000_000 + i}"><id>wp_id=${i}</id><message><![CDATA[${message(i)}]]></message><createdAt>${at}</createdAt>`
      + `<isDeleted>${i % 97 === 0}</isDeleted><isSpam>${i % 89 === 0}</isSpam>`
      + `<author><email>reader${i % 5000}@example.org</email><name>Reader ${i % 5000}</name><isAnonymous>${i % 11 === 0}</isAnonymous><username>reader${i % 5000}</username></author>`
      + `<ipAddress>192.0.2.${i % 250}</ipAddress><thread dsq:id="${1_000_000 + thread}"/>${parent === null ? '' : `<parent dsq:id="${10_000_000 + parent}"/>`}</post>`);
  }
  await write('</disqus>\n');
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

async function main(): Promise<void> {
  const { startEmbeddedPostgres } = await import('../src/server/db/embedded.js');
  const scratch = mkdtempSync(path.join(tmpdir(), 'parley-bench-import-'));
  chmodSync(scratch, 0o755); // the embedded PostgreSQL runs as its own user when this runs as root
  const file = path.join(scratch, 'export.xml');
  const started = Date.now();
  const bytes = await generateExport(file, POSTS);
  console.log(`Generated ${POSTS.toLocaleString('en')} posts, ${(bytes / 1e6).toFixed(0)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const server = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: 0, database: 'bench' });
  try {
    const env = { ...process.env, DATABASE_URL: server.url, SESSION_SECRET: 'bench-secret-bench-secret', DEMO: 'false', LOG_LEVEL: 'warn' };
    const cli = (args: string[]) => new Promise<{ code: number | null; stdout: string }>((resolve) => {
      // As `npm run parley` runs it, with the same node flags (its heap bound).
      const child = spawn(process.execPath, [...PARLEY_FLAGS, path.join(root, 'dist/server/cli.js'), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    await cli(['create-site', '--slug', 'bench', '--name', 'Bench', '--origin', 'https://bench.example']);
    const t0 = Date.now();
    const run = await cli(['import', 'disqus', file, '--site', 'bench']);
    const seconds = (Date.now() - t0) / 1000;
    if (run.code !== 0) throw new Error(`the import failed:\n${run.stdout}`);
    const peak = /peak memory (\d+) MB/.exec(run.stdout)?.[1] ?? '?';
    console.log(run.stdout.trim().split('\n').slice(0, 4).join('\n'));
    console.log(`\n| posts | file | time | posts/s | peak RSS |\n|---|---|---|---|---|`);
    console.log(`| ${POSTS.toLocaleString('en')} | ${(bytes / 1e6).toFixed(0)} MB | ${seconds.toFixed(1)} s | ${Math.round(POSTS / seconds).toLocaleString('en')} | ${peak} MB |`);
  } finally {
    await server.stop();
    if (process.env.BENCH_KEEP !== '1') rmSync(scratch, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}

if (process.argv[1] === import.meta.filename) await main();
