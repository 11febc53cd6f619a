import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino, { type DestinationStream, type Logger } from 'pino';
import { createApp, type AppParts } from './app.js';
import type { Config } from './config.js';
import { applyMigrations, LOCKS, openDatabase, withAdvisoryLock, type Database } from './db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { DEMO_SITE } from './demo/page.js';
import { seedDemo } from './demo/seed.js';
import { createDeps, type Deps } from './deps.js';
import { createRateLimits } from './limits/service.js';
import { createMailer } from './mail/mailer.js';
import { REDACTED_PATHS, serializeError } from './logging.js';
import { crossProcessAdapter } from './realtime/adapter.js';
import { startPruning } from './realtime/prune.js';
import type { ParleyServer } from './realtime/sockets.js';
import { otherSitesExist, setSiteEnabled } from './sites/service.js';
import { databaseUrlOf, startWorkers } from './jobs/handlers.js';

export interface RunningParley {
  url: string;
  deps: Deps;
  database: Database;
  /** The socket server: operators (and tests) can see and drop connections. */
  io: ParleyServer;
  stop(): Promise<void>;
}

/**
 * pino-pretty when a person reads stdout in a terminal and it is installed (a dev dependency);
 * otherwise JSON lines, which log collectors and `journalctl -o cat | jq` read.
 */
function terminalTransport(): pino.TransportSingleOptions | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' } };
}

/** Parley's logger; `destination` (default stdout) lets tests read what would be logged. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = { level: config.logLevel, redact: REDACTED_PATHS, serializers: { err: serializeError } };
  if (destination) return pino(options, destination);
  const transport = terminalTransport();
  return transport ? pino({ ...options, transport }) : pino(options);
}

/**
 * DEMO set wins; unset, the demo is on only while no other site exists, so a first run shows it
 * and a real site ends it. The demo site is disabled with it: its localhost origins must not
 * stay in the allowlist that real sites share.
 */
async function decideDemo(deps: Deps, config: Config): Promise<boolean> {
  const demo = config.demo ?? !(await otherSitesExist(deps, DEMO_SITE));
  await setSiteEnabled(deps, DEMO_SITE, demo);
  return demo;
}

/** Opens the configured database (the embedded one unless DATABASE_URL is set), migrated. */
export async function openConfiguredDatabase(config: Config, log: Logger): Promise<{ database: Database; embedded?: EmbeddedServer }> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    log.info({ dataDir: config.dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir, port: config.embeddedPgPort, database: 'parley', log: (m) => log.debug({ pg: m }),
    });
    url = embedded.url;
  }
  const database = openDatabase(url, { onError: (err) => log.warn({ err: err.message }, 'database connection lost') });
  try {
    await applyMigrations(database.db);
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }
  return { database, embedded };
}

/** Requests in flight get this long once a stop begins: `docker stop` kills after 10 s. */
const DRAIN_MS = 8_000;

/**
 * Stops accepting connections, sends socket clients off to reconnect (the connection drops
 * without a socket.io disconnect packet, so clients retry, reaching another process or this one
 * restarted), and waits for the HTTP requests in flight, up to DRAIN_MS.
 */
async function drain(parts: AppParts, log: Logger): Promise<void> {
  const { server } = parts;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection would otherwise hold the close open for its whole idle timeout.
  server.on('request', (_req, res: ServerResponse) => { res.shouldKeepAlive = false; });
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    log.warn({ afterMs: DRAIN_MS }, 'requests still in flight: closing their connections');
    server.closeAllConnections();
  }, DRAIN_MS);
  try {
    await parts.close();
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
  }
}

/** config -> database -> migrations -> http + sockets; stop() undoes it in reverse. */
export async function startParley(config: Config, log: Logger = createLogger(config)): Promise<RunningParley> {
  const { database, embedded } = await openConfiguredDatabase(config, log);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3 }) : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const deps = createDeps({
    db: database.db,
    secret: config.sessionSecret,
    log,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log, maxConnections: config.jobs.concurrency }),
    publicUrl: config.publicUrl,
    jobs: config.jobs,
    notify: { perHour: config.notificationsPerHour, webhooksAllowPrivate: config.webhooksAllowPrivate },
    limits: createRateLimits({
      db: database.db, redis, keyPrefix: config.redisPrefix,
      perPeriod: config.limits,
    }),
  });
  // Only an external database can be shared by several processes; the embedded one has one owner.
  const adapter = crossProcessAdapter({ redis, pool: config.databaseUrl ? database.pool : undefined, prefix: config.redisPrefix });
  const demo = await decideDemo(deps, config);
  const parts = createApp(deps, Object.freeze({ ...config, demo }), log, { adapter: adapter?.adapter });
  await new Promise<void>((resolve, reject) => {
    parts.server.once('error', reject);
    parts.server.listen(config.port, config.host, () => resolve());
  });
  const { port } = parts.server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  // With PORT=0 (tests) the configured URL names no real port: the demo uses the one bound.
  const publicUrl = config.port === 0 ? url : config.publicUrl;
  deps.publicUrl = publicUrl;
  // Processes starting together on a new database would each find no demo and each create it.
  const seeded = demo && (await withAdvisoryLock(database.db, LOCKS.seed,
    () => seedDemo(deps, publicUrl, [`http://localhost:${port}`, `http://127.0.0.1:${port}`])));
  if (seeded) {
    log.info('created the demo site with sample comments');
  }
  const stopPruning = startPruning(database.db, { now: deps.now, windowHours: config.replayWindowHours, log });
  // Mail and webhooks run here unless JOBS_IN_PROCESS=false (then `npm run parley -- worker` runs them).
  const workers = config.jobs.inProcess ? await startWorkers(deps, { databaseUrl: databaseUrlOf(database.pool), ...config.jobs }) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    stopPruning();
    // The workers have connections of their own: they finish their jobs while requests drain, not after.
    await Promise.all([workers?.stop(), drain(parts, log)]);
    await adapter?.close();
    await redis?.quit();
    await database.close();
    await embedded?.stop();
  })());
  return { url, deps, database, io: parts.io, stop };
}
