import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/server/sites/service.js';
import { DisqusFormatError } from '../../src/server/imports/disqus.js';
import { importDisqus, type ImportReport } from '../../src/server/imports/service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'tests/fixtures/disqus');
const scratch = mkdtempSync(path.join(tmpdir(), 'parley-disqus-'));
let app: TestApp;
let sites = 0;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

/** A fresh site per test: imports do not see each other. */
async function newSite(): Promise<string> {
  const slug = `import-${++sites}`;
  await createSite(app.deps, { slug, name: slug, origins: ['https://news.example.org'] });
  return slug;
}

const fromFile = (file: string) => () => createReadStream(file);
const fromText = (xml: string) => () => Readable.from([Buffer.from(xml)]);

async function rows(slug: string) {
  const { rows: found } = await app.database.pool.query(
    `select c.import_id as id, p.import_id as parent, r.import_id as root, c.depth, c.status, c.author_name, c.author_email, c.author_is_guest,
            c.body_html, c.body_source, c.created_at, t.key as thread
       from comments c join sites s on s.id = c.site_id join threads t on t.id = c.thread_id
       left join comments p on p.id = c.parent_id left join comments r on r.id = c.root_id
      where s.slug = $1 order by c.import_id`, [slug]);
  return found;
}
async function threadRows(slug: string) {
  const { rows: found } = await app.database.pool.query(
    `select t.key, t.url, t.title, t.status, t.comment_count, t.created_at from threads t join sites s on s.id = t.site_id where s.slug = $1 order by t.key`, [slug]);
  return found;
}

interface GenPost { id: string; thread: string; parent?: string; deleted?: boolean; spam?: boolean; at?: string; message?: string }
/** A Disqus export as Disqus writes it (no indentation), with posts in the order given. */
function generate(threadList: Array<{ id: string; identifier?: string; link: string; title?: string }>, posts: GenPost[]): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>',
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">',
    '<category dsq:id="1"><forum>gen</forum><title>General</title><isDefault>true</isDefault></category>'];
  for (const t of threadList) {
    out.push(`<thread dsq:id="${t.id}"><id>${t.identifier ?? ''}</id><forum>gen</forum><category dsq:id="1"/><link>${t.link}</link><title>${t.title ?? ''}</title>`
      + '<message/><createdAt>2015-01-02T03:04:05Z</createdAt><author><name>Owner</name><isAnonymous>false</isAnonymous><username>owner</username></author>'
      + '<ipAddress>127.0.0.1</ipAddress><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>');
  }
  for (const p of posts) {
    out.push(`<post dsq:id="${p.id}"><id/><message><![CDATA[${p.message ?? `<p>Post ${p.id}</p>`}]]></message><createdAt>${p.at ?? '2016-05-06T07:08:09Z'}</createdAt>`
      + `<isDeleted>${p.deleted ? 'true' : 'false'}</isDeleted><isSpam>${p.spam ? 'true' : 'false'}</isSpam>`
      + `<author><email>p${p.id}@mail.example</email><name>Author ${p.id}</name><isAnonymous>true</isAnonymous></author>`
      + `<ipAddress>10.0.0.1</ipAddress><thread dsq:id="${p.thread}"/>${p.parent ? `<parent dsq:id="${p.parent}"/>` : ''}</post>`);
  }
  out.push('</disqus>');
  return out.join('\n');
}

/** Replies before their parents, a chain twelve deep written leaf first, spam, a deleted parent, a deleted leaf. */
function nastyExport(extra: GenPost[] = []): string {
  const chain: GenPost[] = [];
  for (let d = 11; d >= 0; d--) chain.push({ id: `c${d}`, thread: '100', parent: d > 0 ? `c${d - 1}` : undefined, at: `2016-01-01T00:00:${String(d).padStart(2, '0')}Z` });
  return generate([
    { id: '100', identifier: 'chain-article', link: 'http://old.example/chain', title: 'It&amp;amp;#8217;s deep' },
    { id: '200', link: 'http://old.example/blog/other/?utm_source=x', title: 'Other' },
  ], [
    ...chain,
    { id: 'r1', thread: '200', parent: 'top' },
    { id: 'top', thread: '200', message: '<p>Hello <a href="https://x.example/">there</a> &amp; <script>alert(1)</script></p>' },
    { id: 'spam1', thread: '200', spam: true, message: '<p>buy <a href="https://junk.example">pills</a></p>' },
    { id: 'gone-reply', thread: '200', parent: 'gone' },
    { id: 'gone', thread: '200', deleted: true },
    { id: 'gone-leaf', thread: '200', deleted: true },
    { id: 'lost', thread: '200', parent: 'never-there' },
    { id: 'lost-child', thread: '200', parent: 'lost' },
    ...extra,
  ]);
}

