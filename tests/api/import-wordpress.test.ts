import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/server/sites/service.js';
import { importComments } from '../../src/server/imports/service.js';
import { WordPressFormatError } from '../../src/server/imports/wordpress.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/wordpress/isso-wordpress.xml');
let app: TestApp;
let sites = 0;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

/** A site whose plain permalinks (`?p=4`) name pages, as a WordPress blog without pretty links needs. */
async function newSite(): Promise<string> {
  const slug = `wp-${++sites}`;
  await createSite(app.deps, { slug, name: slug, origins: ['https://example.tld'], significantQueryParams: ['p'] });
  return slug;
}

const fromText = (xml: string) => () => Readable.from([Buffer.from(xml)]);

async function rows(slug: string) {
  const { rows: found } = await app.database.pool.query(
    `select c.import_id as id, p.import_id as parent, c.depth, c.status, c.author_name, c.author_email, c.body_html, c.created_at, t.key as thread
       from comments c join sites s on s.id = c.site_id join threads t on t.id = c.thread_id left join comments p on p.id = c.parent_id
      where s.slug = $1 order by c.created_at, c.import_id`, [slug]);
  return found;
}

interface WpComment { id: number; parent?: number; approved?: string; type?: string; content?: string; date?: string }
function wxr(items: Array<{ postId: number; link: string; title?: string; status?: string; commentStatus?: string; comments: WpComment[] }>): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'];
  for (const item of items) {
    out.push(`<item><title>${item.title ?? 'Post'}</title><link>${item.link}</link><content:encoded><![CDATA[<p>The article's own long body</p>]]></content:encoded>`
      + `<wp:post_id>${item.postId}</wp:post_id><wp:post_date_gmt>2019-03-04 05:06:07</wp:post_date_gmt><wp:comment_status>${item.commentStatus ?? 'open'}</wp:comment_status>`
      + `<wp:status>${item.status ?? 'publish'}</wp:status><wp:post_type>post</wp:post_type>`);
    for (const c of item.comments) {
      out.push(`<wp:comment><wp:comment_id>${c.id}</wp:comment_id><wp:comment_author><![CDATA[Reader ${c.id}]]></wp:comment_author>`
        + `<wp:comment_author_email>r${c.id}@mail.example</wp:comment_author_email><wp:comment_author_IP>192.0.2.${c.id}</wp:comment_author_IP>`
        + `<wp:comment_date_gmt>${c.date ?? `2019-03-05 00:00:${String(c.id).padStart(2, '0')}`}</wp:comment_date_gmt>`
        + `<wp:comment_content><![CDATA[${c.content ?? `Comment ${c.id}`}]]></wp:comment_content><wp:comment_approved>${c.approved ?? '1'}</wp:comment_approved>`
        + `<wp:comment_type>${c.type ?? 'comment'}</wp:comment_type><wp:comment_parent>${c.parent ?? 0}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>`);
    }
    out.push('</item>');
  }
  out.push('</channel></rss>');
  return out.join('\n');
}

