import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSite } from '../../src/server/sites/service.js';
import { importComments } from '../../src/server/imports/service.js';
import { ImportBusyError } from '../../src/server/imports/checkpoint.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'parley-resume-'));
const file = path.join(scratch, 'export.xml');
const POSTS = 6000;
let app: TestApp;
let sites = 0;

/**
 * Half the posts are replies written before their parent (a second round, set aside on disk),
 * one in forty is deleted (kept as a placeholder when replied to), one in fifty is spam.
 */
function exportFile(): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'];
  for (let t = 0; t < 20; t++) {
    out.push(`<thread dsq:id="${t + 1}"><id>article-${t}</id><link>https://news.example.org/${t}</link><title>Article ${t}</title><createdAt>2015-01-01T00:00:00Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>`);
  }
  for (let i = 0; i < POSTS; i++) {
    const thread = (Math.floor(i / 2) % 20) + 1;
    const parent = i % 2 === 0 ? `<parent dsq:id="${1000 + i + 1}"/>` : '';
    out.push(`<post dsq:id="${1000 + i}"><message><![CDATA[<p>Post ${i}</p>]]></message><createdAt>2016-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z</createdAt>`
      + `<isDeleted>${i % 40 === 1}</isDeleted><isSpam>${i % 50 === 3}</isSpam><author><name>Reader ${i % 7}</name><isAnonymous>false</isAnonymous></author>`
      + `<ipAddress>192.0.2.${i % 250}</ipAddress><thread dsq:id="${thread}"/>${parent}</post>`);
  }
  out.push('</disqus>');
  return out.join('\n');
}

before(async () => {
  app = await startTestApp();
  writeFileSync(file, exportFile());
});
after(async () => { await app?.close(); });

async function newSite(): Promise<{ slug: string; id: string }> {
  const slug = `resume-${++sites}`;
  const site = await createSite(app.deps, { slug, name: slug, origins: ['https://news.example.org'] });
  return { slug, id: site.id };
}

/** Everything a reader or moderator could see of the site's comments, by Disqus id (row ids differ by site). */
async function snapshot(slug: string) {
  const { rows } = await app.database.pool.query(
    `select c.import_id, p.import_id as parent, r.import_id as root, c.depth, c.status, c.author_name, c.body_source, c.body_html,
            c.created_at, c.deleted_at is not null as deleted, c.moderation_reasons, t.key, t.comment_count
       from comments c join sites s on s.id = c.site_id join threads t on t.id = c.thread_id
       left join comments p on p.id = c.parent_id left join comments r on r.id = c.root_id
      where s.slug = $1 order by c.import_id`, [slug]);
  return rows;
}

async function checkpointOf(siteId: string) {
  const { rows } = await app.database.pool.query('select status, round, posts_done, created_at from import_runs where site_id = $1', [siteId]);
  return rows[0] as { status: string; round: number; posts_done: number; created_at: Date } | undefined;
}

function cli(slug: string) {
  return spawn(process.execPath, ['dist/server/cli.js', 'import', 'disqus', file, '--site', slug, '--batch-size', '25'], {
    cwd: root, env: { ...process.env, DATABASE_URL: app.database.url, DATA_DIR: path.join(root, '.tmp', 'cli-test') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the CLI and kills it with SIGKILL once the checkpoint shows the given round under way. */
async function importKilledDuring(slug: string, siteId: string, round: number): Promise<void> {
  const child = cli(slug);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (;;) {
    const run = await checkpointOf(siteId);
    if (run && run.round === round && run.posts_done >= 250) break;
    if (run?.status === 'done' || child.exitCode !== null) assert.fail(`the import ended before it could be killed in round ${round}`);
    await sleep(5);
  }
  child.kill('SIGKILL');
  await exited;
}

function resume(slug: string): string {
  const run = spawnSync(process.execPath, ['dist/server/cli.js', 'import', 'disqus', file, '--site', slug, '--batch-size', '25'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: app.database.url, DATA_DIR: path.join(root, '.tmp', 'cli-test') },
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe('an import killed with kill -9 and run again', () => {
  let reference: Awaited<ReturnType<typeof snapshot>>;
  let referenceTotals: string;
  before(async () => {
    const { slug } = await newSite();
    const report = await importComments(app.deps, { format: 'disqus', siteSlug: slug, open: () => createReadStream(file) });
    assert.equal(report.rounds, 2);
    reference = await snapshot(slug);
    referenceTotals = `Posts: ${report.totals.imported} imported, 0 already present, ${report.totals.skipped} skipped`;
    assert.ok(reference.length > 5000);
  });

  for (const round of [0, 1]) {
    it(`killed while writing round ${round}: the second run resumes and ends with exactly the data of an uninterrupted run`, async () => {
      const { slug, id } = await newSite();
      await importKilledDuring(slug, id, round);
      const cut = await snapshot(slug);
      const stopped = (await checkpointOf(id))!;
      assert.equal(stopped.status, 'running');
      assert.ok(cut.length > 0 && cut.length < reference.length, `the kill left a partial import (${cut.length} of ${reference.length})`);

      const out = resume(slug);
      assert.match(out, /Resumed an interrupted import/);
      assert.match(out, new RegExp(referenceTotals), 'the report counts the rows of both runs, as one run would');
      assert.deepEqual(await snapshot(slug), reference);
      const done = (await checkpointOf(id))!;
      assert.equal(done.status, 'done');
      const { rows: stamps } = await app.database.pool.query(
        'select distinct deleted_at from comments where site_id = $1 and deleted_at is not null', [id]);
      assert.deepEqual(stamps.map((r) => r.deleted_at.getTime()), [stopped.created_at.getTime()], 'placeholders of both runs carry the run\'s one date');
    });
  }

  it('a second import into the same site while one runs is refused, and the first one is whole', async () => {
    const { slug } = await newSite();
    const runs = await Promise.allSettled([0, 1].map(() => importComments(app.deps, { format: 'disqus', siteSlug: slug, open: () => createReadStream(file) })));
    const refused = runs.filter((r) => r.status === 'rejected');
    assert.equal(refused.length, 1);
    assert.ok((refused[0] as PromiseRejectedResult).reason instanceof ImportBusyError);
    assert.deepEqual(await snapshot(slug), reference);
  });
});
