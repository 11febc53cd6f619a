/**
 * `export json` and `import json`: a site leaves in Parley's own format and comes back identical
 * in another Parley, every column of every row, ids and all; bad files change nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { exportJson } from '../../src/server/transfer/export-json.js';
import { importJson, MalformedExport } from '../../src/server/transfer/import-json.js';
import { verifyAuditChain } from '../../src/server/moderation/audit.js';
import { api, startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { buildRichSite, collector, NASTY_BODY, SSO_SECRET, WORLD_ORIGIN, type RichSite } from '../helpers/transfer.js';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'parley-export-json-'));
let source: TestApp;
let target: TestApp;
let rich: RichSite;
let exported: string;

before(async () => {
  [source, target] = await Promise.all([startTestApp(), startTestApp()]);
  rich = await buildRichSite(source);
  const sink = collector();
  await exportJson(source.deps, { siteSlug: 'world', out: sink.out });
  exported = sink.text();
});
after(async () => { await Promise.all([source?.close(), target?.close()]); });

const fromText = (text: string) => () => Readable.from([Buffer.from(text)]);
const lines = (text: string) => text.trimEnd().split('\n');

/**
 * Every row of the site in every table it owns, each whole (`to_jsonb` of the row: every column,
 * timestamps to the microsecond), but for what never leaves (password hashes, the SSO secret)
 * and the audit log's id, a sequence shared by all sites.
 */
async function siteRows(app: TestApp, slug: string) {
  const q = async (query: string) => (await app.database.pool.query(query, [slug])).rows.map((r) => r.row).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const site = `(select id from sites where slug = $1)`;
  const comment = `(select id from comments where site_id = ${site})`;
  const user = `(select author_id from comments where site_id = ${site} union select author_id from threads where site_id = ${site} union select user_id from votes where comment_id in ${comment}
    union select user_id from site_members where site_id = ${site} union select user_id from flags where comment_id in ${comment}
    union select user_id from bans where site_id = ${site} union select created_by from bans where site_id = ${site}
    union select user_id from identities where site_id = ${site} union select user_id from thread_subscriptions where site_id = ${site}
    union select user_id from moderator_alerts where site_id = ${site}
    union select user_id from forum_reads where thread_id in (select id from threads where site_id = ${site}))`;
  return {
    site: await q(`select to_jsonb(t) - 'sso_secret' as row from sites t where slug = $1`),
    users: await q(`select to_jsonb(t) - 'password_hash' as row from users t where id in ${user}`),
    identities: await q(`select to_jsonb(t) as row from identities t where user_id in ${user} and (site_id is null or site_id = ${site})`),
    members: await q(`select to_jsonb(t) as row from site_members t where site_id = ${site}`),
    categories: await q(`select to_jsonb(t) as row from forum_categories t where site_id = ${site}`),
    threads: await q(`select to_jsonb(t) as row from threads t where site_id = ${site}`),
    comments: await q(`select to_jsonb(t) as row from comments t where site_id = ${site}`),
    revisions: await q(`select to_jsonb(t) as row from comment_revisions t where comment_id in ${comment}`),
    votes: await q(`select to_jsonb(t) as row from votes t where comment_id in ${comment}`),
    flags: await q(`select to_jsonb(t) as row from flags t where comment_id in ${comment}`),
    bans: await q(`select to_jsonb(t) as row from bans t where site_id = ${site}`),
    subscriptions: await q(`select to_jsonb(t) as row from thread_subscriptions t where site_id = ${site}`),
    alerts: await q(`select to_jsonb(t) as row from moderator_alerts t where site_id = ${site}`),
    reads: await q(`select to_jsonb(t) as row from forum_reads t where thread_id in (select id from threads where site_id = ${site})`),
    audit: await q(`select to_jsonb(t) - 'id' as row from audit_log t where site_id = ${site}`),
  };
}

async function countAll(app: TestApp) {
  const { rows } = await app.database.pool.query(`select (select count(*) from sites)::int as sites, (select count(*) from users)::int as users,
    (select count(*) from threads)::int as threads, (select count(*) from comments)::int as comments, (select count(*) from votes)::int as votes,
    (select count(*) from audit_log)::int as audit, (select count(*) from identities)::int as identities`);
  return rows[0];
}