const withoutRunFlags = (report: ImportReport) => ({ ...report, dryRun: undefined });

describe('Disqus import: the public fixtures', () => {
  it('imports isso\'s sample: threads by identifier or link, replies, a deleted parent kept as placeholder, the orphan reported', async () => {
    const slug = await newSite();
    const report = await importDisqus(app.deps, { siteSlug: slug, open: fromFile(path.join(fixtures, 'isso-disqus.xml')) });
    assert.deepEqual(await threadRows(slug), [
      { key: 'https://localhost:4000/blog/2013/02/12/redacted', url: 'http://localhost:4000/blog/2013/02/12/redacted/index.html', title: null, status: 'open', comment_count: 1, created_at: new Date('2013-02-12T16:29:45Z') },
      { key: 'some-id', url: 'http://example.org/', title: 'Hello, World!', status: 'open', comment_count: 3, created_at: new Date('2012-12-12T12:12:12Z') },
    ]);
    const stored = await rows(slug);
    assert.deepEqual(stored.map((r) => [r.id, r.parent, r.root, r.depth, r.status, r.thread]), [
      ['11', '9', '9', 1, 'approved', 'some-id'],
      ['4', null, '4', 0, 'approved', 'some-id'],
      ['5', '4', '4', 1, 'approved', 'some-id'],
      ['8', null, '8', 0, 'approved', 'https://localhost:4000/blog/2013/02/12/redacted'],
      ['9', null, '9', 0, 'deleted', 'some-id'],
    ]);
    const byId = Object.fromEntries(stored.map((r) => [r.id, r]));
    assert.equal(byId['5'].body_html, '<p>Hello, World.</p>');
    assert.equal(byId['5'].body_source, 'Hello, World.');
    assert.equal(byId['4'].body_html, '<p>...</p>');
    assert.equal(byId['9'].body_html, '');
    assert.deepEqual(byId['11'].created_at, new Date('2013-10-11T06:52:33Z'));
    assert.deepEqual([byId['8'].author_name, byId['8'].author_email, byId['8'].author_is_guest], ['Empty', 'baz@email.foo', true]);
    assert.deepEqual(report.totals, {
      threadsInFile: 3, threadsCreated: 2, postsInFile: 6, imported: 5, alreadyPresent: 0, skipped: 1, byReason: { 'orphan-thread': 1 },
    });
    assert.deepEqual(report.threadsSkipped, [{ id: '3', reason: 'no-key' }]);
    assert.deepEqual(report.postsWithoutThread, [{ id: '6', threadId: '1337', reason: 'orphan-thread' }]);
    assert.deepEqual(report.threads.map((t) => [t.key, t.inFile, t.imported, t.skipped]), [
      ['some-id', 4, 4, []],
      ['https://localhost:4000/blog/2013/02/12/redacted', 1, 1, []],
    ]);
  });

  it('refuses remark42\'s malformed sample (junk before <?xml) naming line and column, and writes nothing', async () => {
    const slug = await newSite();
    await assert.rejects(
      importDisqus(app.deps, { siteSlug: slug, open: fromFile(path.join(fixtures, 'remark42-disqus.xml')) }),
      (err: unknown) => err instanceof DisqusFormatError && err.line === 1 && /line 1, column \d+/.test(err.message),
    );
    assert.deepEqual(await rows(slug), []);
    assert.deepEqual(await threadRows(slug), []);
  });
});

describe('Disqus import: broken and hostile input', () => {
  it('a truncated file: the error names where the file stops, nothing is written', async () => {
    const slug = await newSite();
    const whole = nastyExport();
    const cut = whole.slice(0, Math.floor(whole.length * 0.7));
    const lines = cut.split('\n').length;
    await assert.rejects(
      importDisqus(app.deps, { siteSlug: slug, open: fromText(cut) }),
      (err: unknown) => err instanceof DisqusFormatError && err.line === lines && /line \d+, column \d+/.test(err.message),
    );
    assert.deepEqual(await rows(slug), []);
    assert.deepEqual(await threadRows(slug), []);
  });

  it('malformed XML in the middle (an unquoted attribute) names its line', async () => {
    const slug = await newSite();
    const bad = nastyExport().replace('<thread dsq:id="200"/><parent dsq:id="top"/>', '<thread dsq:id=200/><parent dsq:id="top"/>');
    const line = bad.split('\n').findIndex((l) => l.includes('dsq:id=200/')) + 1;
    await assert.rejects(importDisqus(app.deps, { siteSlug: slug, open: fromText(bad) }), (err: unknown) => err instanceof DisqusFormatError && err.line === line);
    assert.deepEqual(await rows(slug), []);
  });

  it('refuses any DOCTYPE: an entity bomb or an external entity is never expanded', async () => {
    const slug = await newSite();
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
      + '<disqus xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="1"><id>x</id><title>&c;</title></thread></disqus>';
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<disqus><thread><id>&xxe;</id></thread></disqus>';
    for (const xml of [bomb, xxe]) {
      await assert.rejects(importDisqus(app.deps, { siteSlug: slug, open: fromText(xml) }), (err: unknown) => err instanceof DisqusFormatError && /DOCTYPE is refused/.test(err.message) && err.line === 2);
    }
    assert.deepEqual(await threadRows(slug), []);
  });
});

