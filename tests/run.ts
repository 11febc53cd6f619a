/**
 * `npm test`: every suite against a fresh embedded PostgreSQL, then the database suites again
 * against the machine's PostgreSQL when one answers (CI has one at 127.0.0.1:5432).
 * Each test file makes and drops a database of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/server/db/embedded.js';

const root = path.resolve(import.meta.dirname, '..');
const externalUrl = process.env.PARLEY_TEST_EXTERNAL_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = process.argv.slice(2);
const suites = {
  all: ['tests/unit', 'tests/service', 'tests/api', 'tests/e2e'],
  database: ['tests/service', 'tests/api'],
};

function testFilesIn(dir: string): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

function runNodeTests(dirs: string[], env: Record<string, string>, label: string): Promise<number> {
  const files = only.length > 0 ? only : dirs.flatMap(testFilesIn);
  console.log(`\n=== ${label} ===`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=240000', '--test-force-exit', ...files], {
      cwd: root, stdio: 'inherit', env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function externalAnswers(): Promise<boolean> {
  if (process.env.PARLEY_TEST_EXTERNAL_PG === '') return false;
  const client = new pg.Client({ connectionString: externalUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const dataDir = path.join(root, '.tmp', `test-pg-${process.pid}`);
const embedded = await startEmbeddedPostgres({ dataDir, port: 0, database: 'parley_test_admin' });
let failed = 0;
try {
  failed += await runNodeTests(suites.all, { PARLEY_TEST_ADMIN_URL: embedded.adminUrl }, 'embedded PostgreSQL');
  if (only.length === 0 && (await externalAnswers())) {
    failed += await runNodeTests(suites.database, { PARLEY_TEST_ADMIN_URL: externalUrl }, `external PostgreSQL (${new URL(externalUrl).host})`);
  } else if (only.length === 0) {
    console.log(`\n(no PostgreSQL answers at ${new URL(externalUrl).host}: the external-database run is skipped)`);
  }
} finally {
  await embedded.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
