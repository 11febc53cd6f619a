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

/** Parley as `npm start` runs it (demo site and all) on a fresh database, and a Chromium. */
export async function startDemoWithBrowser(env: Record<string, string> = {}): Promise<DemoRun> {
  const database = await createTestDatabase();
  const parley = await startParley(parseConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'silent',
    SESSION_SECRET: 'demo-secret-demo-secret', RATE_LIMIT_NEW_GUESTS_PER_HOUR: '1000', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-demo-')),
    ...env,
  }));
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