describe('Disqus import: trees, idempotence, top-up, dry run', () => {
  it('a file with nothing to write still reports every post, and a deleted thread hides its posts', async () => {
    const slug = await newSite();
    const xml = generate([{ id: '1', identifier: 'kept', link: 'https://news.example.org/kept' }, { id: '2', identifier: 'gone', link: 'https://news.example.org/gone' }], [
      { id: 'a', thread: '1', deleted: true }, { id: 'b', thread: '9' }, { id: 'c', thread: '2' }, { id: 'd', thread: '1', at: '2016-13-45T00:00:00Z' },
    ]).replace('<isDeleted>false</isDeleted></thread>\n<post', '<isDeleted>true</isDeleted></thread>\n<post');
    const report = await importDisqus(app.deps, { siteSlug: slug, open: fromText(xml) });
    assert.deepEqual(report.totals.byReason, { deleted: 1, 'orphan-thread': 1, 'thread-deleted': 1, 'bad-date': 1 });
    assert.deepEqual(report.threads.map((t) => [t.key, t.inFile, t.imported, t.skipped.map((s) => s.reason)]), [['kept', 2, 0, ['deleted', 'bad-date']]]);
    assert.deepEqual(report.threadsSkipped, [{ id: '2', reason: 'deleted' }]);
    assert.deepEqual(report.postsWithoutThread.map((p) => [p.id, p.reason]), [['b', 'orphan-thread'], ['c', 'thread-deleted']]);
    assert.deepEqual((await threadRows(slug)).map((t) => t.key), ['kept']);
    assert.deepEqual(await rows(slug), []);
  });

  it('keeps a chain twelve deep written leaf first, replies before parents, spam hidden, orphans reported', async () => {
    const slug = await newSite();
    const report = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()), mapUrl: [{ from: 'http://old.example/', to: 'https://news.example.org/' }], batchSize: 3 });
    assert.equal(report.rounds, 12, 'one round per level written before its parent');
    const stored = Object.fromEntries((await rows(slug)).map((r) => [r.id, r]));
    for (let d = 0; d < 12; d++) {
      const c = stored[`c${d}`];
      assert.deepEqual([c.parent, c.root, c.depth, c.status, c.thread], [d === 0 ? null : `c${d - 1}`, 'c0', d, 'approved', 'chain-article']);
      assert.deepEqual(c.created_at, new Date(`2016-01-01T00:00:${String(d).padStart(2, '0')}Z`));
    }
    assert.deepEqual([stored.r1.parent, stored.r1.depth, stored.r1.thread], ['top', 1, 'https://news.example.org/blog/other']);
    assert.equal(stored.top.body_html, '<p>Hello <a href="https://x.example/" rel="nofollow ugc noopener noreferrer" target="_blank">there</a> &amp; </p>');
    assert.equal(stored.top.body_source, 'Hello [there](https://x.example/) &');
    assert.equal(stored.spam1.status, 'spam');
    assert.deepEqual([stored.gone.status, stored.gone.body_html, stored['gone-reply'].parent], ['deleted', '', 'gone']);
    assert.equal(stored['gone-leaf'], undefined);
    assert.equal(stored.lost, undefined);
    assert.equal(stored['lost-child'], undefined);
    assert.deepEqual(await threadRows(slug).then((ts) => ts.map((t) => [t.key, t.url, t.title, t.comment_count])), [
      ['chain-article', 'https://news.example.org/chain', 'It’s deep', 12],
      ['https://news.example.org/blog/other', 'https://news.example.org/blog/other/?utm_source=x', 'Other', 3],
    ]);
    const other = report.threads.find((t) => t.title === 'Other')!;
    assert.deepEqual([other.inFile, other.imported], [8, 4]);
    assert.deepEqual(other.skipped.sort((a, b) => a.id.localeCompare(b.id)), [
      { id: 'gone-leaf', reason: 'deleted' }, { id: 'lost', reason: 'orphan-parent' }, { id: 'lost-child', reason: 'orphan-parent' },
      { id: 'spam1', reason: 'spam-imported-hidden' },
    ]);
    assert.deepEqual(report.totals.byReason, { 'orphan-parent': 2, deleted: 1, 'spam-imported-hidden': 1 });
    assert.equal(report.totals.postsInFile, report.totals.imported + report.totals.skipped);
    // The widget finds the imported thread by the page's unchanged Disqus identifier.
    const thread = await openThreadOn(slug, 'chain-article');
    assert.equal(thread.commentCount, 12);
  });

  it('importing the same file again adds nothing; a newer export adds only the new posts', async () => {
    const slug = await newSite();
    const first = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()) });
    const before = await rows(slug);
    const counts = await threadRows(slug);
    const again = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()) });
    assert.equal(again.totals.imported, 0);
    assert.equal(again.totals.alreadyPresent, first.totals.imported, 'the spam row is reported as spam each time, not as present');
    assert.equal(again.totals.threadsCreated, 0);
    assert.deepEqual(await rows(slug), before);
    assert.deepEqual(await threadRows(slug), counts);
    const newer = nastyExport([{ id: 'new1', thread: '100', parent: 'c11' }, { id: 'new2', thread: '200' }]);
    const topUp = await importDisqus(app.deps, { siteSlug: slug, open: fromText(newer) });
    assert.equal(topUp.totals.imported, 2);
    const after = Object.fromEntries((await rows(slug)).map((r) => [r.id, r]));
    assert.equal(Object.keys(after).length, before.length + 2);
    assert.deepEqual([after.new1.parent, after.new1.depth, after.new1.root], ['c11', 12, 'c0']);
    assert.deepEqual((await threadRows(slug)).map((t) => t.comment_count), [13, 4]);
  });

  it('a dry run writes nothing and reports the same numbers as the real run', async () => {
    const slug = await newSite();
    const dry = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()), dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(await rows(slug), []);
    assert.deepEqual(await threadRows(slug), []);
    const real = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()) });
    assert.deepEqual(withoutRunFlags(dry), withoutRunFlags(real));
    const dryAgain = await importDisqus(app.deps, { siteSlug: slug, open: fromText(nastyExport()), dryRun: true });
    assert.equal(dryAgain.totals.imported, 0);
    assert.equal(dryAgain.totals.alreadyPresent, real.totals.imported);
  });
});

