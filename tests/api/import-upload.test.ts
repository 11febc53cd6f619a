/**
 * The dashboard's import: a site's admin uploads an export (multipart, cookie session, CSRF
 * token), gets 202 at once, and the import runs in the background while its progress and end
 * reach the site's moderators' socket room, and no one else. Refusals (a moderator, another
 * site's admin, a foreign page, no token, one byte past the cap, another import under way)
 * store nothing. Real sockets (socket.io-client), real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { io, type Socket } from 'socket.io-client';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { withImportLock } from '../../src/server/imports/checkpoint.js';
import { importDisqus } from '../../src/server/imports/service.js';
import { createSite } from '../../src/server/sites/service.js';
import type { ImportJobOutcome, ImportJobProgress, ModJoinAck } from '../../src/shared/api.js';
import { api, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const root = path.resolve(import.meta.dirname, '../..');
const ISSO = readFileSync(path.join(root, 'tests/fixtures/disqus/isso-disqus.xml'));
const MALFORMED = readFileSync(path.join(root, 'tests/fixtures/disqus/remark42-disqus.xml'));
const ISSO_TOTALS = { threadsInFile: 3, threadsCreated: 2, postsInFile: 6, imported: 5, alreadyPresent: 0, skipped: 1, byReason: { 'orphan-thread': 1 } };
const PASSWORD = 'importer password';
const CAP_MB = 1;
const CAP = CAP_MB * 1024 * 1024;

let app: TestApp;
const pages: Record<string, OwnPagesClient> = {};
const tokens: Record<string, string> = {};
const sockets: Socket[] = [];

interface Heard { event: string; data: any; at: number }

async function login(email: string): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  return res.json.session.token;
}

/** A socket with `who`'s token, in the moderators' room of `site` when it may join. */
async function listener(who: string, site = 'news'): Promise<{ heard: Heard[]; ack: ModJoinAck }> {
  const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: tokens[who] } });
  sockets.push(socket);
  const heard: Heard[] = [];
  socket.onAny((event, data) => heard.push({ event, data, at: Date.now() }));
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  const ack = await socket.timeout(3000).emitWithAck('mod:join', { site }) as ModJoinAck;
  return { heard, ack };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}
/** The admin's import page, read again until it says `what`. */
async function waitForPage(what: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await pages['admin@news.example'].get('/admin/news/import');
    if (what.test(page.text)) return page.text;
    if (Date.now() > deadline) throw new Error(`the import page never said ${what}`);
    await pause(50);
  }
}
const finishedOf = (heard: Heard[], jobId: string) => heard.find((h) => h.event === 'import:finished' && h.data.jobId === jobId)?.data as ImportJobOutcome | undefined;
const progressOf = (heard: Heard[], jobId: string) => heard.filter((h) => h.event === 'import:progress' && h.data.jobId === jobId).map((h) => h.data as ImportJobProgress);
const importEvents = (heard: Heard[]) => heard.filter((h) => h.event.startsWith('import:'));

interface UploadOptions {
  site?: string;
  format?: string;
  dryRun?: boolean;
  fileName?: string;
  /** The CSRF header: the page's token unless false (none) or a string. */
  csrf?: string | false;
  origin?: string;
}

function cookieHeader(client: OwnPagesClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
}

/** Posts the file as the import page's script does: a multipart form, the cookie, the token in a header. */
async function upload(who: string, file: Buffer, options: UploadOptions = {}) {
  const client = pages[who];
  const form = new FormData();
  form.set('format', options.format ?? 'disqus');
  if (options.dryRun) form.set('dryRun', 'true');
  form.set('file', new Blob([new Uint8Array(file)]), options.fileName ?? 'isso-disqus.xml');
  const csrf = options.csrf === undefined ? client.csrf : options.csrf;
  const headers: Record<string, string> = { cookie: cookieHeader(client), origin: options.origin ?? app.url };
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`${app.url}/api/v1/mod/imports?site=${options.site ?? 'news'}`, { method: 'POST', body: form, headers });
  const json = await res.json() as any;
  return { status: res.status, json };
}

