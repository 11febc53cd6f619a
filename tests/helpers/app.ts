import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createApp } from '../../src/server/app.js';
import { parseConfig } from '../../src/server/config.js';
import { createDeps, type Deps } from '../../src/server/deps.js';
import { createRateLimits } from '../../src/server/limits/service.js';
import { createMailer } from '../../src/server/mail/mailer.js';
import { startWorkers } from '../../src/server/jobs/handlers.js';
import { crossProcessAdapter } from '../../src/server/realtime/adapter.js';
import { createSite, type Site } from '../../src/server/sites/service.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** A clock tests can move: edit windows are checked without waiting. */
export class TestClock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) { this.offsetMs += ms; }
}

export interface TestApp {
  url: string;
  deps: Deps;
  database: TestDatabase;
  clock: TestClock;
  site: Site;
  /** Queries sent since the last reset: read paths must send a fixed number. */
  queries: string[];
  /** Namespaces this app's Redis keys and socket channels. */
  prefix: string;
  /** DATA_DIR (uploaded imports wait in its imports/). */
  dataDir: string;
  close(): Promise<void>;
}

export const SITE_ORIGIN = 'https://news.example.org';

export interface TestAppOptions {
  /** Most tests post far more than a reader may: limits are high unless a test sets them. */
  postsPerMinute?: number;
  votesPerMinute?: number;
  threadsPerMinute?: number;
  guestsPerHour?: number;
  replaysPerMinute?: number;
  signInsPer15Minutes?: number;
  mailsPerHour?: number;
  /** Counters, and socket broadcasts between instances, go through this Redis. */
  redis?: Redis;
  /** Another instance of Parley on the same database: a second process, as far as it can tell. */
  sameDatabaseAs?: TestApp;
  /** Broadcast socket events to other instances (through `redis` if given, else PostgreSQL). */
  crossProcess?: boolean;
  /** Enables /metrics with this token. */
  metricsToken?: string;
  /** Socket connections one address may hold (SOCKETS_PER_IP); every test client shares 127.0.0.1. */
  socketsPerIp?: number;
  /** PAGE_REBUILD_MIN_MS: 0 (the default here) makes every change show in the next read. */
  pageRebuildMinMs?: number;
  /** TRUST_PROXY: which proxies' X-Forwarded-For to believe. */
  trustProxy?: string;
  /** Where the app logs (default: nowhere). */
  logger?: Logger;
  /** Mail goes to this SMTP server (tests/helpers/smtp.ts); by default to the (silent) log. */
  smtpUrl?: string;
  /** Run the job workers (mail, webhooks) in this app, as the server does by default. */
  workers?: boolean;
  /** Job retries and timeout (seconds): tests wait seconds, not the production minutes. */
  jobRetryBaseSeconds?: number;
  jobTimeoutSeconds?: number;
  /** RATE_LIMIT_NOTIFICATIONS_PER_HOUR (default here: no limit to speak of). */
  notificationsPerHour?: number;
  /** WEBHOOKS_ALLOW_PRIVATE (default here: true, as receivers listen on 127.0.0.1). */
  webhooksAllowPrivate?: boolean;
  /** IMPORT_MAX_MB: the largest export the dashboard takes. */
  importMaxMb?: number;
  /** OIDC_PROVIDERS: OpenID providers to sign in with. */
  oidcProviders?: Array<{ id: string; name: string; issuer: string; clientId: string; clientSecret: string; scope?: string }>;
}

/** The real app (same factories as main.ts) on a fresh database, listening on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const queries: string[] = [];
  const database = options.sameDatabaseAs?.database ?? await createTestDatabase({ queryLogger: { logQuery: (q) => queries.push(q) } });
  const clock = new TestClock();
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const limits = createRateLimits({
    db: database.db, redis: options.redis, keyPrefix: prefix,
    perPeriod: {
      post: options.postsPerMinute ?? 10_000, vote: options.votesPerMinute ?? 10_000, thread: options.threadsPerMinute ?? 10_000,
      guest: options.guestsPerHour ?? 10_000, replay: options.replaysPerMinute ?? 10_000,
      signin: options.signInsPer15Minutes ?? 10_000, mail: options.mailsPerHour ?? 10_000,
    },
  });
  const log = options.logger ?? pino({ level: 'silent' });
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: 'Parley <parley@test.example>', log });
  const deps = createDeps({
    db: database.db, secret: 'test-secret-test-secret', now: clock.now, limits, log, mailer,
    jobs: { retryBaseSeconds: options.jobRetryBaseSeconds ?? 1, timeoutSeconds: options.jobTimeoutSeconds ?? 30 },
    notify: { perHour: options.notificationsPerHour ?? 10_000, webhooksAllowPrivate: options.webhooksAllowPrivate ?? true },
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-'));
  const config = parseConfig({
    PORT: '0', DEMO: 'false', SESSION_SECRET: 'test-secret-test-secret', DATA_DIR: dataDir, IMPORT_MAX_MB: options.importMaxMb?.toString(),
    METRICS_TOKEN: options.metricsToken,
    SOCKETS_PER_IP: options.socketsPerIp?.toString(), TRUST_PROXY: options.trustProxy,
    PAGE_REBUILD_MIN_MS: String(options.pageRebuildMinMs ?? 0),
    OIDC_PROVIDERS: options.oidcProviders && JSON.stringify(options.oidcProviders),
  });
  const sharedPrefix = options.sameDatabaseAs?.prefix ?? prefix;
  const adapter = options.crossProcess ? crossProcessAdapter({ redis: options.redis, pool: database.pool, prefix: sharedPrefix }) : undefined;
  const parts = createApp(deps, config, log, { adapter: adapter?.adapter });
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  const { port } = parts.server.address() as AddressInfo;
  deps.publicUrl = `http://127.0.0.1:${port}`;
  const site = options.sameDatabaseAs?.site ?? await createSite(deps, { slug: 'news', name: 'News', origins: [SITE_ORIGIN] });
  const workers = options.workers ? await startWorkers(deps, { databaseUrl: database.url, concurrency: 4, pollSeconds: 0.5 }) : undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    deps, database, clock, site, queries, prefix: sharedPrefix, dataDir,
    async close() {
      await workers?.stop(2_000);
      await parts.close();
      await adapter?.close();
      mailer.close();
      if (!options.sameDatabaseAs) await database.drop();
    },
  };
}

/** Two instances of Parley on one database, passing live events and cache signals through PostgreSQL as two processes do; closed after `work`. */
export async function withTwoProcesses(work: (first: TestApp, second: TestApp) => Promise<void>): Promise<void> {
  const first = await startTestApp({ crossProcess: true });
  const second = await startTestApp({ crossProcess: true, sameDatabaseAs: first });
  try {
    await work(first, second);
  } finally {
    await second.close();
    await first.close();
  }
}

/** fetch against the app, JSON in and out. */
export async function api(app: TestApp, method: string, path: string, options: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(app.url + path, {
    method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: asserted by the caller */ }
  return { status: res.status, json, text, headers: res.headers };
}

/** The thread of a page on the test site, created on first view from the site's page, as the widget does. */
export async function openThread(app: TestApp, key = 'post-1') {
  const res = await api(app, 'GET', `/api/v1/threads?site=news&key=${encodeURIComponent(key)}&url=${encodeURIComponent(`${SITE_ORIGIN}/${key}`)}`, {
    headers: { origin: SITE_ORIGIN },
  });
  if (res.status !== 200) throw new Error(`openThread: ${res.status} ${res.text}`);
  return res.json.thread as { id: string; commentCount: number };
}
