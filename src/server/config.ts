import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Per IP address (and per reader where there is one): comments posted, votes cast and threads
 * first opened per minute; guest identities made per hour; replays of the live log per minute;
 * sign-in attempts per 15 minutes (per address and per account); mails asked for per hour (per
 * address and per recipient).
 */
export const DEFAULT_LIMITS = { post: 10, vote: 60, thread: 30, guest: 10, replay: 60, signin: 10, mail: 5 } as const;

/** The named ranges proxy-addr (Express's trust proxy) knows. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(item: string): boolean {
  if (PROXY_RANGES.has(item) || ipaddr.isValid(item)) return true;
  try {
    ipaddr.parseCIDR(item);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which proxies may set X-Forwarded-For: a hop count, or a comma list of named ranges and
 * addresses/CIDRs. Empty or `false` means none, as if unset.
 */
const trustProxySchema = z.string().trim()
  .refine((v) => v.toLowerCase() !== 'true', 'must not be `true`: it trusts every hop, so a forged X-Forwarded-For escapes every rate limit; give the hop count (e.g. `1`) or the proxies\' addresses')
  .transform((v) => v.split(',').map((item) => item.trim()).filter(Boolean).join(','))
  .refine((v) => v === '' || v === 'false' || /^\d+$/.test(v) || v.split(',').every(isProxyAddress),
    'a hop count, `loopback`, `linklocal`, `uniquelocal`, or a comma list of IP addresses or CIDRs')
  .transform((v) => (v === '' || v === 'false' ? undefined : v));

/**
 * A provider readers may sign in with ("Continue with <name>"). `oidc`: an OpenID provider found
 * by discovery at `issuer`; `github`: GitHub's OAuth2 (no discovery, no ID token), read through
 * its API. Registered at the provider, Parley's callback is `PUBLIC_URL/auth/oidc/<id>/callback`.
 */
export interface OidcProviderConfig {
  /** Lowercase slug: the `/auth/oidc/<id>` path, and the identities' `oidc:<id>`. */
  id: string;
  name: string;
  kind: 'oidc' | 'github';
  issuer: string;
  clientId: string;
  /** Secret: never logged. */
  clientSecret: string;
  scope: string;
}

const GOOGLE_ISSUER = 'https://accounts.google.com';
const GITHUB_ISSUER = 'https://github.com';
const OIDC_DEFAULT_SCOPE = 'openid email profile';
const GITHUB_SCOPE = 'read:user user:email';

/** https, or plain http to this machine only (a provider run for development or tests). */
function isAllowedIssuer(value: string): boolean {
  if (!URL.canParse(value)) return true; // said already: "Invalid URL"
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

const oidcProviderSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'a lowercase slug (letters, digits, inner hyphens; 32 at most)'),
  name: z.string().trim().min(1).max(40),
  issuer: z.url().refine(isAllowedIssuer, 'an https URL (plain http only for localhost)').transform((v) => v.replace(/\/$/, '')),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  scope: z.string().trim().min(1).max(500).optional(),
});

/**
 * OIDC_PROVIDERS is a JSON array. A parse error names the position only: V8's message quotes
 * the text around it, which may be a client secret.
 */
const oidcProvidersSchema = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    ctx.addIssue({ code: 'custom', message: `not valid JSON${at ? ` (at character ${at})` : ''}: expected [{"id", "name", "issuer", "clientId", "clientSecret", "scope"?}, ...]` });
    return z.NEVER;
  }
}).pipe(z.array(oidcProviderSchema).max(20));

