/**
 * First paint of the demo thread in headless Chromium: milliseconds from navigation until the
 * first comment is on screen, and which requests it took; then a 500-comment thread's paint and a
 * 10,000-comment thread's scrolling (bench/long-threads.ts). `npm run bench:paint`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/server/config.js';
import { startParley } from '../src/server/runtime.js';
import { launchBrowser } from '../tests/helpers/browser.js';
import { benchLongThreads } from './long-threads.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-paint-'));
const parley = await startParley(parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
const browser = await launchBrowser();

interface Paint { ms: number; requests: Array<{ name: string; bytes: number }> }

async function measure(page: import('playwright-core').Page): Promise<Paint> {
  await page.goto(`${parley.url}/`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.getElementById('parley-thread')?.shadowRoot?.querySelector('article'), undefined, { polling: 'raf' });
  return page.evaluate(() => {
    const ms = performance.now();
    const requests = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => r.startTime < ms)
      .map((r) => ({ name: new URL(r.name).pathname.replace(/^\/api\/v1\/threads.*/, '/api/v1/threads?…'), bytes: r.transferSize }));
    return { ms, requests };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const cold: Paint[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    cold.push(await measure(await context.newPage()));
    await context.close();
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await measure(page);
  const warm: Paint[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await measure(page));
  await context.close();

  console.log(`\nFirst paint of the demo thread (4 comments), headless Chromium on loopback, ${RUNS} runs each`);
  console.log(`cold cache: median ${median(cold.map((p) => p.ms)).toFixed(0)} ms from navigation to the first comment on screen`);
  console.log(`warm cache: median ${median(warm.map((p) => p.ms)).toFixed(0)} ms`);
  console.log('requests before the first comment shows (cold):');
  for (const r of cold[0].requests) console.log(`  ${r.name.padEnd(40)} ${(r.bytes / 1024).toFixed(1).padStart(6)} KiB transferred`);
  await benchLongThreads(parley, browser, RUNS);
} finally {
  await browser.close();
  await parley.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
