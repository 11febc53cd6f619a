import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { applyMigrations, openDatabase } from '../../src/server/db/index.js';

const root = path.resolve(import.meta.dirname, '../..');

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An empty database (tests/helpers/db.ts would migrate it: here the processes must). */
async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.PARLEY_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('PARLEY_TEST_ADMIN_URL is not set: run the tests with `npm test`.');
  const name = `parley_test_migrate_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => { await admin(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)); },
  };
}

/** `node dist/server/main.js` (what the service command runs) on a free port; resolves with its address. */
function startProcess(env: Record<string, string>): { child: ChildProcess; serving: Promise<string> } {
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const serving = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const found = /Parley is serving (http:\/\/\S+?)"/.exec(output);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before serving:\n${output}`)); });
  });
  return { child, serving };
}

async function appliedTimes(url: string): Promise<Array<{ hash: string; times: number }>> {
  const applied = await admin(url, (c) => c.query<{ hash: string; times: number }>(
    'select hash, count(*)::int as times from drizzle.__drizzle_migrations group by hash',
  ));
  return applied.rows;
}

const journal = JSON.parse(readFileSync(path.join(root, 'migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };

describe('several processes starting at once on one database', () => {
  it('take turns at the migrations (without the lock, two of three fail on a duplicate CREATE)', { timeout: 60_000 }, async () => {
    const database = await emptyDatabase();
    const pools = [1, 2, 3].map(() => openDatabase(database.url));
    try {
      const results = await Promise.allSettled(pools.map(({ db }) => applyMigrations(db)));
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled'], String(results.find((r) => r.status === 'rejected')?.reason));
      const applied = await appliedTimes(database.url);
      assert.equal(applied.length, journal.entries.length);
      assert.deepEqual(applied.filter((r) => r.times !== 1), []);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      await database.drop();
    }
  });

  it('apply each migration exactly once, and all come up', { timeout: 120_000 }, async () => {
    const database = await emptyDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-migrate-'));
    const processes = [1, 2, 3].map(() => startProcess({ DATABASE_URL: database.url, DATA_DIR: dataDir }));
    try {
      const urls = await Promise.all(processes.map((p) => p.serving));
      for (const url of urls) assert.equal((await fetch(`${url}/readyz`)).status, 200, `${url} is ready`);

      const applied = await appliedTimes(database.url);
      assert.equal(applied.length, journal.entries.length, 'every migration is recorded');
      assert.deepEqual(applied.filter((r) => r.times !== 1), [], 'none twice');
      // The demo is seeded under a lock too: one demo site with its four sample comments.
      const demo = await admin(database.url, (c) => c.query<{ comments: number }>(
        `select count(*)::int as comments from comments join threads on threads.id = comments.thread_id
           join sites on sites.id = threads.site_id where sites.slug = 'demo'`,
      ));
      assert.equal(demo.rows[0].comments, 4);
    } finally {
      await Promise.all(processes.map(({ child }) => new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(null);
        child.once('exit', resolve);
        child.kill('SIGTERM');
      })));
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