/** Every setting Parley reads from the environment; nothing else reads process.env. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.url().optional(),
  /** Port of the embedded PostgreSQL; 0 picks a free one at each start. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  REDIS_URL: z.url().optional(),
  /** Namespaces Parley's keys and channels in a shared Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w.-]+$/).default('parley'),
  /** Comments one IP address, or one reader, may post per minute. */
  RATE_LIMIT_POSTS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.post),
  RATE_LIMIT_VOTES_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.vote),
  /** New threads one IP address may cause by viewing pages not seen before. */
  RATE_LIMIT_NEW_THREADS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.thread),
  /** Guest identities one IP address may create per hour (each comes with its first comment or vote). */
  RATE_LIMIT_NEW_GUESTS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.guest),
  /** Rejoins with a cursor (each replays the live log) one IP address may make per minute. */
  RATE_LIMIT_REPLAYS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.replay),
  /** Sign-in attempts (password, link, SSO) one IP address, or one account, may make per 15 minutes. */
  RATE_LIMIT_SIGN_INS_PER_15_MINUTES: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.signin),
  /** Mails (verification, reset, sign-in link) one IP address may ask for, or one address receive, per hour. */
  RATE_LIMIT_MAILS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.mail),
  /** How long the live-event log keeps a change for replay; a client further behind re-reads. */
  LIVE_REPLAY_WINDOW_HOURS: z.coerce.number().positive().default(24),
  /** Memory for thread pages kept ready to send (JSON, gzip and brotli), in MiB. */
  PAGE_CACHE_MB: z.coerce.number().positive().default(64),
  /** A page of a thread that keeps changing is rebuilt at most this often (ms); readers catch up live. */
  PAGE_REBUILD_MIN_MS: z.coerce.number().int().min(0).default(250),
  /** Socket connections one IP address may hold at once. */
  SOCKETS_PER_IP: z.coerce.number().int().min(1).default(100),
  /** Express's `trust proxy`: set when a reverse proxy adds X-Forwarded-For (e.g. `loopback` or `1`). */
  TRUST_PROXY: trustProxySchema.optional(),
  /** Where mail goes (smtp://user:pass@host:587, smtps://...); unset, mail is written to the log. */
  SMTP_URL: z.url().optional(),
  /** The sender of Parley's mail. */
  MAIL_FROM: z.string().min(3).default('Parley <parley@localhost>'),
  SESSION_SECRET: z.string().min(16).optional(),
  /** Enables GET /metrics (Prometheus) for requests bearing this token. */
  METRICS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The demo site and article; unset, it is on only while no other site exists (decided at start). */
  DEMO: z.stringbool().optional(),
  /** The largest export a site's admin may upload on the dashboard (MiB); a larger one is refused with 413. */
  IMPORT_MAX_MB: z.coerce.number().positive().default(2048),
  /** Whether this process runs the job workers (mail, webhooks); false when `npm run parley -- worker` runs them apart. */
  JOBS_IN_PROCESS: z.stringbool().default(true),
  /** Jobs one process runs at once, per queue. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
  /** How often an idle worker looks for jobs another process queued (seconds). */
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  /** The first retry of a failed job waits about this long, each next one twice as long: about a day of retries in all. */
  JOB_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** A job running longer than this is taken for lost (its process died) and run again. */
  JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  /** Notification mails one address gets per hour; more wait for the hourly digest. */
  RATE_LIMIT_NOTIFICATIONS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Webhooks may target private, loopback and link-local addresses, over plain http too (local development and tests only). */
  WEBHOOKS_ALLOW_PRIVATE: z.stringbool().default(false),
  /** OpenID providers to sign in with: a JSON array of {id, name, issuer, clientId, clientSecret, scope?}. */
  OIDC_PROVIDERS: oidcProvidersSchema.optional(),
  /** Presets: Google (OpenID Connect) and GitHub (OAuth2), each on with its client id and secret. */
  OIDC_GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  OIDC_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_GITHUB_CLIENT_ID: z.string().trim().min(1).optional(),
  OIDC_GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  embeddedPgPort: number;
  redisUrl: string | undefined;
  redisPrefix: string;
  limits: Record<keyof typeof DEFAULT_LIMITS, number>;
  replayWindowHours: number;
  pageCache: { maxBytes: number; minRebuildMs: number };
  socketsPerIp: number;
  trustProxy: string | undefined;
  /** Secret (it may hold a password): never logged. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Secret: keys HMACs of IP addresses. Never logged. */
  sessionSecret: string;
  /** Secret: guards /metrics. Never logged. */
  metricsToken: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** Explicit true/false wins; undefined lets the start decide (on while the demo is the only site). */
  demo: boolean | undefined;
  /** Uploads of exports on the dashboard: at most this many bytes, kept under DATA_DIR/imports while they run. */
  importMaxBytes: number;
  /** Sign-in providers, in the order the sign-in page offers them. Their client secrets are never logged. */
  oidcProviders: readonly OidcProviderConfig[];
  jobs: { inProcess: boolean; concurrency: number; pollSeconds: number; retryBaseSeconds: number; timeoutSeconds: number };
  notificationsPerHour: number;
  webhooksAllowPrivate: boolean;
}