async function commentCount(siteId = app.site.id): Promise<number> {
  const { rows } = await app.database.pool.query<{ n: number }>('select count(*)::int as n from comments where site_id = $1', [siteId]);
  return rows[0].n;
}
async function runCount(): Promise<number> {
  const { rows } = await app.database.pool.query<{ n: number }>('select count(*)::int as n from import_runs');
  return rows[0].n;
}
const uploadsLeft = () => {
  const dir = path.join(app.dataDir, 'imports');
  return existsSync(dir) ? readdirSync(dir) : [];
};
async function emptySite(): Promise<void> {
  await app.database.pool.query('delete from comments where site_id = $1', [app.site.id]);
  await app.database.pool.query('delete from threads where site_id = $1', [app.site.id]);
  await app.database.pool.query('delete from import_runs');
}

/** A Disqus export of `count` posts over ten threads, every tenth a reply. */
function generated(count: number, prefix = 'g'): Buffer {
  const out = ['<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'];
  for (let t = 0; t < 10; t++) {
    out.push(`<thread dsq:id="${prefix}t${t}"><id>${prefix}-article-${t}</id><link>https://news.example.org/${prefix}/${t}</link><title>Article ${t}</title>`
      + '<createdAt>2015-01-02T03:04:05Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>');
  }
  for (let i = 0; i < count; i++) {
    const parent = i % 10 === 9 ? `<parent dsq:id="${prefix}${i - 1}"/>` : '';
    out.push(`<post dsq:id="${prefix}${i}"><message><![CDATA[<p>Generated comment number ${i}, with a few more words to read.</p>]]></message>`
      + `<createdAt>2016-05-06T07:08:09Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Reader ${i % 97}</name>`
      + `<isAnonymous>true</isAnonymous></author><thread dsq:id="${prefix}t${Math.floor(i / 10) % 10}"/>${parent}</post>`);
  }
  out.push('</disqus>');
  return Buffer.from(out.join('\n'));
}

before(async () => {
  app = await startTestApp({ importMaxMb: CAP_MB });
  const other = await createSite(app.deps, { slug: 'other', name: 'Other', origins: ['https://other.example.net'] });
  const people = [
    ['admin@news.example', app.site.id, 'admin'], ['mod@news.example', app.site.id, 'moderator'],
    ['admin@other.example', other.id, 'admin'], ['mod@other.example', other.id, 'moderator'], ['reader@news.example', null, null],
  ] as const;
  for (const [email, siteId, role] of people) {
    const user = await createAccount(app.deps, { email, password: PASSWORD, displayName: email.split('@')[0], verified: true });
    if (siteId && role) await setRole(app.deps, { siteId, userId: user.id, role });
    tokens[email] = await login(email);
    const client = new OwnPagesClient(app);
    await client.signIn(email, PASSWORD);
    // A page of theirs with a form: its CSRF token (the moderation queue renders for staff, the account page for anyone).
    await client.get(siteId ? `/admin/${siteId === app.site.id ? 'news' : 'other'}` : '/account');
    assert.ok(client.csrf, `a CSRF token for ${email}`);
    pages[email] = client;
  }
});
after(async () => {
  sockets.forEach((s) => s.close());
  await app.close();
});

