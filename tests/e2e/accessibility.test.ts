/**
 * The widget checked with axe-core (WCAG 2.0/2.1 A and AA) in a real Chromium, in the states a
 * reader reaches (reply form, edit form, a vote's name prompt, a validation error) and on light and dark host pages,
 * plus the keyboard paths a reader would notice if they broke.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
});
after(async () => { await run?.stop(); });

interface HostPage {
  name: string;
  /** The reader's OS setting (prefers-color-scheme). */
  colorScheme: 'light' | 'dark';
  /** CSS served in the demo page's own <head>, so the widget sees it from its first paint. */
  css?: string;
  /** Judge the whole page, not only the widget: only where the page's colors are its designer's. */
  wholePage?: boolean;
}

async function openDemo(host: HostPage = { name: 'the demo page', colorScheme: 'light' }): Promise<Page> {
  const context = await browser.newContext({ colorScheme: host.colorScheme });
  const page = await context.newPage();
  if (host.css) {
    await page.route(`${parley.url}/`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('</head>', `<style>${host.css}</style></head>`);
      await route.fulfill({ response, body: html });
    });
  }
  await page.goto(`${parley.url}/`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  return page;
}

type Violations = AxeResults['violations'];

function describeViolations(violations: Violations): string {
  return violations
    .map((v) => [
      `${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`,
      ...v.nodes.map((n) => `    ${JSON.stringify(n.target)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`),
    ].join('\n'))
    .join('\n');
}

/**
 * Runs axe on the widget (axe follows the host into its open shadow root) or on the whole page,
 * and fails with each violation's rule, impact and offending nodes.
 */