/** Without SESSION_SECRET, a first run makes one and keeps it in DATA_DIR so restarts agree. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** OIDC_PROVIDERS, then the Google and GitHub presets; each id once. */
function oidcProvidersOf(e: Env, issues: string[]): OidcProviderConfig[] {
  const providers: OidcProviderConfig[] = (e.OIDC_PROVIDERS ?? []).map((p) => ({ ...p, kind: 'oidc', scope: p.scope ?? OIDC_DEFAULT_SCOPE }));
  const presets = [
    { key: 'GOOGLE', id: 'google', name: 'Google', kind: 'oidc', issuer: GOOGLE_ISSUER, scope: OIDC_DEFAULT_SCOPE },
    { key: 'GITHUB', id: 'github', name: 'GitHub', kind: 'github', issuer: GITHUB_ISSUER, scope: GITHUB_SCOPE },
  ] as const;
  for (const { key, ...preset } of presets) {
    const clientId = e[`OIDC_${key}_CLIENT_ID`];
    const clientSecret = e[`OIDC_${key}_CLIENT_SECRET`];
    if (!clientId && !clientSecret) continue;
    if (!clientId || !clientSecret) {
      issues.push(`OIDC_${key}_CLIENT_${clientId ? 'SECRET' : 'ID'}: needed with OIDC_${key}_CLIENT_${clientId ? 'ID' : 'SECRET'}`);
      continue;
    }
    providers.push({ ...preset, clientId, clientSecret });
  }
  const seen = new Set<string>();
  for (const p of providers) {
    if (seen.has(p.id)) issues.push(`OIDC_PROVIDERS: the provider id "${p.id}" is used twice (google and github are taken by their presets when set)`);
    seen.add(p.id);
  }
  return providers;
}

function invalid(lines: string[]): never {
  throw new Error(`Invalid configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`);
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const issues: string[] = [];
  const oidcProviders = oidcProvidersOf(e, issues);
  if (issues.length > 0) invalid(issues);
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    limits: Object.freeze({
      post: e.RATE_LIMIT_POSTS_PER_MINUTE, vote: e.RATE_LIMIT_VOTES_PER_MINUTE, thread: e.RATE_LIMIT_NEW_THREADS_PER_MINUTE,
      guest: e.RATE_LIMIT_NEW_GUESTS_PER_HOUR, replay: e.RATE_LIMIT_REPLAYS_PER_MINUTE,
      signin: e.RATE_LIMIT_SIGN_INS_PER_15_MINUTES, mail: e.RATE_LIMIT_MAILS_PER_HOUR,
    }),
    replayWindowHours: e.LIVE_REPLAY_WINDOW_HOURS,
    pageCache: Object.freeze({ maxBytes: Math.round(e.PAGE_CACHE_MB * 1024 * 1024), minRebuildMs: e.PAGE_REBUILD_MIN_MS }),
    socketsPerIp: e.SOCKETS_PER_IP,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    sessionSecret: e.SESSION_SECRET ?? loadOrCreateSecret(dataDir),
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO,
    importMaxBytes: Math.floor(e.IMPORT_MAX_MB * 1024 * 1024),
    oidcProviders: Object.freeze(oidcProviders.map((p) => Object.freeze(p))),
    jobs: Object.freeze({
      inProcess: e.JOBS_IN_PROCESS, concurrency: e.JOB_CONCURRENCY, pollSeconds: e.JOB_POLL_SECONDS,
      retryBaseSeconds: e.JOB_RETRY_BASE_SECONDS, timeoutSeconds: e.JOB_TIMEOUT_SECONDS,
    }),
    notificationsPerHour: e.RATE_LIMIT_NOTIFICATIONS_PER_HOUR,
    webhooksAllowPrivate: e.WEBHOOKS_ALLOW_PRIVATE,
  });
}

/** The process's configuration, parsed once; exits with a readable list of bad keys. */
export function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
