import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.PARLEY_REQUIRE_BROWSER === '1';

/**
 * Debian's Chromium, headless. Where there is none, browser tests are skipped with a message,
 * unless PARLEY_REQUIRE_BROWSER=1 (CI), where its absence fails the run.
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `no browser at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set PARLEY_CHROMIUM)`;
  if (required) throw new Error(`PARLEY_REQUIRE_BROWSER=1 but ${reason}`);
  console.log(`# skipping browser tests: ${reason}`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