async function assertAccessible(page: Page, state: string, wholePage: boolean): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async ({ tags, wholePage }) => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const context = wholePage ? document : { include: [['#parley-thread']] };
    const results = await axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations;
  }, { tags: WCAG_TAGS, wholePage });
  assert.equal(violations.length, 0, `axe found violations ${state}:\n${describeViolations(violations)}`);
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}` });

/** True when the locator's element has keyboard focus (inside the shadow root, where it lives). */
function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => (element.getRootNode() as ShadowRoot | Document).activeElement === element);
}

/** Like isFocused, for focus that moves a frame later (the widget refocuses after a re-render). */
async function becomesFocused(locator: Locator): Promise<boolean> {
  const element = await locator.elementHandle();
  return locator.page().waitForFunction(
    (target) => (target!.getRootNode() as ShadowRoot | Document).activeElement === target, element, { timeout: 2000 },
  ).then(() => true, () => false);
}

/** The accessible name, roughly, of whatever holds focus inside the widget. */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.getElementById('parley-thread')?.shadowRoot?.activeElement as HTMLElement | null;
    if (!active) return '';
    return active.getAttribute('aria-label') ?? active.closest('label')?.firstElementChild?.textContent ?? active.textContent?.trim() ?? '';
  });
}

/**
 * Waits (a little) for the widget's heading to be drawn in light text, i.e. for the widget to take
 * its dark palette. It does not throw: if the widget stays light, the axe run after says what is wrong.
 */
function widgetTurnedDark(page: Page): Promise<unknown> {
  return page.waitForFunction(() => {
    const heading = document.getElementById('parley-thread')?.shadowRoot?.querySelector('h2');
    const [red, green, blue] = (heading ? getComputedStyle(heading).color.match(/\d+/g) ?? [] : []).map(Number);
    return red + green + blue > 3 * 160;
  }, undefined, { timeout: 3000 }).catch(() => undefined);
}

describe('widget accessibility in Chromium', { skip, timeout: 120_000 }, () => {
  const readers: Array<[HostPage, string]> = [
    [{ name: 'the light demo page', colorScheme: 'light', wholePage: true }, 'Ada'],
    [{ name: 'a dark host page', colorScheme: 'dark', css: 'body{background:#111;color:#eee}' }, 'Bea'],
  ];
  for (const [host, reader] of readers) {
    it(`has no WCAG A/AA violations on ${host.name}, in every state a reader reaches`, async () => {
      const page = await openDemo(host);
      const check = (state: string) => assertAccessible(page, `${state} on ${host.name}`, host.wholePage ?? false);
      try {
        const other = commentBy(page, 'Mariam K.');
        await other.waitFor();
        await check('on first paint');

        await other.getByRole('button', { name: 'Reply' }).click();
        const replyBox = other.getByRole('textbox', { name: 'Comment' });
        await replyBox.waitFor();
        await check('with a reply form open');

        // With a name given, the browser's `required` check passes and the widget's own check speaks.
        await other.getByRole('textbox', { name: 'Name' }).fill(reader);
        await replyBox.fill('   ');
        await other.getByRole('button', { name: 'Post comment' }).click();
        await other.getByRole('alert').waitFor();
        assert.equal(await replyBox.getAttribute('aria-invalid'), 'true');
        await check('with a validation error in the reply form');

        // A first vote asks a reader without a session for their name.
        await other.getByRole('button', { name: 'Upvote' }).click();
        const nameBox = other.getByRole('textbox', { name: 'Your name' });
        await nameBox.waitFor();
        assert.equal(await becomesFocused(nameBox), true, 'focus moves into the name prompt');
        await check('with the name prompt of a vote open');
        await nameBox.fill(reader);
        await other.getByRole('button', { name: 'Vote as guest' }).click();
        await other.getByRole('button', { name: 'Upvote', pressed: true }).waitFor();

        await page.getByRole('textbox', { name: 'Name' }).first().fill(reader);
        await page.getByRole('textbox', { name: 'Comment' }).first().fill('A comment of my own, with `code`.');
        await page.getByRole('button', { name: 'Post comment' }).first().click();
        const mine = commentBy(page, reader);
        await mine.waitFor();
        await check('with the reader\'s own comment and an upvoted one');

        await mine.getByRole('button', { name: 'Edit' }).click();
        const editBox = mine.getByRole('textbox', { name: 'Comment' });
        await editBox.waitFor();
        await check('with the edit form open');

        await editBox.fill('  ');
        await mine.getByRole('button', { name: 'Save' }).click();
        await mine.getByRole('alert').waitFor();
        assert.equal(await isFocused(editBox), true, 'focus stays in the box that needs fixing');
        await check('with a validation error in the edit form');
      } finally {
        await page.context().close();
      }
    });
  }

  // The widget has no background of its own: its palette must suit the page behind it, whatever
  // the page's text color says and whenever the page changes theme.
  const palettes: Array<HostPage & { turnDark?: (page: Page) => Promise<void> }> = [
    { name: 'a light page with mid-grey text, OS in dark mode', colorScheme: 'dark', css: 'body{color:#808080}' },
    { name: 'a dark page with mid-grey text, OS in light mode', colorScheme: 'light', css: 'body{background:#222;color:#999}' },
    {
      name: 'a page that follows the OS, which turns dark while it is open', colorScheme: 'light',
      css: '@media (prefers-color-scheme:dark){body{background:#111;color:#eee}}',
      turnDark: (page) => page.emulateMedia({ colorScheme: 'dark' }),
    },
    {
      name: 'a page whose own switch turns it dark while it is open', colorScheme: 'light',
      css: 'html.dark body{background:#111;color:#eee}',
      turnDark: (page) => page.evaluate(() => document.documentElement.classList.add('dark')),
    },
  ];
  for (const host of palettes) {
    it(`keeps the widget's text readable on ${host.name}`, async () => {
      const page = await openDemo(host);
      try {
        await commentBy(page, 'Mariam K.').waitFor();
        await assertAccessible(page, `on ${host.name}`, false);
        if (host.turnDark) {
          await host.turnDark(page);
          await widgetTurnedDark(page);
          await assertAccessible(page, `on ${host.name}, once dark`, false);
        }
      } finally {
        await page.context().close();
      }
    });
  }

  it('lets a keyboard reach the Name field and "Post comment" from the comment box', async () => {
    const page = await openDemo();
    try {
      await page.getByRole('textbox', { name: 'Comment' }).first().focus();
      const reached: string[] = [];
      for (let i = 0; i < 6 && !reached.includes('Post comment'); i++) {
        await page.keyboard.press('Tab');
        reached.push(await focusedName(page));
      }
      const name = reached.indexOf('Name');
      assert.ok(name >= 0, `Tab never reached the Name field: ${JSON.stringify(reached)}`);
      assert.ok(reached.indexOf('Post comment') > name, `Tab did not reach "Post comment" after Name: ${JSON.stringify(reached)}`);
    } finally {
      await page.context().close();
    }
  });

  for (const key of ['Enter', 'Space']) {
    it(`opens a reply form with ${key} on "Reply" and puts focus in its textbox`, async () => {
      const page = await openDemo();
      try {
        const target = commentBy(page, 'Jeff H.');
        const reply = target.getByRole('button', { name: 'Reply' });
        await reply.focus();
        await page.keyboard.press(key);
        const box = target.getByRole('textbox', { name: 'Comment' });
        await box.waitFor();
        assert.equal(await isFocused(box), true, 'focus is in the reply textbox');
        assert.equal(await reply.getAttribute('aria-expanded'), 'true');
        await page.keyboard.press('Escape');
        await box.waitFor({ state: 'detached' });
        assert.equal(await becomesFocused(reply), true, 'Escape closes the form and focus returns to "Reply"');
      } finally {
        await page.context().close();
      }
    });
  }
});
