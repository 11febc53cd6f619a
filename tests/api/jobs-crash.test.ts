/**
 * The outbox survives `kill -9`: real Parley processes (node dist/server/main.js) on one
 * database, killed between the commit of a reply (its job written in the same transaction) and
 * the mail; the next process sends it, exactly once. Also killed in the middle of the SMTP
 * exchange: the mail the server never accepted is sent again, once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { createAccount } from '../../src/server/auth/accounts.js';
import { createSession } from '../../src/server/auth/service.js';
import { createDeps } from '../../src/server/deps.js';
import { createSite } from '../../src/server/sites/service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startMailbox, type TestMailbox } from '../helpers/smtp.js';

const root = path.resolve(import.meta.dirname, '../..');
const ORIGIN = 'https://crash.example.org';

let database: TestDatabase;
let mailbox: TestMailbox;
const children = new Set<ChildProcess>();

before(async () => {
  database = await createTestDatabase();
  mailbox = await startMailbox();
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await database.drop();
  await mailbox.close();
});

/** A Parley process on the test's database; resolves with its URL once it serves. */
async function startParley(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', DEMO: 'false', LOG_LEVEL: 'info',
      SESSION_SECRET: 'crash-test-secret-crash-test', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-crash-')), SMTP_URL: mailbox.url,
      JOB_TIMEOUT_SECONDS: '3', JOB_RETRY_BASE_SECONDS: '1', JOB_POLL_SECONDS: '0.5', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /Parley is serving (http:\/\/\S+?)"/.exec(out);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`Parley exited (${code}): ${out}`)));
  });
  return { url, child };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
}

async function post(url: string, token: string, threadId: string, body: string, parentId?: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/threads/${threadId}/comments`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin: ORIGIN },
    body: JSON.stringify({ body, parentId, composeMs: 10_000 }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { comment: { id: string } }).comment.id;
}

const copiesOf = (to: string, text: string) => mailbox.received.filter((m) => m.to.includes(to) && m.text.includes(text)).length;

test('kill -9 after the reply committed and before its mail: the next process sends it once; killed mid-SMTP: sent again, once', async () => {
  const deps = createDeps({ db: database.db, secret: 'crash-test-secret-crash-test' });
  const site = await createSite(deps, { slug: 'crash', name: 'Crash', origins: [ORIGIN] });
  const ana = await createAccount(deps, { email: 'ana@crash.example.org', displayName: 'Ana', verified: true });
  const bob = await createAccount(deps, { email: 'bob@crash.example.org', displayName: 'Bob', verified: true });
  const token = async (userId: string) => (await createSession(deps.db, { userId, siteId: site.id, scope: 'embed', now: new Date(), days: 1 })).token;
  const [anaToken, bobToken] = [await token(ana.id), await token(bob.id)];

  // 1. A web process without workers (JOBS_IN_PROCESS=false): the reply commits with its job; nobody sends it.
  const web = await startParley({ JOBS_IN_PROCESS: 'false' });
  const thread = await fetch(`${web.url}/api/v1/threads?site=crash&key=crash-1&url=${encodeURIComponent(`${ORIGIN}/crash-1`)}`, { headers: { origin: ORIGIN } });
  const threadId = ((await thread.json()) as { thread: { id: string } }).thread.id;
  const parent = await post(web.url, anaToken, threadId, 'Parent before the crash');
  await post(web.url, bobToken, threadId, 'Reply before the crash', parent);
  const queued = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from pgboss.job where name = 'parley-events' and state = 'created'`);
  assert.ok(queued.rows[0].n >= 2, 'the events are queued');
  await kill9(web.child);
  await sleep(1_000);
  assert.equal(copiesOf('ana@crash.example.org', 'Reply before the crash'), 0);

  // 2. A process with workers finds the job and sends the mail: once.
  const worker = await startParley({});
  await mailbox.next('ana@crash.example.org', 20_000);
  await sleep(4_000);
  assert.equal(copiesOf('ana@crash.example.org', 'Reply before the crash'), 1, 'sent exactly once');

  // 3. Killed while the SMTP server has the mail's data but has not answered: not delivered, so sent again, once.
  mailbox.hold();
  const parent2 = await post(worker.url, anaToken, threadId, 'Second parent');
  await post(worker.url, bobToken, threadId, 'Reply during the crash', parent2);
  const deadline = Date.now() + 20_000;
  while (mailbox.heldCount() === 0 && Date.now() < deadline) await sleep(50);
  assert.equal(mailbox.heldCount(), 1, 'the mail is on its way');
  await kill9(worker.child);
  mailbox.drop();
  const next = await startParley({});
  const mail = await mailbox.next('ana@crash.example.org', 30_000);
  assert.match(mail.text, /Reply during the crash/);
  await sleep(4_000);
  assert.equal(copiesOf('ana@crash.example.org', 'Reply during the crash'), 1, 'sent exactly once');
  assert.equal(copiesOf('ana@crash.example.org', 'Reply before the crash'), 1, 'and the first one not again');
  await kill9(next.child);
});