async function openThreadOn(slug: string, key: string) {
  const res = await fetch(`${app.url}/api/v1/threads?site=${slug}&key=${encodeURIComponent(key)}`, { headers: { origin: 'https://news.example.org' } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).thread as { commentCount: number };
}

describe('npm run parley -- import disqus', () => {
  function parley(...args: string[]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: app.database.url, DATA_DIR: path.join(root, '.tmp', 'cli-test') },
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  it('imports a file as an operator runs it: progress on stderr, the summary on stdout, JSON with --report', async () => {
    const slug = await newSite();
    const reportFile = path.join(scratch, 'report.json');
    const dry = parley('import', 'disqus', path.join(fixtures, 'isso-disqus.xml'), '--site', slug, '--dry-run');
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /Dry run \(nothing written\): 6 posts in 3 threads read/);
    assert.deepEqual(await rows(slug), []);
    const run = parley('import', 'disqus', path.join(fixtures, 'isso-disqus.xml'), '--site', slug, '--report', reportFile, '--map-url', 'http://example.org/=https://news.example.org/');
    assert.equal(run.code, 0, run.err);
    assert.match(run.err, /planning: 6 of 6 posts read/);
    assert.match(run.err, /writing: 6 of 6 posts read, 5 written/);
    assert.match(run.out, /Posts: 5 imported, 0 already present, 1 skipped \(orphan-thread: 1\)/);
    assert.match(run.out, /post 6: orphan-thread \(thread 1337\)/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ImportReport;
    assert.equal(report.totals.imported, 5);
    assert.equal(report.threads[0].url, 'https://news.example.org/');
    assert.equal((await rows(slug)).length, 5);
    const gz = path.join(scratch, 'export.xml.gz');
    writeFileSync(gz, gzipSync(readFileSync(path.join(fixtures, 'isso-disqus.xml'))));
    const again = parley('import', 'disqus', gz, '--site', slug);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /Posts: 0 imported, 5 already present, 1 skipped/);
  });

  it('a malformed file or an unknown site: exit 1 with a readable error', async () => {
    const slug = await newSite();
    const bad = parley('import', 'disqus', path.join(fixtures, 'remark42-disqus.xml'), '--site', slug);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not well-formed XML at line 1, column \d+/);
    const truncated = path.join(scratch, 'truncated.xml');
    writeFileSync(truncated, nastyExport().slice(0, 900));
    const cut = parley('import', 'disqus', truncated, '--site', slug);
    assert.equal(cut.code, 1);
    assert.match(cut.err, /line \d+, column \d+/);
    const nosite = parley('import', 'disqus', path.join(fixtures, 'isso-disqus.xml'), '--site', 'no-such-site');
    assert.equal(nosite.code, 1);
    assert.match(nosite.err, /no-such-site/);
  });
});
