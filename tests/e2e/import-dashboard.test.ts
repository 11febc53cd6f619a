/**
 * The dashboard's import page in a real Chromium, with Parley run as `npm start` runs it: a
 * site's admin signs in, opens "Import comments" from the site's moderation page, chooses
 * isso's Disqus export, starts the import, watches its progress arrive over the socket, then
 * reads the totals and skips on the page, without a reload; the comments are in the site.
 * axe checks the page before and after.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { findSiteBySlug } from '../../src/server/sites/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const ISSO = path.resolve(import.meta.dirname, '../fixtures/disqus/isso-disqus.xml');
const ADMIN = { email: 'ada@example.org', password: 'site admin password', displayName: 'Ada Admin' };

let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let siteId: string;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  siteId = (await findSiteBySlug(parley.deps, 'demo'))!.id;
  const admin = await createAccount(parley.deps, { ...ADMIN, verified: true });
  await setRole(parley.deps, { siteId, userId: admin.id, role: 'admin' });
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await run?.stop();
});

async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations: AxeResults['violations'] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return results.violations;
  });
  const described = violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');
  assert.equal(violations.length, 0, `axe found violations ${state}:\n${described}`);
}

async function importedComments(): Promise<number> {
  const { rows } = await parley.database.pool.query<{ n: number }>(`select count(*)::int as n from comments where site_id = $1 and import_origin = 'disqus'`, [siteId]);
  return rows[0].n;
}

describe('importing comments from the dashboard, in Chromium', { skip, timeout: 120_000 }, () => {
  it('an admin uploads a Disqus export, sees its progress live, then its totals and skips', async () => {
    const problems: string[] = [];
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text()); });
    page.on('response', (response) => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`); });

    await page.goto(`${parley.url}/admin/demo`);
    const signIn = page.locator('form[action="/auth/signin"]');
    await signIn.locator('input[name="email"]').fill(ADMIN.email);
    await signIn.locator('input[name="password"]').fill(ADMIN.password);
    await Promise.all([page.waitForURL(`${parley.url}/admin/demo`), signIn.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await Promise.all([page.waitForURL(`${parley.url}/admin/demo/import`), page.getByRole('link', { name: 'Import comments' }).click()]);
    await page.getByRole('heading', { level: 1, name: 'Import comments into Parley demo (361Security)' }).waitFor();
    await page.getByText('Live progress: on.').waitFor({ timeout: 10_000 });
    await assertAccessible(page, 'on the import page');

    // Everything the progress line and bar show while the import runs (it is over in a moment for six posts).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const bar = document.querySelector('#import-progress') as HTMLProgressElement;
      new MutationObserver(() => {
        const status = document.querySelector('#import-status')?.textContent ?? '';
        const live = document.querySelector('#import-live') as HTMLElement | null;
        if (status && live && !live.hidden) seen.push(`${status} [${bar.value}%]`);
      }).observe(document.querySelector('#import-live')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await page.getByRole('radio', { name: 'Disqus' }).check();
    await page.getByLabel('Export file').setInputFiles(ISSO);
    await page.getByRole('button', { name: 'Start import' }).click();

    const last = page.getByRole('region', { name: 'Last import' });
    await last.getByText('Import finished: 5 comments imported, 0 already present, 1 skipped.').waitFor({ timeout: 20_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    assert.ok(seen.some((text) => /^(Reading the file|Writing).*posts read/.test(text)), `the progress showed: ${JSON.stringify(seen)}`);

    const totals = last.getByRole('table', { name: 'Totals' });
    assert.equal(await totals.getByRole('row', { name: 'Imported 5' }).count(), 1);
    assert.equal(await totals.getByRole('row', { name: 'Threads created 2' }).count(), 1);
    assert.equal(await totals.getByRole('row', { name: 'Skipped: its thread is missing 1' }).count(), 1);
    await last.getByText(/6 \(its thread is missing, thread 1337\)/).waitFor();
    await page.getByRole('region', { name: 'Recorded imports' }).getByRole('cell', { name: 'done', exact: true }).waitFor();
    assert.equal(await page.getByRole('status').filter({ hasText: 'Import finished' }).count(), 1, 'announced');
    assert.equal(await importedComments(), 5);
    await assertAccessible(page, 'with the last import\'s report');
    assert.deepEqual(problems, []);
  });
});