describe('WordPress import', () => {
  it('imports isso\'s sample: threads by link (plain permalinks too), replies, GMT dates, trimmed emails, multi-line comments as paragraphs', async () => {
    const slug = await newSite();
    const report = await importComments(app.deps, { format: 'wordpress', siteSlug: slug, open: () => createReadStream(fixture) });
    assert.deepEqual(report.threads.map((t) => [t.key, t.inFile, t.imported]), [
      ['https://example.tld/2014/test', 7, 7],
      ['https://example.tld?p=4', 1, 1],
    ], 'the item nobody commented on makes no thread');
    const found = await rows(slug);
    assert.deepEqual(found.map((r) => [r.id, r.parent, r.depth]), [
      ['18:2', null, 0], ['18:6', null, 0], ['18:7', '18:6', 1], ['18:8', '18:7', 2], ['18:9', '18:7', 2],
      ['http://example.tld/?p=4:11', null, 0], ['18:10', null, 0], ['18:11', null, 0],
    ], 'comment 11 of both items is kept: each under its own post');
    const first = found[0];
    assert.equal(first.author_name, 'Ohai');
    assert.equal(first.author_email, 'test@example.org');
    assert.equal(first.body_html, '<p>Erster!1</p>');
    assert.equal(first.created_at.toISOString(), '2014-01-14T17:32:12.000Z');
    const multiline = found.find((r) => r.id === '18:10');
    assert.equal(multiline.body_html, '<p>When you have a comment with multiple lines:<br />WordPress exports it like this.</p>');
    assert.equal(multiline.created_at.toISOString(), '2022-06-06T02:13:14.000Z', 'the GMT date, not the local one');
    const { rows: [ip] } = await app.database.pool.query(`select ip_hash from comments where import_id = '18:2' and site_id = (select id from sites where slug = $1)`, [slug]);
    assert.ok(ip.ip_hash && !ip.ip_hash.includes('82.119'), 'the address is kept only as a keyed hash');
  });

  it('approval states, spam, trash with replies, pingbacks, a closed and a trashed post; again adds nothing', async () => {
    const slug = await newSite();
    const xml = wxr([
      { postId: 5, link: 'https://example.tld/a/', title: 'Caf&amp;eacute; &amp;amp; analysis', commentStatus: 'closed', comments: [
        { id: 1 }, { id: 2, approved: '0' }, { id: 3, approved: 'spam' }, { id: 4, approved: 'trash' }, { id: 5, parent: 4 },
        { id: 6, approved: 'trash' }, { id: 7, type: 'pingback', content: '[...] linked here [...]' },
        { id: 8, content: 'First paragraph with <em>emphasis</em>\n\nSecond <a href="https://example.org/">link</a>\nand a break <script>alert(1)</script>' },
        { id: 9, parent: 12 }, { id: 12 },
      ] },
      { postId: 6, link: 'https://example.tld/gone/', status: 'trash', comments: [{ id: 10 }] },
    ]);
    const report = await importComments(app.deps, { format: 'wordpress', siteSlug: slug, open: fromText(xml) });
    assert.equal(report.threads[0].title, 'Café & analysis');
    assert.deepEqual(report.totals.byReason, { 'spam-imported-hidden': 1, deleted: 1, pingback: 1, 'thread-deleted': 1 });
    assert.equal(report.totals.imported, 7, '1, 2 (pending), 4 (placeholder), 5, 8, 9 and 12');
    const found = Object.fromEntries((await rows(slug)).map((r) => [r.id, r]));
    assert.deepEqual(Object.keys(found).sort(), ['5:1', '5:12', '5:2', '5:3', '5:4', '5:5', '5:8', '5:9']);
    assert.equal(found['5:2'].status, 'pending');
    assert.equal(found['5:3'].status, 'spam');
    assert.deepEqual([found['5:4'].status, found['5:4'].body_html], ['deleted', ''], 'a trashed comment with a reply stays as a placeholder');
    assert.deepEqual([found['5:5'].parent, found['5:9'].parent], ['5:4', '5:12'], 'a reply written before its parent keeps it');
    assert.equal(found['5:8'].body_html,
      '<p>First paragraph with <em>emphasis</em></p><p>Second <a href="https://example.org/" rel="nofollow ugc noopener noreferrer" target="_blank">link</a><br />and a break </p>');
    const { rows: [thread] } = await app.database.pool.query(`select status, comment_count from threads where key = 'https://example.tld/a' and site_id = (select id from sites where slug = $1)`, [slug]);
    assert.deepEqual(thread, { status: 'closed', comment_count: 5 }, 'approved comments counted; pending, spam and the placeholder not');
    const again = await importComments(app.deps, { format: 'wordpress', siteSlug: slug, open: fromText(xml) });
    assert.deepEqual([again.totals.imported, again.totals.alreadyPresent], [0, 7]);
    assert.equal((await rows(slug)).length, 8);
  });

  it('refuses a file that is not a WordPress export, or is cut short, naming where, and writes nothing', async () => {
    const slug = await newSite();
    await assert.rejects(importComments(app.deps, { format: 'wordpress', siteSlug: slug, open: fromText('<?xml version="1.0"?>\n<disqus></disqus>') }),
      (err: unknown) => err instanceof WordPressFormatError && /line 2, column \d+: the root element is <disqus>, not <rss>/.test(err.message));
    const xml = wxr([{ postId: 1, link: 'https://example.tld/x/', comments: [{ id: 1 }, { id: 2 }] }]);
    const cut = xml.slice(0, xml.lastIndexOf('<wp:comment>') + 30);
    await assert.rejects(importComments(app.deps, { format: 'wordpress', siteSlug: slug, open: fromText(cut) }),
      (err: unknown) => err instanceof WordPressFormatError && err.line === cut.split('\n').length);
    assert.deepEqual(await rows(slug), []);
  });

  it('npm run parley -- import wordpress: the summary as an operator reads it', async () => {
    const slug = await newSite();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'import', 'wordpress', fixture, '--site', slug], {
      cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: app.database.url, DATA_DIR: path.join(root, '.tmp', 'cli-test') },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /8 posts in 2 threads read/);
    assert.match(run.stdout, /Posts: 8 imported, 0 already present, 0 skipped/);
    assert.equal((await rows(slug)).length, 8);
  });
});
