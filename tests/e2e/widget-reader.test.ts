/**
 * What a reader of a long, busy thread notices, in a real Chromium: the interface in their
 * language (Arabic mirrored), collapsing and permalinks, new comments that never push the page,
 * who is reading, the edit window, rate limits and drafts, single-page sites.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import type { Caller } from '../../src/server/deps.js';
import { postComment } from '../../src/server/comments/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { articlePage, startCustomPages, type CustomPages } from '../helpers/custom-pages.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const SITE = 'reader';
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let pages: CustomPages;

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  pages = await startCustomPages(parley, { slug: SITE, name: 'Reader' });
});
after(async () => {
  pages?.close();
  await run?.stop();
});

let visitors = 0;
/** A visitor of the site's pages, each from an address of their own so no rate limit is shared. */
function visitor(): Caller {
  visitors++;
  return { actor: null, origin: pages.origin, ip: `10.9.${Math.floor(visitors / 250)}.${(visitors % 250) + 1}` };
}

async function siteThread(key: string): Promise<string> {
  const { thread } = await resolveThread(parley.deps, visitor(), { site: SITE, key, url: `${pages.origin}/${key}`, title: key });
  return thread.id;
}

async function post(threadId: string, name: string, body: string, parentId?: string): Promise<string> {
  return (await postComment(parley.deps, visitor(), { threadId, body, author: { name }, parentId })).comment.id;
}

/** A reader with a browser profile of their own on `url`, once the thread shows. */
async function open(url: string, options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(url);
  return page;
}

const shadow = <T>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.evaluate(`(${fn.toString()})(document.getElementById('parley-thread').shadowRoot)`) as Promise<T>;

async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run({ include: [['#parley-thread']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  assert.deepEqual(violations, [], `serious or critical axe violations ${state}`);
}

describe('the widget as a reader of a long thread finds it, in Chromium', { skip, timeout: 180_000 }, () => {
  it('speaks the page\'s language: Arabic mirrored right to left, French from data-lang, each loading only its own strings', async () => {
    const key = 'languages';
    const threadId = await siteThread(key);
    const first = await post(threadId, 'Mariam', 'First comment.');
    await post(threadId, 'Omar', 'A reply under it.', first);
    await post(threadId, 'Lina', 'Second comment.');

    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await open(pages.serve(`/ar-${colorScheme}`, articlePage(parley, { site: SITE, key, lang: 'ar',
        head: colorScheme === 'dark' ? '<style>body{background:#111;color:#eee}</style>' : '' })), { colorScheme });
      try {
        await page.getByRole('button', { name: 'نشر التعليق' }).waitFor();
        assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), '3 تعليقات', 'the count in Arabic (plural rule "few")');
        await page.getByRole('article', { name: 'تعليق من Omar' }).waitFor();
        const layout = await shadow(page, (root) => {
          const container = root.querySelector('.parley') as HTMLElement;
          const replies = root.querySelector('.replies') as HTMLElement;
          const meta = root.querySelector('article .meta') as HTMLElement;
          const avatar = meta.querySelector('.avatar')!.getBoundingClientRect();
          const author = meta.querySelector('.author')!.getBoundingClientRect();
          const style = getComputedStyle(replies);
          return { dir: container.dir, lang: container.lang, ruleRight: style.borderRightWidth, ruleLeft: style.borderLeftWidth, avatarRightOfName: avatar.left > author.left };
        });
        assert.deepEqual(layout, { dir: 'rtl', lang: 'ar', ruleRight: '2px', ruleLeft: '0px', avatarRightOfName: true }, 'indentation, reply rules and controls mirror');
        await assertAccessible(page, `in Arabic, ${colorScheme}`);
        const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.startsWith('/widget')));
        assert.deepEqual(scripts, ['/widget.ar.js'], 'only the Arabic widget is downloaded');
      } finally {
        await page.context().close();
      }
    }

    const page = await open(pages.serve('/fr', articlePage(parley, { site: SITE, key, attrs: 'data-lang="fr-CA"' })));
    try {
      await page.getByRole('button', { name: 'Publier le commentaire' }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), '3 commentaires');
      await page.getByRole('article', { name: 'Commentaire de Lina' }).getByRole('button', { name: 'Répondre' }).waitFor();
      assert.equal(await shadow(page, (root) => (root.querySelector('.parley') as HTMLElement).dir), 'ltr');
    } finally {
      await page.context().close();
    }
  });
});