describe('export json', () => {
  it('writes the format\'s header, the site, then every kind in order, and an end record with the counts', () => {
    const records = lines(exported).map((l) => JSON.parse(l));
    assert.deepEqual([records[0].type, records[0].format, records[0].ssoSecretSet], ['header', 'parley/1', true]);
    assert.equal(records[1].type, 'site');
    assert.equal(records[1].slug, 'world');
    const end = records.at(-1);
    assert.equal(end.type, 'end');
    const order = records.slice(2, -1).map((r) => r.type);
    assert.deepEqual([...new Set(order)], ['user', 'identity', 'member', 'category', 'thread', 'comment', 'revision', 'vote', 'flag', 'ban', 'subscription', 'alert', 'read', 'audit']);
    for (const kind of Object.keys(end.counts)) assert.equal(order.filter((t) => t === kind).length, end.counts[kind], kind);
    assert.equal(end.counts.comment, 20);
    const comments = records.filter((r) => r.type === 'comment');
    assert.deepEqual(new Set(comments.map((c) => c.status)), new Set(['approved', 'pending', 'rejected', 'spam', 'deleted']));
    assert.equal(Math.max(...comments.map((c) => c.depth)), 6);
    assert.equal(comments.find((c) => c.id === rich.ids.nasty).bodySource, NASTY_BODY, 'the body exactly as stored, control characters too');
    assert.equal(comments.find((c) => c.id === rich.ids.rejected).moderationNote, 'Rude');
    assert.deepEqual(comments.filter((c) => c.importOrigin === 'disqus').map((c) => c.importId).sort(), ['9001', '9002']);
    const roles = Object.fromEntries(records.filter((r) => r.type === 'member').map((m) => [records.find((u) => u.id === m.userId).displayName, [m.role, m.trusted]]));
    assert.deepEqual(roles['Ada Admin'], ['admin', false]);
    assert.deepEqual(roles['Mo Moderator'], ['moderator', false]);
    assert.deepEqual(roles['Rita Reader'], ['member', true]);
  });

  it('carries no secret: no password hash, session or mail token hash, SSO secret or SSO payload hash', async () => {
    const secrets = (await source.database.pool.query(`
      select password_hash as s from users where password_hash is not null
      union all select token_hash from sessions union all select token_hash from mail_tokens
      union all select sso_payload_hash from sessions where sso_payload_hash is not null
      union all select payload_hash from spent_sso_payloads union all select sso_secret from sites where sso_secret is not null`)).rows.map((r) => r.s as string);
    assert.ok(secrets.length >= 6, `secrets to look for: ${secrets.length}`);
    assert.ok(secrets.includes(SSO_SECRET));
    for (const secret of secrets) assert.equal(exported.includes(secret), false, 'a secret leaked into the export');
    assert.doesNotMatch(exported, /argon2|passwordHash|password_hash|tokenHash|ssoSecret"/);
    assert.match(exported, /"email":"reader@world\.example"/, 'emails are the site owner\'s readers\' data: they come along');
  });
});

describe('import json', () => {
  it('refuses malformed files, naming the line, and writes nothing', async () => {
    const before = await countAll(target);
    const all = lines(exported);
    const commentLine = all.findIndex((l) => l.includes('"type":"comment"')) + 1;
    const reply = all.findIndex((l) => l.includes('"type":"comment"') && l.includes(`"parentId":"${rich.chain[0]}"`));
    const parentLine = all.findIndex((l) => l.includes(`"type":"comment","id":"${rich.chain[0]}"`));
    const swapped = [...all];
    [swapped[reply], swapped[parentLine]] = [swapped[parentLine], swapped[reply]];
    const cases: Array<[string, string, RegExp]> = [
      ['not JSON', [...all.slice(0, 5), '{"type":"user",', ...all.slice(6)].join('\n'), /line 6: not JSON/],
      ['a bad status', all.map((l, i) => (i === commentLine - 1 ? l.replace(/"status":"[a-z]+"/, '"status":"weird"') : l)).join('\n'), new RegExp(`line ${commentLine}: status: .*\\(comment `)],
      ['an unknown field', all.map((l, i) => (i === 1 ? l.replace('"slug"', '"ssoSecret":"x","slug"') : l)).join('\n'), /line 2: record: Unrecognized key/],
      ['a reply before its parent', swapped.join('\n'), new RegExp(`line ${Math.min(reply, parentLine) + 1}: its parent comment .* is not earlier in the file`)],
      ['kinds out of order', [all[0], all[1], all.find((l) => l.includes('"type":"thread"'))!, ...all.slice(2)].join('\n'), /a user record after thread records/],
      ['truncated', all.slice(0, -1).join('\n'), /ends without its end record: it is truncated/],
      ['counts that do not match', all.map((l, i) => (i === all.length - 1 ? l.replace(/"vote":\d+/, '"vote":99') : l)).join('\n'), /end record counts 99 vote records/],
      ['another format', all.map((l, i) => (i === 0 ? l.replace('parley/1', 'parley/9') : l)).join('\n'), /line 1: not a Parley export/],
      ['a Disqus file', '<?xml version="1.0"?><disqus></disqus>', /line 1: not JSON/],
    ];
    for (const [what, text, message] of cases) {
      await assert.rejects(importJson(target.deps, { open: fromText(text) }), (err: unknown) => {
        assert.ok(err instanceof MalformedExport, `${what}: ${err}`);
        assert.match((err as Error).message, message, what);
        return true;
      });
      assert.deepEqual(await countAll(target), before, `${what}: nothing written`);
    }
  });

  it('re-imported into another Parley, the site is identical: every column of every row, ids kept', async () => {
    const report = await importJson(target.deps, { open: fromText(exported) });
    assert.equal(report.created, true);
    assert.equal(report.ssoSecretSet, true);
    assert.equal(report.counts.comment.added, 20);
    const [before, after] = await Promise.all([siteRows(source, 'world'), siteRows(target, 'world')]);
    for (const table of Object.keys(before) as Array<keyof typeof before>) {
      assert.ok(before[table].length > 0, `${table}: the test site has some`);
      assert.deepEqual(after[table], before[table], `${table} differ`);
    }
    // What does not leave: the SSO secret (to be set anew) and passwords (owners sign in by link or reset).
    const { rows: [site] } = await target.database.pool.query(`select sso_secret from sites where slug = 'world'`);
    assert.equal(site.sso_secret, null);
    const { rows: withPassword } = await target.database.pool.query(`select count(*)::int as n from users where password_hash is not null and email like '%@world.example'`);
    assert.equal(withPassword[0].n, 0);
    const verdict = await verifyAuditChain(target.deps.db, after.site[0].id as string);
    assert.deepEqual([verdict.ok, verdict.entries], [true, before.audit.length], 'the audit chain verifies in its new home');
  });

  it('a second export of the imported site is the same file, but for its time', async () => {
    const sink = collector();
    await exportJson(target.deps, { siteSlug: 'world', out: sink.out });
    assert.deepEqual(lines(sink.text()).slice(1), lines(exported).slice(1));
  });

  it('serves the same thread, under the same comment ids (permalinks survive)', async () => {
    const read = async (app: TestApp) => {
      const thread = await api(app, 'GET', `/api/v1/threads?site=world&key=open-thread`, { headers: { origin: WORLD_ORIGIN } });
      const page = await api(app, 'GET', `/api/v1/threads/${thread.json.thread.id}/comments?sort=oldest`);
      return { thread: thread.json.thread, comments: page.json.comments };
    };
    const [was, is] = await Promise.all([read(source), read(target)]);
    assert.ok(was.comments.length > 3);
    assert.deepEqual(is, was);
  });

  it('the same site again adds only what is missing and recounts above it; another site\'s slug is refused', async () => {
    const again = await importJson(target.deps, { open: fromText(exported) });
    assert.equal(again.created, false);
    assert.ok(Object.values(again.counts).every((c) => c.added === 0), JSON.stringify(again.counts));
    // A vote lost here comes back, and so does its comment's tally.
    await target.database.pool.query(`delete from votes where comment_id = $1`, [rich.ids.top]);
    const restored = await importJson(target.deps, { open: fromText(exported) });
    assert.equal(restored.counts.vote.added, 2);
    assert.deepEqual((await siteRows(target, 'world')).comments, (await siteRows(source, 'world')).comments);
    // The test app's own "news" site is another site than the source's "news".
    const sink = collector();
    await exportJson(source.deps, { siteSlug: 'news', out: sink.out });
    const before = await countAll(target);
    await assert.rejects(importJson(target.deps, { open: fromText(sink.text()) }), /A different site already uses the slug "news" here; nothing was imported/);
    assert.deepEqual(await countAll(target), before);
  });
});

describe('npm run parley -- export json / import json', () => {
  let empty: TestDatabase;
  before(async () => { empty = await createTestDatabase(); });
  after(async () => { await empty?.drop(); });

  function parley(databaseUrl: string, args: string[], stdout?: number, env: Record<string, string> = {}) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', stdout ?? 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: path.join(root, '.tmp', 'cli-test'), ...env },
    });
    return { code: run.status, out: run.stdout, err: run.stderr };
  }

  it('exports to stdout (nothing else there, even after npm\'s banner) and imports into an empty Parley', async () => {
    const file = path.join(scratch, 'world.jsonl');
    const fd = openSync(file, 'w');
    // What `npm run parley -- export ... > file` does: npm writes its banner to the file before Parley starts.
    writeSync(fd, '\n> parley@0.1.0 parley\n> node dist/server/cli.js export json --site world\n\n');
    const exportRun = parley(source.database.url, ['export', 'json', '--site', 'world'], fd, { npm_lifecycle_event: 'parley' });
    closeSync(fd);
    assert.equal(exportRun.code, 0, exportRun.err);
    assert.match(exportRun.err, /Exported "world": user \d+, .*comment 20,/);
    const written = readFileSync(file, 'utf8');
    assert.deepEqual(lines(written).slice(1), lines(exported).slice(1), 'the file holds the export and nothing else');

    const importRun = parley(empty.url, ['import', 'json', file]);
    assert.equal(importRun.code, 0, importRun.err);
    assert.match(importRun.out, /Imported site "world"/);
    assert.match(importRun.out, /Added: user \d+, .*comment 20,/);
    assert.match(importRun.out, /give it its secret again/);
    const { rows } = await empty.pool.query(`select count(*)::int as n from comments c join sites s on s.id = c.site_id where s.slug = 'world'`);
    assert.equal(rows[0].n, 20);

    const bad = path.join(scratch, 'bad.jsonl');
    writeFileSync(bad, lines(written).slice(0, 4).join('\n'));
    const refused = parley(empty.url, ['import', 'json', bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /not valid at line \d+: .*truncated/);
    const missing = parley(empty.url, ['export', 'json', '--site', 'nowhere']);
    assert.equal(missing.code, 1);
    assert.equal(missing.out, '');
    assert.match(missing.err, /nowhere/);
  });
});