describe('importing from the dashboard', () => {
  it('an admin\'s upload answers 202 and runs: progress then the end reach the site\'s staff, nobody else; the comments are in', async () => {
    const admin = await listener('admin@news.example');
    const moderator = await listener('mod@news.example');
    const otherModerator = await listener('mod@other.example', 'other');
    const reader = await listener('reader@news.example');
    assert.deepEqual([admin.ack, moderator.ack, otherModerator.ack], [{ ok: true }, { ok: true }, { ok: true }]);
    assert.equal(reader.ack.ok, false);

    const res = await upload('admin@news.example', ISSO);
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const { jobId } = res.json.job;
    assert.deepEqual(res.json.job, { jobId, format: 'disqus', dryRun: false, fileName: 'isso-disqus.xml' });

    const outcome = await waitFor(() => finishedOf(admin.heard, jobId), 'the import\'s end');
    assert.deepEqual(outcome, { jobId, format: 'disqus', dryRun: false, fileName: 'isso-disqus.xml', status: 'done', totals: ISSO_TOTALS, error: null });
    const progress = progressOf(admin.heard, jobId);
    assert.ok(progress.length >= 1, 'progress came before the end');
    assert.ok(admin.heard.findIndex((h) => h.event === 'import:progress') < admin.heard.findIndex((h) => h.event === 'import:finished'));
    assert.equal(progress[0].bytesTotal, ISSO.length);
    for (const p of progress) assert.ok(p.pass >= 1 && p.pass <= 3 && p.bytesRead <= p.bytesTotal, JSON.stringify(p));

    await waitFor(() => finishedOf(moderator.heard, jobId), 'the moderator hears it too');
    await pause(200);
    assert.deepEqual(importEvents(otherModerator.heard), [], 'another site\'s moderator hears nothing');
    assert.deepEqual(importEvents(reader.heard), [], 'a reader hears nothing');

    assert.equal(await commentCount(), 5);
    assert.deepEqual(uploadsLeft(), [], 'the upload is deleted once imported');
    const page = await pages['admin@news.example'].get('/admin/news/import');
    assert.equal(page.status, 200);
    assert.match(page.text, /Import finished: 5 comments imported, 0 already present, 1 skipped\./);
    assert.match(page.text, /its thread is missing/, 'the skipped post, with its reason');
    assert.match(page.text, /<td>done<\/td>/, 'the recorded run');
  });

  it('refuses a moderator, another site\'s admin, a foreign page and a missing token, storing nothing', async () => {
    await emptySite();
    const admin = await listener('admin@news.example');
    const cases: Array<[string, string, UploadOptions, number, string]> = [
      ['a moderator of the site', 'mod@news.example', {}, 403, 'forbidden'],
      ['an admin of another site', 'admin@other.example', {}, 403, 'forbidden'],
      ['a reader', 'reader@news.example', {}, 403, 'forbidden'],
      ['the admin, from another origin', 'admin@news.example', { origin: 'https://evil.example' }, 403, 'forbidden'],
      ['the admin, from the site\'s own page', 'admin@news.example', { origin: 'https://news.example.org' }, 403, 'forbidden'],
      ['the admin, without the CSRF token', 'admin@news.example', { csrf: false }, 403, 'forbidden'],
      ['the admin, with another account\'s token', 'admin@news.example', { csrf: pages['admin@other.example'].csrf! }, 403, 'forbidden'],
      ['the admin, with an unknown format', 'admin@news.example', { format: 'blogger' }, 400, 'validation_failed'],
      ['the admin, into a site that does not exist', 'admin@news.example', { site: 'nowhere' }, 404, 'not_found'],
    ];
    for (const [who, email, options, status, code] of cases) {
      const res = await upload(email, ISSO, options);
      assert.equal(res.status, status, `${who}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.error.code, code, who);
    }
    // Without a session at all.
    const anonymous = await fetch(`${app.url}/api/v1/mod/imports?site=news`, { method: 'POST', body: new FormData(), headers: { origin: app.url } });
    assert.equal(anonymous.status, 403);
    const moderatorPage = await pages['mod@news.example'].get('/admin/news/import');
    assert.equal(moderatorPage.status, 403, 'the page is the admins\' too');
    await pause(200);
    assert.equal(await commentCount(), 0);
    assert.equal(await runCount(), 0);
    assert.deepEqual(uploadsLeft(), []);
    assert.deepEqual(importEvents(admin.heard), []);
  });

  it('without the script, the page\'s form posts the file itself: its token must come before the file', async () => {
    await emptySite();
    const client = pages['admin@news.example'];
    const post = (fields: Array<[string, string | Blob, string?]>) => {
      const form = new FormData();
      for (const [name, value, fileName] of fields) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, value, fileName);
      }
      return fetch(`${app.url}/admin/news/import`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: cookieHeader(client), origin: app.url } });
    };
    const file = new Blob([new Uint8Array(ISSO)]);
    const late = await post([['format', 'disqus'], ['file', file, 'isso.xml'], ['_csrf', client.csrf!]]);
    assert.equal(late.status, 403, 'a token after the file is no token');
    const forged = await post([['_csrf', 'forged'], ['format', 'disqus'], ['file', file, 'isso.xml']]);
    assert.equal(forged.status, 403);
    assert.deepEqual(uploadsLeft(), []);
    assert.equal(await commentCount(), 0);

    const res = await post([['_csrf', client.csrf!], ['format', 'disqus'], ['file', file, 'isso.xml']]);
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), '/admin/news/import');
    await waitFor(() => (uploadsLeft().length === 0 ? true : undefined), 'the import');
    const page = await waitForPage(/Import finished: 5 comments imported/);
    assert.match(page, /File: isso\.xml/);
    assert.equal(await commentCount(), 5);
  });

  it('a file one byte past IMPORT_MAX_MB is 413, and nothing of it stays', async () => {
    await emptySite();
    const atCap = Buffer.alloc(CAP + 1, 0x20);
    ISSO.copy(atCap);
    const res = await upload('admin@news.example', atCap);
    assert.equal(res.status, 413, JSON.stringify(res.json));
    assert.equal(res.json.error.code, 'payload_too_large');
    assert.deepEqual(uploadsLeft(), []);
    assert.equal(await commentCount(), 0);
    assert.equal(await runCount(), 0);
    // The site's slot was given back: the next upload runs.
    const admin = await listener('admin@news.example');
    const next = await upload('admin@news.example', ISSO);
    assert.equal(next.status, 202);
    await waitFor(() => finishedOf(admin.heard, next.json.job.jobId), 'the next import');
  });

  it('a malformed file ends as failed, naming its line and column; nothing is written', async () => {
    await emptySite();
    const admin = await listener('admin@news.example');
    const res = await upload('admin@news.example', MALFORMED, { fileName: 'remark42-disqus.xml' });
    assert.equal(res.status, 202);
    const outcome = await waitFor(() => finishedOf(admin.heard, res.json.job.jobId), 'the failure');
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.totals, null);
    assert.match(outcome.error!, /not well-formed XML at line 1, column \d+/);
    assert.equal(await commentCount(), 0);
    assert.deepEqual(uploadsLeft(), []);
    const page = await pages['admin@news.example'].get('/admin/news/import');
    assert.match(page.text, /Import failed\. The Disqus export is not well-formed XML at line 1, column \d+/);
  });

  it('one import at a time per site: a second upload while one is received, or while another process imports, is 409', async () => {
    await emptySite();
    // The first upload's body is still coming while the second is sent.
    const boundary = 'parley-test-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\ndisqus\r\n--${boundary}\r\n`
      + 'Content-Disposition: form-data; name="file"; filename="slow.xml"\r\nContent-Type: application/xml\r\n\r\n');
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let finishBody!: () => void;
    const rest = new Promise<void>((resolve) => { finishBody = resolve; });
    const slowBody = Readable.from((async function* body() {
      yield head;
      yield ISSO.subarray(0, 100);
      await rest;
      yield ISSO.subarray(100);
      yield tail;
    })());
    const client = pages['admin@news.example'];
    const first = fetch(`${app.url}/api/v1/mod/imports?site=news`, {
      method: 'POST', body: Readable.toWeb(slowBody) as ReadableStream, duplex: 'half',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: cookieHeader(client), origin: app.url, 'x-csrf-token': client.csrf! },
    } as RequestInit);
    await pause(300);
    const second = await upload('admin@news.example', ISSO);
    assert.equal(second.status, 409, JSON.stringify(second.json));
    assert.equal(second.json.error.code, 'conflict');
    finishBody();
    const firstRes = await first;
    assert.equal(firstRes.status, 202, await firstRes.clone().text());
    await waitFor(() => (uploadsLeft().length === 0 ? true : undefined), 'the first upload imported and deleted');
    assert.equal((await pages['admin@news.example'].get('/admin/news/import')).text.includes('Import finished: 5 comments imported'), true);

    // The CLI (another process) holds the site's import lock: the upload is 409 and its file goes.
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const holding = withImportLock(app.deps.db, app.site.id, async () => { locked(); await held; });
    await isLocked;
    const busy = await upload('admin@news.example', ISSO);
    release();
    await holding;
    assert.equal(busy.status, 409, JSON.stringify(busy.json));
    assert.match(busy.json.error.message, /Another import into this site is running/);
    assert.deepEqual(uploadsLeft(), []);
  });

  it('a dry run first: the report, nothing written, then "Import" runs the same file for real', async () => {
    await emptySite();
    const admin = await listener('admin@news.example');
    const res = await upload('admin@news.example', gzipSync(ISSO), { dryRun: true, fileName: 'export.xml.gz' });
    assert.equal(res.status, 202);
    const preview = await waitFor(() => finishedOf(admin.heard, res.json.job.jobId), 'the dry run');
    assert.equal(preview.status, 'previewed');
    assert.deepEqual(preview.totals, ISSO_TOTALS);
    assert.equal(await commentCount(), 0);
    assert.equal(uploadsLeft().length, 1, 'the file waits for the admin\'s word');

    const page = await pages['admin@news.example'].get('/admin/news/import');
    assert.match(page.text, /Dry run finished, nothing written: 5 comments would be imported/);
    // A moderator may not set it going.
    const byModerator = await pages['mod@news.example'].post(`/admin/news/import/${res.json.job.jobId}/confirm`, {});
    assert.equal(byModerator.status, 403);
    const confirm = await pages['admin@news.example'].post(`/admin/news/import/${res.json.job.jobId}/confirm`, {});
    assert.equal(confirm.status, 303, confirm.text.slice(0, 300));
    const done = await waitFor(() => admin.heard.map((h) => h.data as ImportJobOutcome).find((o) => o.status === 'done' && o.fileName === 'export.xml.gz'), 'the real import');
    assert.deepEqual(done.totals, ISSO_TOTALS);
    assert.equal(await commentCount(), 5);
    assert.deepEqual(uploadsLeft(), []);
  });

  it('progress is throttled to a few events a second, and an interrupted run shows after a restart and resumes from a new upload', async () => {
    await emptySite();
    const file = generated(6000);
    // Cut short once, as a killed process leaves it: batches committed, the run left "running".
    let opens = 0;
    await assert.rejects(importDisqus(app.deps, {
      siteSlug: 'news', batchSize: 500,
      open: () => {
        opens++;
        if (opens === 1) return Readable.from([file]);
        const cut = Math.floor(file.length * 0.6);
        return Readable.from((async function* partial() { yield file.subarray(0, cut); await pause(50); throw new Error('killed'); })());
      },
    }), /killed/);
    const written = await commentCount();
    assert.ok(written > 0 && written < 6000, `some batches committed (${written})`);

    // This process never ran it: to the page it is an interrupted run, to be resumed.
    const page = await pages['admin@news.example'].get('/admin/news/import');
    assert.match(page.text, /interrupted: upload the same file again to resume/);

    const admin = await listener('admin@news.example');
    const res = await upload('admin@news.example', gzipSync(file), { fileName: 'big.xml.gz' });
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const outcome = await waitFor(() => finishedOf(admin.heard, res.json.job.jobId), 'the resumed import', 60_000);
    assert.equal(outcome.status, 'done', outcome.error ?? '');
    assert.equal(outcome.totals!.postsInFile, 6000);
    assert.equal(outcome.totals!.imported + outcome.totals!.alreadyPresent, 6000);
    assert.equal(await commentCount(), 6000);
    const after = await pages['admin@news.example'].get('/admin/news/import');
    assert.doesNotMatch(after.text, /interrupted/);

    // A few a second: never two within the interval (less the sockets' jitter), the last state before the end.
    const stamps = admin.heard.filter((h) => h.event === 'import:progress' && h.data.jobId === res.json.job.jobId).map((h) => h.at);
    assert.ok(stamps.length >= 2, `progress events: ${stamps.length} (at least two, to measure the gap between them)`);
    const span = stamps[stamps.length - 1] - stamps[0];
    assert.ok(stamps.length <= span / 200 + 2, `${stamps.length} events in ${span} ms`);
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] - stamps[i - 1] >= 100, `events ${stamps[i] - stamps[i - 1]} ms apart`);
  });
});
