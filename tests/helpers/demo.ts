import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { parseConfig } from '../../src/server/config.js';
import { startParley, type RunningParley } from '../../src/server/runtime.js';
import { launchBrowser } from './browser.js';
import { createTestDatabase } from './db.js';

export interface DemoRun {
  parley: RunningParley;
  browser: Browser;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /**
   * Keep the sites' minimum writing time (3 s unless set): a browser test fills a comment box
   * and posts in milliseconds, which that rule holds as a robot's. Off (0 s) unless asked for.
   */
  keepComposeMinimum?: boolean;
}

/**
 * Every site of this database, those made later included, takes comments however fast they
 * were written: the test database's default changes, not Parley's.
 */
async function allowInstantPosts(parley: RunningParley): Promise<void> {
  await parley.database.pool.query('alter table sites alter column min_compose_seconds set default 0');
  const { rows } = await parley.database.pool.query<{ id: string }>('update sites set min_compose_seconds = 0 returning id');
  for (const { id } of rows) parley.deps.events.emit('site.changed', { siteId: id });
}

/** Parley as `npm start` runs it (demo site and all) on a fresh database, and a Chromium. */
export async function startDemoWithBrowser(env: Record<string, string> = {}, options: DemoOptions = {}): Promise<DemoRun> {
  const database = await createTestDatabase();
  const parley = await startParley(parseConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'silent',
    SESSION_SECRET: 'demo-secret-demo-secret', RATE_LIMIT_NEW_GUESTS_PER_HOUR: '1000', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-demo-')),
    ...env,
  }));
  if (!options.keepComposeMinimum) await allowInstantPosts(parley);
  const browser = await launchBrowser();
  return {
    parley,
    browser,
    async stop() {
      await browser.close();
      await parley.stop();
      await database.drop();
    },
  };
}
