/**
 * The whole way in, as a reader of a site on another origin than Parley's: sign up in the
 * widget's popup, confirm by the link the real SMTP server received, sign in through the popup,
 * comment under the new name, reload still signed in, sign out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';
import { meStatus, storedToken } from '../helpers/sign-in.js';
import { linkIn, startMailbox, type TestMailbox } from '../helpers/smtp.js';

const skip = browserSkipReason();
const READER = { name: 'Layla Haddad', email: 'layla@example.org', password: 'a long new password' };
let run: DemoRun | undefined;
let host: HostPages | undefined;
let mailbox: TestMailbox | undefined;

before(async () => {
  if (skip) return;
  mailbox = await startMailbox();
  run = await startDemoWithBrowser({ SMTP_URL: mailbox.url });
  host = await startHostPages(run.parley, { slug: 'journey', name: 'Journey' });
});
after(async () => {
  host?.close();
  await run?.stop();
  await mailbox?.close();
});

async function openPopup(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await popup.waitForLoadState();
  return popup;
}

describe('a reader signs up, confirms by mail and signs in through the widget, in Chromium', { skip, timeout: 120_000 }, () => {
  it('ends with their comment under their name, kept across a reload, and a sign-out that ends the session', async () => {
    const parley = run!.parley;
    const context = await run!.browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${host!.origin}/t/journey`);

      const popup = await openPopup(page);
      assert.equal(new URL(popup.url()).origin, parley.url);
      await popup.getByRole('link', { name: 'Create an account' }).click();
      await popup.getByRole('textbox', { name: 'Name shown with your comments' }).fill(READER.name);
      await popup.getByRole('textbox', { name: 'Email' }).fill(READER.email);
      await popup.getByLabel('Password (10 characters or more)').fill(READER.password);
      await popup.getByRole('button', { name: 'Create account' }).click();
      await popup.getByRole('heading', { name: 'Check your mail' }).waitFor();

      // The link from the mail, opened in a tab of the same browser, as a reader would.
      const link = linkIn(await mailbox!.next(READER.email), `${parley.url}/auth/verify`);
      const tab = await context.newPage();
      await tab.goto(link);
      await tab.getByRole('heading', { name: 'Address confirmed' }).waitFor();
      await tab.close();

      await popup.getByRole('link', { name: 'I have confirmed my address: sign in' }).click();
      await popup.getByRole('textbox', { name: 'Email' }).first().fill(READER.email);
      await popup.getByLabel('Password', { exact: true }).fill(READER.password);
      await Promise.all([popup.waitForEvent('close', { timeout: 15_000 }), popup.getByRole('button', { name: 'Sign in', exact: true }).click()]);
      await page.getByText(`Signed in as ${READER.name}`).waitFor({ timeout: 5000 });

      await page.getByRole('textbox', { name: 'Comment' }).first().fill('My first comment with an account.');
      await page.getByRole('button', { name: 'Post comment' }).first().click();
      const mine = page.getByRole('article', { name: `Comment by ${READER.name}`, exact: true });
      await mine.waitFor();
      assert.equal(await mine.getByText('Guest', { exact: true }).count(), 0);

      await page.reload();
      await page.getByText(`Signed in as ${READER.name}`).waitFor({ timeout: 5000 });
      await mine.getByRole('button', { name: 'Edit' }).waitFor();
      const token = await storedToken(page, parley.url, 'journey');
      assert.ok(token);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
      assert.equal(await meStatus(parley.url, token), 401);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
