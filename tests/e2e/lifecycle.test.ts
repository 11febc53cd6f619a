import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../../src/server/db/embedded.js';
import { createTestDatabase } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-lifecycle-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** PIDs of postgres servers whose data directory is under dir. */
function postgresUsing(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmd[0]?.endsWith('/postgres') && cmd.some((arg) => arg.startsWith(dir));
    } catch {
      return false;
    }
  });
}

/** Starts Parley as `npm start` does (without the client build) and waits until it serves. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Parley is serving')) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`exited before serving:\n${output}`)); });
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

function assertCleanExit(code: number | null) {
  assert.equal(code, 0, 'a stop on SIGINT or SIGTERM is a clean exit');
}

async function demoComments(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/threads?site=demo&key=aqim-funding-sources&include=comments&sort=oldest`);
  assert.equal(res.status, 200);
  const body = await res.json() as { comments: Array<{ html: string; replies: Array<{ html: string }> }> };
  return body.comments.flatMap((c) => [c.html, ...c.replies.map((r) => r.html)]);
}

describe('running Parley (npm start)', { timeout: 180_000 }, () => {
  it('serves the demo with its embedded PostgreSQL, survives kill -9, and stops cleanly', async () => {
    const first = await startServer({});
    const page = await (await fetch(`${first.url}/`)).text();
    assert.match(page, /<div id="parley-thread" data-site="demo"/);
    assert.equal((await fetch(`${first.url}/readyz`)).status, 200);
    const seeded = await demoComments(first.url);
    assert.equal(seeded.length, 4);
    assert.ok(seeded.some((html) => /[\u0600-\u06FF]/.test(html)), 'one sample comment is in Arabic');
    assert.equal(postgresUsing(dataDir).length, 1);
    assert.equal(statSync(path.join(dataDir, 'postgres-password')).mode & 0o777, 0o600, 'the cluster password is private');

    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(postgresUsing(dataDir).length, 1, 'kill -9 leaves the postgres child behind');

    const second = await startServer({});
    assert.deepEqual(await demoComments(second.url), seeded, 'the data survived and was not seeded twice');
    second.child.kill('SIGTERM');
    assertCleanExit(await second.exited);
    assert.deepEqual(postgresUsing(dataDir), [], 'no postgres process is left');
  });

  it('uses DATABASE_URL instead of starting its own PostgreSQL', async () => {
    const database = await createTestDatabase();
    try {
      const server = await startServer({ DATABASE_URL: database.url });
      assert.deepEqual(postgresUsing(dataDir), []);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      assert.equal((await demoComments(server.url)).length, 4);
      server.child.kill('SIGINT');
      assertCleanExit(await server.exited);
    } finally {
      await database.drop();
    }
  });
});
