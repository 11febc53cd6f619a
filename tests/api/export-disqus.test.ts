/**
 * `export disqus`: the site as Disqus writes its exports, escaped whatever the text, and read
 * back by `import disqus` into another Parley as the same threads and trees.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SaxesParser } from 'saxes';
import { importDisqus } from '../../src/server/imports/service.js';
import { createSite } from '../../src/server/sites/service.js';
import { exportDisqus, xmlAttribute, xmlCdata, xmlSafe, xmlText } from '../../src/server/transfer/export-disqus.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { buildRichSite, collector, NASTY_HTML, WORLD_ORIGIN, type RichSite } from '../helpers/transfer.js';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'parley-export-disqus-'));
const DISQUS = 'http://disqus.com';
const DSQ = 'http://disqus.com/disqus-internals';
let source: TestApp;
let target: TestApp;
let rich: RichSite;
let xml: string;

before(async () => {
  [source, target] = await Promise.all([startTestApp(), startTestApp()]);
  rich = await buildRichSite(source);
  const sink = collector();
  await exportDisqus(source.deps, { siteSlug: 'world', out: sink.out });
  xml = sink.text();
});
after(async () => { await Promise.all([source?.close(), target?.close()]); });

interface Element { name: string; ns: string; attrs: Record<string, string>; fields: Record<string, string>; refs: Record<string, string> }

/** The export read by a namespace-aware parser, independent of Parley's importer: each top-level element with its leaf texts. */
function parse(text: string): Element[] {
  const parser = new SaxesParser({ xmlns: true });
  const out: Element[] = [];
  const path: string[] = [];
  let current: Element | null = null;
  let buffer = '';
  parser.on('opentag', (tag) => {
    path.push(tag.local);
    buffer = '';
    if (path.length === 1) assert.deepEqual([tag.local, tag.uri], ['disqus', DISQUS]);
    if (path.length === 2) {
      current = { name: tag.local, ns: tag.uri, attrs: {}, fields: {}, refs: {} };
      for (const a of Object.values(tag.attributes)) current.attrs[`${a.uri === DSQ ? 'dsq:' : ''}${a.local}`] = a.value;
    } else if (path.length === 3 && current && tag.attributes['dsq:id']) {
      const a = Object.values(tag.attributes).find((x) => x.local === 'id')!;
      assert.equal(a.uri, DSQ);
      current.refs[tag.local] = a.value;
    }
  });
  parser.on('text', (t) => { buffer += t; });
  parser.on('cdata', (t) => { buffer += t; });
  parser.on('closetag', () => {
    const depth = path.length;
    const name = path.pop()!;
    if (depth === 2 && current) { out.push(current); current = null; } else if (current && depth >= 3) {
      current.fields[depth === 4 ? `${path[path.length - 1]}.${name}` : name] = buffer;
    }
    buffer = '';
  });
  parser.on('error', (err) => { throw err; });
  parser.write(text).close();
  return out;
}

