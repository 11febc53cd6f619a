import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { io } from 'socket.io-client';
import { freePort, isAlive } from '../../src/server/db/embedded.js';
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

/** The process npm started for `start` (node itself: the script execs it). */
function serverUnder(npmPid: number): number {
  const pid = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).find((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === npmPid;
    } catch {
      return false;
    }
  });
  assert.ok(pid, 'npm has a child');
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /^node\0dist\/server\/main\.js\0/, 'npm start runs the compiled server with node');
  return pid;
}


/** True when nothing accepts connections on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(true));
  });
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Started { child: ChildProcess; port: number; url: string; exited: Promise<number | null>; output: () => string }

/** Starts Parley with `npm start`, as an operator or a service manager would, and waits until it serves. */
async function startServer(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Parley is serving')) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`exited before serving:\n${output}`)); });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, exited, output: () => output };
}

/** What a service manager checks after `systemctl stop`: npm gone, nothing on the port, the server gone. */
async function assertStopped(server: Started, serverPid: number): Promise<void> {
  assert.equal(await server.exited, 0, `npm exits cleanly:\n${server.output()}`);
  await eventually(() => !isAlive(serverPid), 'the server process ended');
  assert.equal(await refused(server.port), true, 'nothing listens on the port');
}

/** The demo thread as a reader's page asks for it. */
async function demoThread(url: string): Promise<{ id: string; commentCount: number }> {
  const res = await fetch(`${url}/api/v1/threads?site=demo&key=aqim-funding-sources`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { thread: { id: string; commentCount: number } }).thread;
}

describe('running Parley (npm start)', { timeout: 240_000 }, () => {
  it('serves the demo with its embedded PostgreSQL, survives kill -9, and stops on SIGTERM to npm', async () => {
    const first = await startServer({});
    const page = await (await fetch(`${first.url}/`)).text();
    assert.match(page, /<div id="parley-thread" data-site="demo"/);
    assert.equal((await fetch(`${first.url}/readyz`)).status, 200);
    const seeded = await demoThread(first.url);
    assert.equal(seeded.commentCount, 4, 'the demo thread is seeded');
    assert.equal(postgresUsing(dataDir).length, 1);
    assert.equal(statSync(path.join(dataDir, 'postgres-password')).mode & 0o777, 0o600, 'the cluster password is private');

    process.kill(serverUnder(first.child.pid!), 'SIGKILL');
    await first.exited;
    assert.equal(postgresUsing(dataDir).length, 1, 'kill -9 leaves the postgres child behind');

    const second = await startServer({});
    assert.deepEqual(await demoThread(second.url), seeded, 'the data survived and was not seeded twice');
    const serverPid = serverUnder(second.child.pid!);
    second.child.kill('SIGTERM'); // to npm, as systemd or a container runtime would
    await assertStopped(second, serverPid);
    await eventually(() => postgresUsing(dataDir).length === 0, 'no postgres process is left');
  });

  it('drains on SIGTERM: refuses new connections, answers the request in flight, sends sockets to reconnect', async () => {
    const database = await createTestDatabase();
    const locker = new pg.Client({ connectionString: database.url });
    try {
      const server = await startServer({ DATABASE_URL: database.url });
      assert.deepEqual(postgresUsing(dataDir), [], 'DATABASE_URL: no embedded PostgreSQL');
      const serverPid = serverUnder(server.child.pid!);
      const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

      // A slow request: the threads table is locked, so reading a thread waits.
      await locker.connect();
      await locker.query('begin; lock table threads in access exclusive mode');
      const slow = fetch(`${server.url}/api/v1/threads?site=demo&key=aqim-funding-sources`);
      await new Promise((r) => setTimeout(r, 300));
      server.child.kill('SIGTERM');

      assert.equal(await disconnected, 'transport close', 'a dropped transport, after which socket.io clients reconnect (not "io server disconnect", after which they do not)');
      await eventually(() => refused(server.port), 'new connections are refused while the request is in flight');
      assert.equal(isAlive(serverPid), true, 'the server waits for the request in flight');
      await locker.query('commit');
      const res = await slow;
      assert.equal(res.status, 200, 'the request in flight got its answer');
      assert.equal(((await res.json()) as { thread: { key: string } }).thread.key, 'aqim-funding-sources');
      await assertStopped(server, serverPid);
      socket.close();
    } finally {
      await locker.end().catch(() => {});
      await database.drop();
    }
  });

  it('stops with npm even when npm dies without passing a signal on (kill -9 to npm)', async () => {
    const database = await createTestDatabase();
    try {
      const server = await startServer({ DATABASE_URL: database.url });
      const serverPid = serverUnder(server.child.pid!);
      server.child.kill('SIGKILL');
      await server.exited;
      await eventually(() => !isAlive(serverPid), 'the server noticed its parent went, and stopped');
      assert.equal(await refused(server.port), true, 'nothing listens on the port');
    } finally {
      await database.drop();
    }
  });
});
