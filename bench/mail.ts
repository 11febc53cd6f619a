/**
 * Mail benchmark: how many notification mails a second the job queue sends to a local SMTP
 * server. N readers with verified addresses follow one thread; one comment is posted (the
 * outbox job is written with it); the fan-out writes N deliveries and N mail jobs; the workers
 * send them. `npm run bench:mail` prints, per worker concurrency, the fan-out time and mails/s
 * from the comment's commit to the last mail accepted, and checks that each reader got exactly one.
 *
 * This process holds the embedded PostgreSQL and Parley's workers; the SMTP server (smtp-server,
 * which reads each message whole but does not parse it) runs in a child. All share the machine's 2 cores.
 * BENCH_MAILS (2000), BENCH_CONCURRENCY (comma list, default "4,16").
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';
import { applyMigrations, openDatabase } from '../src/server/db/index.js';
import { comments, threads, threadSubscriptions, users } from '../src/server/db/schema.js';
import { createDeps } from '../src/server/deps.js';
import { startWorkers } from '../src/server/jobs/handlers.js';
import { createMailer } from '../src/server/mail/mailer.js';
import { createSite } from '../src/server/sites/service.js';
import { transactional } from '../src/server/db/index.js';

const MAILS = Number(process.env.BENCH_MAILS ?? 2000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '4,16').split(',').map(Number);

/** The SMTP server, in a process of its own (as a real one would be): reports each mail's recipients to the parent. */
function runSmtpServer(): void {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 1_000_000, disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        process.send!(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as AddressInfo).port }));
}

async function smtp() {
  const counts = new Map<string, number>();
  let total = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const child = fork(fileURLToPath(import.meta.url), ['smtp'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  child.on('message', (rcpt: unknown) => {
    if (!Array.isArray(rcpt)) return;
    for (const r of rcpt as string[]) counts.set(r, (counts.get(r) ?? 0) + 1);
    total += 1;
    for (const w of waiters.filter((w) => total >= w.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    until(n: number) { return new Promise<void>((resolve) => { if (total >= n) resolve(); else waiters.push({ n, resolve }); }); },
    reset() { counts.clear(); total = 0; },
    close: async () => { child.kill(); },
  };
}

if (process.argv[2] === 'smtp') {
  runSmtpServer();
} else {
  await main();
}

async function main() {
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-mail-'));
const embedded = await startEmbeddedPostgres({ dataDir, port: 0, database: 'mailbench' });
const database = openDatabase(embedded.url, { max: 10 });
const mailbox = await smtp();
try {
  await applyMigrations(database.db);
  const log = pino({ level: 'warn' });
  const deps = createDeps({ db: database.db, secret: 'bench-secret-bench-secret', log, notify: { perHour: 1_000_000 } });
  const site = await createSite(deps, { slug: 'bench', name: 'Bench', origins: ['https://bench.example'] });
  console.log(`mail benchmark: ${MAILS} followers of one thread, one new comment each round; workers in this process; local SMTP server`);
  for (const concurrency of CONCURRENCY) {
    mailbox.reset();
    const [thread] = await database.db.insert(threads).values({ siteId: site.id, key: `bench-${concurrency}`, url: `https://bench.example/${concurrency}`, title: 'Bench' }).returning();
    const followers = await database.db.insert(users).values(Array.from({ length: MAILS }, (_, i) => ({
      displayName: `Follower ${i}`, email: `f${i}-c${concurrency}@bench.example`, emailVerifiedAt: new Date(),
    }))).returning({ id: users.id });
    await database.db.insert(threadSubscriptions).values(followers.map((f) => ({ siteId: site.id, threadId: thread.id, userId: f.id, confirmedAt: new Date() })));
    // As the server does: the SMTP pool has as many connections as mails may go out at once.
    deps.mailer = createMailer({ smtpUrl: mailbox.url, from: 'Parley <bench@localhost>', log, maxConnections: concurrency });
    const inner = deps.mailer;
    let sendMs = 0; let inFlight = 0; let maxInFlight = 0;
    deps.mailer = { close: () => inner.close(), async send(m) { const t = performance.now(); inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); try { await inner.send(m); } finally { inFlight--; sendMs += performance.now() - t; } } };
    const workers = await startWorkers(deps, { databaseUrl: embedded.url, concurrency, pollSeconds: 1 });
    const started = performance.now();
    let fannedOut = 0;
    const firstDone = mailbox.until(1).then(() => { fannedOut = performance.now() - started; });
    // The comment and its outbox job in one transaction, as postComment writes them.
    await transactional(database.db, async (tx, afterCommit) => {
      const id = randomUUID();
      await tx.insert(comments).values({ id, siteId: site.id, threadId: thread.id, rootId: id, authorName: 'Writer', bodySource: 'Hello followers', bodyHtml: '<p>Hello followers</p>', status: 'approved' });
      await deps.outbox.add({ tx, afterCommit }, { type: 'comment.created', siteId: site.id, threadId: thread.id, commentId: id });
    });
    await mailbox.until(MAILS);
    const ms = performance.now() - started;
    await firstDone;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const twice = [...mailbox.counts.values()].filter((n) => n > 1).length;
    const missing = MAILS - mailbox.counts.size;
    console.log(`concurrency ${String(concurrency).padStart(2)}: ${MAILS} mails in ${(ms / 1000).toFixed(2)} s = ${Math.round(MAILS / (ms / 1000))} mails/s`
      + ` (first mail after ${fannedOut.toFixed(0)} ms; sent twice: ${twice}; missing: ${missing})`);
    if (process.env.BENCH_DEBUG) console.log(`  SMTP send ${(sendMs / MAILS).toFixed(1)} ms per mail, at most ${maxInFlight} at once`);
    await workers.stop();
    deps.mailer.close();
  }
} finally {
  await mailbox.close();
  await database.close();
  await embedded.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
}