describe('export disqus', () => {
  it('writes well-formed XML in Disqus\'s shape: namespaces, one category, then threads, then posts, parents first', () => {
    assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<disqus xmlns="http:\/\/disqus\.com" xmlns:dsq="http:\/\/disqus\.com\/disqus-internals"/);
    const elements = parse(xml);
    const order = elements.map((e) => e.name);
    assert.deepEqual([...new Set(order)], ['category', 'thread', 'post']);
    assert.deepEqual(elements[0].fields, { forum: 'world', title: 'General', isDefault: 'true' });
    const threads = elements.filter((e) => e.name === 'thread');
    assert.deepEqual(threads.map((t) => [t.fields.id, t.fields.isClosed, t.fields.isDeleted, t.refs.category]).sort(), [
      ['closed-thread', 'true', 'false', '1'], ['from-disqus', 'false', 'false', '1'], ['locked-thread', 'true', 'false', '1'], ['open-thread', 'false', 'false', '1'],
    ]);
    const imported = threads.find((t) => t.fields.id === 'from-disqus')!;
    assert.deepEqual([imported.attrs['dsq:id'], imported.fields.title, imported.fields.link, imported.fields.createdAt],
      ['77', 'Imported & old', 'https://world.example.org/from-disqus', '2014-03-04T05:06:07Z']);
    assert.equal(threads.find((t) => t.fields.id === 'open-thread')!.attrs['dsq:id'], rich.threads.open, 'a Parley thread keeps its own id');
    const posts = elements.filter((e) => e.name === 'post');
    assert.equal(posts.length, 20);
    const seen = new Set<string>();
    for (const post of posts) {
      if (post.refs.parent) assert.ok(seen.has(post.refs.parent), `post ${post.attrs['dsq:id']} comes after its parent`);
      seen.add(post.attrs['dsq:id']);
      assert.match(post.fields.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    assert.ok(seen.has('9001') && seen.has('9002'), 'posts that came from Disqus keep their dsq:id');
    assert.ok(seen.has(rich.ids.top), 'the others take their Parley id');
  });

  it('escapes everything: markup, ampersands, quotes, "]]>" in a message, control characters dropped', () => {
    const posts = parse(xml).filter((e) => e.name === 'post');
    const nasty = posts.find((p) => p.attrs['dsq:id'] === rich.ids.nasty)!;
    assert.equal(nasty.fields.message, NASTY_HTML.replace(/[\u0001\u0008]/g, ''), 'the message arrives as stored, "]]>" and all');
    assert.equal(nasty.fields['author.name'], 'Ünïcode <Name> & "Co"');
    assert.match(xml, /\]\]\]\]><!\[CDATA\[>/, 'the CDATA section is split around "]]>"');
    assert.doesNotMatch(xml, /[\u0001\u0008]/);
    assert.equal(xmlSafe('a\u0000b\u001fc\ud800d\uFFFEe\tf\ng😀'), 'abcde\tf\ng😀');
    // Each escape read back by a parser gives the text as it was (CR and attribute whitespace too).
    const odd = 'a < b && c > d "q" \'s\' ]]> \r\n\tx \u0007';
    const [back] = parse(`<?xml version="1.0"?><disqus xmlns="${DISQUS}" xmlns:dsq="${DSQ}"><post dsq:id="${xmlAttribute(odd)}">`
      + `<title>${xmlText(odd)}</title><message>${xmlCdata(odd)}</message></post></disqus>`);
    assert.deepEqual([back.attrs['dsq:id'], back.fields.title, back.fields.message], [odd.replace('\u0007', ''), odd.replace('\u0007', ''), odd.replace('\u0007', '').replace('\r\n', '\n')]);
    const site = parse(xml).find((e) => e.name === 'thread')!;
    assert.equal(site.fields['author.name'], 'World <News> & Co');
  });

  it('says what Disqus says of each comment: spam, deleted, awaiting moderation; authors with email only where known', () => {
    const posts = Object.fromEntries(parse(xml).filter((e) => e.name === 'post').map((p) => [p.attrs['dsq:id'], p]));
    const flags = (id: string) => [posts[id].fields.isDeleted, posts[id].fields.isSpam, posts[id].fields.isApproved ?? 'true'];
    assert.deepEqual(flags(rich.ids.top), ['false', 'false', 'true']);
    assert.deepEqual(flags(rich.ids.spam), ['false', 'true', 'true']);
    assert.deepEqual(flags(rich.ids.rejected), ['true', 'false', 'true']);
    assert.deepEqual(flags(rich.ids.deletedParent), ['true', 'false', 'true']);
    assert.deepEqual(flags(rich.ids.pending), ['false', 'false', 'false']);
    assert.deepEqual(flags(rich.ids.shadowed), ['false', 'false', 'false'], 'a shadow-banned author\'s comment never turns public');
    const top = posts[rich.ids.top].fields;
    assert.deepEqual([top['author.name'], top['author.email'], top['author.isAnonymous'], top['author.username']], ['Guest 1', 'guest-one@mail.example', 'true', undefined]);
    const byReader = posts[rich.ids.byReader].fields;
    assert.deepEqual([byReader['author.email'], byReader['author.isAnonymous'], byReader['author.username']], ['reader@world.example', 'false', 'site-user-42']);
    assert.equal(posts[rich.chain[1]].fields['author.email'], undefined, 'no email element where none is known');
    assert.equal(posts[rich.chain[3]].refs.parent, rich.chain[2]);
    assert.equal(posts['9002'].refs.parent, '9001');
  });

  it('read back by import disqus into another Parley: the same threads, keys, titles, statuses, trees and bodies', async () => {
    await createSite(target.deps, { slug: 'world', name: 'World again', origins: [WORLD_ORIGIN] });
    const report = await importDisqus(target.deps, { siteSlug: 'world', open: () => Readable.from([Buffer.from(xml)]) });
    assert.equal(report.totals.postsInFile, 20);
    const threadsOf = async (app: TestApp) => (await app.database.pool.query(`select t.key, t.url, t.title, t.status,
        t.comment_count, date_trunc('second', t.created_at) as created_at from threads t join sites s on s.id = t.site_id where s.slug = 'world' order by t.key`)).rows;
    const [was, is] = await Promise.all([threadsOf(source), threadsOf(target)]);
    assert.deepEqual(is, was.map((t) => ({ ...t, status: t.status === 'locked' ? 'closed' : t.status })), 'a locked thread comes back closed: Disqus has only isClosed');

    // Each comment by its Disqus id (the import id where it came from Disqus, else its Parley id).
    const commentsOf = async (app: TestApp, dsqIdOf: string) => (await app.database.pool.query(`select ${dsqIdOf} as dsq, t.key,
        p_dsq.dsq as parent, c.depth, c.status, c.body_html, c.author_name, date_trunc('second', c.created_at) as created_at
        from comments c join sites s on s.id = c.site_id join threads t on t.id = c.thread_id
        left join lateral (select ${dsqIdOf.replaceAll('c.', 'p.')} as dsq from comments p where p.id = c.parent_id) p_dsq on true
        where s.slug = 'world' order by 1`)).rows;
    const before = await commentsOf(source, `case when c.import_origin = 'disqus' then c.import_id else c.id::text end`);
    const after = await commentsOf(target, 'c.import_id');
    const hasLiveReplies = (id: string) => before.some((c) => c.parent === id);
    // What import disqus makes of each: pending stays pending, spam spam, rejected and deleted are
    // placeholders where replies stand under them and gone otherwise.
    const expected = before.filter((c) => !['deleted', 'rejected'].includes(c.status) || hasLiveReplies(c.dsq)).map((c) => {
      if (c.status === 'deleted' || c.status === 'rejected') return { ...c, status: 'deleted', body_html: '' };
      if (c.dsq === rich.ids.nasty) return { ...c, body_html: '<p>Fish &amp; &lt;chips&gt; "quoted" ]]&gt; end  bell; ما رأيك؟</p>' };
      return c;
    });
    assert.deepEqual(after, expected);
    assert.ok(after.some((c) => c.status === 'spam') && after.some((c) => c.status === 'pending') && after.some((c) => c.status === 'deleted'));
    assert.equal(Math.max(...after.map((c) => c.depth)), 6);
  });
});

