import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/server/app.js';
import { parseConfig } from '../../src/server/config.js';
import type { Deps } from '../../src/server/deps.js';
import { EventBus } from '../../src/server/events.js';
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
  close(): Promise<void>;
}

export const SITE_ORIGIN = 'https://news.example.org';

/** The real app (same factories as main.ts) on a fresh database, listening on a free port. */
export async function startTestApp(): Promise<TestApp> {
  const queries: string[] = [];
  const database = await createTestDatabase({ queryLogger: { logQuery: (q) => queries.push(q) } });
  const clock = new TestClock();
  const deps: Deps = { db: database.db, events: new EventBus(), secret: 'test-secret-test-secret', now: clock.now };
  const config = parseConfig({
    PORT: '0', DEMO: 'false', SESSION_SECRET: 'test-secret-test-secret', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-')),
  });
  const parts = createApp(deps, config, pino({ level: 'silent' }));
  await new Promise<void>((resolve) => parts.server.listen(0, '127.0.0.1', resolve));
  const { port } = parts.server.address() as AddressInfo;
  const site = await createSite(deps, { slug: 'news', name: 'News', origins: [SITE_ORIGIN] });
  return {
    url: `http://127.0.0.1:${port}`,
    deps, database, clock, site, queries,
    async close() {
      await parts.close();
      await database.drop();
    },
  };
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

/** The thread of a page on the test site, created on first view as the widget does. */
export async function openThread(app: TestApp, key = 'post-1') {
  const res = await api(app, 'GET', `/api/v1/threads?site=news&key=${encodeURIComponent(key)}&url=${encodeURIComponent(`${SITE_ORIGIN}/${key}`)}`);
  if (res.status !== 200) throw new Error(`openThread: ${res.status} ${res.text}`);
  return res.json.thread as { id: string; commentCount: number };
}