describe('npm run parley -- export disqus', () => {
  function parley(args: string[], databaseUrl: string, stdout?: number) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', stdout ?? 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: path.join(root, '.tmp', 'cli-test') },
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  it('writes the export alone to stdout, which import disqus takes', async () => {
    const file = path.join(scratch, 'world.xml');
    const fd = openSync(file, 'w');
    const run = parley(['export', 'disqus', '--site', 'world'], source.database.url, fd);
    closeSync(fd);
    assert.equal(run.code, 0, run.err);
    assert.match(run.err, /Exported "world": threads 4, posts 20/);
    assert.equal(readFileSync(file, 'utf8'), xml);
    await createSite(target.deps, { slug: 'world-cli', name: 'World by CLI', origins: ['https://cli.example.org'] });
    const back = parley(['import', 'disqus', file, '--site', 'world-cli'], target.database.url);
    assert.equal(back.code, 0, back.err);
    const { rows } = await target.database.pool.query(`select count(*)::int as n from comments c join sites s on s.id = c.site_id where s.slug = 'world-cli'`);
    assert.equal(rows[0].n, 19, 'all but the rejected comment, which has no replies (the deleted one stands as a placeholder over its reply)');
    const usage = parley(['export', 'csv', '--site', 'world'], source.database.url);
    assert.equal(usage.code, 1);
    assert.match(usage.err, /export json --site SLUG/);
  });
});
