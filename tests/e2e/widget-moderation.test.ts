/**
 * Moderation as readers meet it in the widget, in a real Chromium on a site's own page: flags,
 * the composer's anti-spam signals (honeypot, writing time), pinned and removed comments, locked
 * and closed threads (live too), comments held for review, and the site's refusals. The site
 * keeps its default minimum writing time (3 s) here: a comment filled in and posted at once is
 * held, so what must be published is written at a person's pace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import type { Caller } from '../../src/server/deps.js';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { postComment } from '../../src/server/comments/service.js';
import { findSiteBySlug } from '../../src/server/sites/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';
import { storedToken } from '../helpers/sign-in.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const SITE = 'mod';

let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: HostPages | undefined;
let siteId: string;
/** A moderator's bearer token, as a moderator's script would hold it. */
let moderatorToken: string;

before(async () => {
  if (skip) return;
  // Every reader of these tests posts from 127.0.0.1: the per-address post limit is not under test.
  run = await startDemoWithBrowser({ RATE_LIMIT_POSTS_PER_MINUTE: '1000' }, { keepComposeMinimum: true });
  ({ parley, browser } = run);
  host = await startHostPages(parley, { slug: SITE, name: 'Moderated' });
  siteId = (await findSiteBySlug(parley.deps, SITE))!.id;
  const email = 'mia@example.org';
  const password = 'moderator password';
  const moderator = await createAccount(parley.deps, { email, password, displayName: 'Mia Moderator', verified: true });
  await setRole(parley.deps, { siteId, userId: moderator.id, role: 'moderator' });
  const login = await fetch(`${parley.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  assert.equal(login.status, 200, 'the moderator signs in');
  moderatorToken = ((await login.json()) as { session: { token: string } }).session.token;
});
after(async () => {
  host?.close();
  await run?.stop();
});

let visitors = 0;
/** A visitor of the site's pages, each from an address of their own. */
function visitor(): Caller {
  visitors++;
  return { actor: null, origin: host!.origin, ip: `10.9.${Math.floor(visitors / 250)}.${(visitors % 250) + 1}` };
}

async function siteThread(key: string): Promise<string> {
  const { thread } = await resolveThread(parley.deps, visitor(), { site: SITE, key, url: `${host!.origin}/t/${key}`, title: key });
  return thread.id;
}

/** A comment by someone else, through the service (no widget, so no writing time: published). */
async function post(threadId: string, name: string, body: string, parentId?: string): Promise<string> {
  return (await postComment(parley.deps, visitor(), { threadId, body, author: { name }, parentId })).comment.id;
}

/** A moderator's action through the moderation API, with their bearer token. */
async function moderate(what: 'comments' | 'threads' | 'users', id: string, body: object): Promise<void> {
  const response = await fetch(`${parley.url}/api/v1/mod/${what}/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${moderatorToken}` },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${what} ${JSON.stringify(body)}: ${await response.text()}`);
}

/** A reader with a browser profile of their own, on the site's page that embeds thread `key`. */
async function openReader(key: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${host!.origin}/t/${key}`);
  await page.getByRole('heading', { level: 2 }).waitFor();
  return page;
}

/** Live updates are joined: what a moderator does from now on reaches the page. */
async function liveJoined(page: Page): Promise<void> {
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
  await page.waitForTimeout(400);
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });
const byText = (page: Page, text: string) => page.getByRole('article').filter({ hasText: text });

/** Others' new comments wait behind "N new comments" (they never push the page): shows them. */
const showNew = (page: Page, timeout = 5000) => page.getByRole('button', { name: /^\d+ new comments?$/ }).click({ timeout });
const topComposer = (page: Page) => page.locator('form.composer:not(.reply-composer)').first();

/** The authors of the top-level comments, top to bottom. */
function topLevelAuthors(page: Page): Promise<string[]> {
  return page.locator('ul.comments > li > article').evaluateAll((articles) => articles.map((a) => a.getAttribute('aria-label') ?? ''));
}

/** The body of the reader's next comment POST, as the widget sent it. */
function nextPost(page: Page): Promise<{ hp?: string; composeMs?: number }> {
  return page.waitForRequest((request) => request.method() === 'POST' && /\/threads\/[^/]+\/comments$/.test(request.url()))
    .then((request) => request.postDataJSON() as { hp?: string; composeMs?: number });
}

/** Writes in `form` and posts as a person does: some seconds pass between the first key and "Post comment". */
async function postAtPace(form: Locator, text: string, name?: string): Promise<void> {
  if (name) await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByRole('textbox', { name: 'Comment' }).fill(text);
  await form.page().waitForTimeout(3200);
  await form.getByRole('button', { name: 'Post comment' }).click();
}

async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations: AxeResults['violations'] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run({ include: [['#parley-thread']] }, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
    });
    return results.violations;
  });
  const described = violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => JSON.stringify(n.target)).join('\n  ')}`).join('\n');
  assert.equal(violations.length, 0, `axe found violations ${state}:\n${described}`);
}

/** What holds keyboard focus in the widget, named roughly as a screen reader would. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.getElementById('parley-thread')?.shadowRoot?.activeElement as HTMLElement | null;
    if (!active) return '';
    const name = active.getAttribute('aria-label') ?? active.closest('label')?.textContent?.trim() ?? active.textContent?.trim() ?? '';
    // Form fields say which they are too: the honeypot's label is words a robot reads.
    return active.getAttribute('name') === 'website' ? `${name} [website]` : name;
  });
}

describe('moderation in the widget, in Chromium', { skip, timeout: 120_000 }, () => {
  it('flags another reader\'s comment with a reason, and the Flagged state outlives a reload', async () => {
    const threadId = await siteThread('flags');
    const commentId = await post(threadId, 'Olga', 'The figures here are from an old survey.');
    const page = await openReader('flags');
    const olga = commentBy(page, 'Olga');
    await olga.getByRole('button', { name: 'Flag', exact: true }).click();
    const reasons = olga.getByRole('radiogroup', { name: 'Why should the moderators look at this comment?' });
    await reasons.waitFor();
    const labels = await reasons.getByRole('radio').evaluateAll((radios) => radios.map((r) => r.closest('label')!.textContent!.trim()));
    assert.deepEqual(labels, ['Spam', 'Abusive', 'Off-topic', 'Misinformation', 'Something else']);
    assert.equal(await focused(page), 'Spam', 'focus lands on the reasons');
    await assertAccessible(page, 'with the flag form open');

    await page.keyboard.press('Escape');
    await reasons.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.getElementById('parley-thread')!.shadowRoot!.activeElement?.textContent === 'Flag');

    await olga.getByRole('button', { name: 'Flag', exact: true }).click();
    await olga.getByRole('button', { name: 'Send flag' }).click();
    await olga.getByRole('alert').filter({ hasText: 'Please choose a reason.' }).waitFor();
    await olga.getByRole('radio', { name: 'Misinformation' }).check();
    await olga.getByRole('textbox', { name: 'Note for the moderators (optional)' }).fill('The survey is from 2019.');
    // A stranger has no session: a flag asks for the name to flag under, as a vote does.
    await olga.getByRole('textbox', { name: 'Your name' }).fill('Pat');
    await olga.getByRole('button', { name: 'Send flag' }).click();
    const flagged = olga.getByRole('button', { name: 'Flagged' });
    await flagged.waitFor({ timeout: 5000 });
    assert.equal(await flagged.isDisabled(), true);
    assert.equal(await olga.getByRole('button', { name: 'Flag', exact: true }).count(), 0);
    await olga.getByRole('status').filter({ hasText: 'the moderators will take a look' }).waitFor();
    await page.getByText('Commenting as Pat (guest)').waitFor();
    const { rows } = await parley.database.pool.query('select reason, note from flags where comment_id = $1', [commentId]);
    assert.deepEqual(rows, [{ reason: 'misinformation', note: 'The survey is from 2019.' }]);

    await page.reload();
    await olga.getByRole('button', { name: 'Flagged' }).waitFor({ timeout: 5000 });
    assert.equal(await olga.getByRole('button', { name: 'Flagged' }).isDisabled(), true, 'the overlay says it was flagged');
    await page.context().close();
  });

  it('keeps the honeypot out of every reader\'s way (no Tab stop, nothing announced, axe passes), and holds what a robot filled in', async () => {
    const threadId = await siteThread('honeypot');
    const page = await openReader('honeypot');
    const form = topComposer(page);
    const field = form.locator('input[name="website"]');
    assert.equal(await field.count(), 1, 'the field is there for robots');
    assert.equal(await page.getByRole('textbox', { name: 'Website' }).count(), 0, 'and not for screen readers');
    const box = (await field.boundingBox())!;
    assert.ok(box.y + box.height < 0, `it is off-screen (at y ${box.y})`);

    await form.getByRole('textbox', { name: 'Comment' }).focus();
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused(page));
    }
    assert.ok(stops.includes('Post comment'), `Tab went through the whole form: ${stops.join(' | ')}`);
    assert.ok(!stops.some((stop) => stop.includes('[website]')), `Tab never stops on the honeypot: ${stops.join(' | ')}`);
    await assertAccessible(page, 'with the honeypot in the composer');

    // A robot fills in every field it finds; it even waits long enough.
    await field.evaluate((input: HTMLInputElement) => {
      input.value = 'https://cheap-pills.example';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const sent = nextPost(page);
    await postAtPace(form, 'Great article, visit my site', 'Robo');
    assert.equal((await sent).hp, 'https://cheap-pills.example');
    const held = commentBy(page, 'Robo');
    await held.getByText('Awaiting moderation').waitFor({ timeout: 5000 });
    const { rows } = await parley.database.pool.query('select status, moderation_reasons from comments where thread_id = $1', [threadId]);
    assert.deepEqual(rows, [{ status: 'pending', moderation_reasons: ['honeypot'] }]);
    await page.context().close();
  });

  it('holds a comment posted the moment it was written and publishes one written at a person\'s pace, timing each composer from its first key', async () => {
    await siteThread('pace');
    const page = await openReader('pace');
    const other = await openReader('pace');
    await liveJoined(other);
    // The page has been open for a while: that is no writing time.
    await page.waitForTimeout(3200);
    const form = topComposer(page);
    await form.getByRole('textbox', { name: 'Name' }).fill('Quinn');
    await form.getByRole('textbox', { name: 'Comment' }).fill('Pasted and posted at once.');
    let sent = nextPost(page);
    await form.getByRole('button', { name: 'Post comment' }).click();
    const instant = await sent;
    assert.equal(instant.hp, '', 'a person leaves the honeypot empty');
    assert.ok(typeof instant.composeMs === 'number' && instant.composeMs < 3000, `timed from the first key: ${instant.composeMs} ms`);
    await byText(page, 'Pasted and posted at once.').getByText('Awaiting moderation').waitFor({ timeout: 5000 });

    sent = nextPost(page);
    await form.getByRole('textbox', { name: 'Comment' }).pressSequentially('Written with some care.', { delay: 160 });
    await form.getByRole('button', { name: 'Post comment' }).click();
    const paced = await sent;
    assert.ok(paced.composeMs! >= 3000, `the second comment is timed from its own first key: ${paced.composeMs} ms`);
    const published = byText(page, 'Written with some care.');
    await published.waitFor();
    assert.equal(await published.getByText('Awaiting moderation').count(), 0);
    await showNew(other);
    await byText(other, 'Written with some care.').waitFor({ timeout: 5000 });
    assert.equal(await byText(other, 'Pasted and posted at once.').count(), 0, 'the held one reaches nobody else');

    // The top form has been written in for seconds; a reply form counts its own time.
    await form.getByRole('textbox', { name: 'Comment' }).fill('Still thinking about this one');
    await page.waitForTimeout(3200);
    await published.getByRole('button', { name: 'Reply' }).click();
    const reply = published.locator('form');
    await reply.getByRole('textbox', { name: 'Comment' }).fill('A quick reply.');
    sent = nextPost(page);
    await reply.getByRole('button', { name: 'Post comment' }).click();
    assert.ok((await sent).composeMs! < 3000, 'the reply form was timed on its own');
    await byText(page, 'A quick reply.').getByText('Awaiting moderation').waitFor({ timeout: 5000 });
    await page.context().close();
    await other.context().close();
  });

  it('follows a moderator live: a pin moves a comment to the top, a removal leaves the note, an approval publishes a held comment', async () => {
    const threadId = await siteThread('pins');
    const ada = await post(threadId, 'Ada', 'The first word on this.');
    const ben = await post(threadId, 'Ben', 'Buy followers cheap.');
    await post(threadId, 'Cy', 'A later thought.');
    await post(threadId, 'Dee', 'Something to remove quietly.');
    const page = await openReader('pins');
    await commentBy(page, 'Ada').waitFor();
    await liveJoined(page);
    assert.equal((await topLevelAuthors(page))[0], 'Comment by Dee', 'newest first, as "best" ranks equal scores');

    await moderate('comments', ada, { action: 'pin' });
    await commentBy(page, 'Ada').getByText('Pinned', { exact: true }).waitFor({ timeout: 5000 });
    assert.equal((await topLevelAuthors(page))[0], 'Comment by Ada', 'a pin moves it to the top, live');
    await page.reload();
    await commentBy(page, 'Ada').getByText('Pinned', { exact: true }).waitFor();
    assert.equal((await topLevelAuthors(page))[0], 'Comment by Ada', 'and the server\'s page has it first');
    await assertAccessible(page, 'with a pinned comment');
    await liveJoined(page);

    await moderate('comments', ada, { action: 'unpin' });
    await commentBy(page, 'Ada').getByText('Pinned', { exact: true }).waitFor({ state: 'detached', timeout: 5000 });

    await moderate('comments', ben, { action: 'reject', reason: 'Advertising is not allowed here.' });
    const removed = page.getByRole('article', { name: 'Removed comment' });
    await removed.getByText('Removed by a moderator').waitFor({ timeout: 5000 });
    await removed.getByText('Advertising is not allowed here.').waitFor();
    assert.equal(await removed.getByRole('button').count(), 0, 'no actions on a removed comment');
    assert.equal(await byText(page, 'Buy followers cheap.').count(), 0);
    // Rejected without a public reason (nor replies), a comment simply goes.
    const dee = await page.getByRole('article', { name: 'Comment by Dee' }).getAttribute('data-comment-id');
    await moderate('comments', dee!, { action: 'reject' });
    await commentBy(page, 'Dee').waitFor({ state: 'detached', timeout: 5000 });
    await page.reload();
    await removed.getByText('Advertising is not allowed here.').waitFor();
    assert.equal(await commentBy(page, 'Dee').count(), 0);
    await assertAccessible(page, 'with a removed comment and its note');
    await liveJoined(page);

    // The reader's own comment, posted at once, waits; a moderator approves it: the same comment, published.
    const form = topComposer(page);
    await form.getByRole('textbox', { name: 'Name' }).fill('Eve');
    await form.getByRole('textbox', { name: 'Comment' }).fill('Posted before thinking twice.');
    await form.getByRole('button', { name: 'Post comment' }).click();
    const mine = commentBy(page, 'Eve');
    await mine.getByText('Awaiting moderation').waitFor({ timeout: 5000 });
    await moderate('comments', (await mine.getAttribute('data-comment-id'))!, { action: 'approve' });
    await mine.getByText('Awaiting moderation').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await commentBy(page, 'Eve').count(), 1, 'no second copy');
    await page.context().close();
  });

  it('shows a locked thread without composer or replies, and follows lock, close and reopen live', async () => {
    const threadId = await siteThread('locks');
    await post(threadId, 'Gil', 'Before the lock.');
    const page = await openReader('locks');
    await postAtPace(topComposer(page), 'My own words, still mine to change.', 'Hal');
    const mine = commentBy(page, 'Hal');
    await mine.getByRole('button', { name: 'Edit' }).waitFor();
    const gil = commentBy(page, 'Gil');

    await parley.database.pool.query(`update threads set status = 'locked' where id = $1`, [threadId]);
    await page.reload();
    await page.getByText('This thread is locked: no new comments.').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Comment' }).count(), 0, 'no composer');
    assert.equal(await page.getByRole('button', { name: 'Reply' }).count(), 0, 'no reply buttons');
    await mine.getByRole('button', { name: 'Edit' }).waitFor();
    await gil.getByRole('button', { name: 'Upvote' }).waitFor();
    await assertAccessible(page, 'on a locked thread');

    await moderate('threads', threadId, { action: 'reopen' });
    await page.reload();
    await topComposer(page).waitFor();
    await liveJoined(page);

    await moderate('threads', threadId, { action: 'lock' });
    await page.getByText('This thread is locked: no new comments.').waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole('button', { name: 'Post comment' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Reply' }).count(), 0);
    await gil.getByRole('button', { name: 'Upvote' }).waitFor();

    await moderate('threads', threadId, { action: 'close' });
    await page.getByText('This thread is closed.', { exact: true }).waitFor({ timeout: 5000 });
    for (const name of ['Edit', 'Delete', 'Upvote', 'Downvote', 'Reply']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} in a closed thread`);
    }
    assert.equal(await gil.locator('.score').innerText(), '0', 'scores still show');

    await moderate('threads', threadId, { action: 'reopen' });
    await topComposer(page).getByRole('button', { name: 'Post comment' }).waitFor({ timeout: 5000 });
    await gil.getByRole('button', { name: 'Reply' }).waitFor();
    await mine.getByRole('button', { name: 'Edit' }).waitFor();
    assert.equal(await page.getByText('This thread is locked: no new comments.').count(), 0);
    await page.context().close();
  });

  it('shows a shadow-banned reader their comments as published, across reloads and sorts, and nobody else', async () => {
    await siteThread('shadow');
    const page = await openReader('shadow');
    const form = topComposer(page);
    await postAtPace(form, 'Said before the shadow-ban.', 'Jo');
    await byText(page, 'Said before the shadow-ban.').waitFor();
    const token = await storedToken(page, parley.url, SITE);
    const me = await (await fetch(`${parley.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json() as { user: { id: string } };
    await moderate('users', me.user.id, { site: SITE, action: 'shadowban' });

    await postAtPace(form, 'Said after it, seen by me alone.');
    const unseen = byText(page, 'Said after it, seen by me alone.');
    await unseen.waitFor();
    for (const when of ['posted', 'after a reload', 'in another order']) {
      if (when === 'after a reload') await page.reload();
      if (when === 'in another order') await page.getByRole('combobox', { name: 'Sort by' }).selectOption('oldest');
      await unseen.getByRole('button', { name: 'Edit' }).waitFor({ timeout: 5000 });
      assert.equal(await unseen.getByText('Awaiting moderation').count(), 0, `shown as published ${when}`);
      assert.equal(await unseen.count(), 1, `once ${when}`);
    }
    const other = await openReader('shadow');
    await byText(other, 'Said before the shadow-ban.').waitFor();
    assert.equal(await byText(other, 'Said after it, seen by me alone.').count(), 0, 'nobody else sees it');
    await page.context().close();
    await other.context().close();
  });

  it('says in the site\'s own words why it refused a comment, and keeps what was typed', async () => {
    await siteThread('refusals');
    await parley.database.pool.query(`update sites set banned_words = '{crapola}' where id = $1`, [siteId]);
    parley.deps.events.emit('site.changed', { siteId });
    const page = await openReader('refusals');
    const form = topComposer(page);
    const refusal = 'Your comment contains a word this site does not allow: "crapola".';
    try {
      await postAtPace(form, 'What utter crapola this is.', 'Ike');
      await form.getByRole('alert').filter({ hasText: refusal }).waitFor({ timeout: 5000 });
      assert.equal(await form.getByRole('textbox', { name: 'Comment' }).inputValue(), 'What utter crapola this is.', 'the text stays');

      await form.getByRole('textbox', { name: 'Comment' }).fill('A calmer comment, then.');
      await page.waitForTimeout(3200);
      await form.getByRole('button', { name: 'Post comment' }).click();
      await byText(page, 'A calmer comment, then.').waitFor();
      // By its author: while it is edited, its text is in the edit box, not in the article's text.
      const calmer = commentBy(page, 'Ike');
      // An edit meets the same rule, and says so the same way.
      await calmer.getByRole('button', { name: 'Edit' }).click();
      await calmer.getByRole('textbox', { name: 'Comment' }).fill('A calmer comment, then. Crapola!');
      await calmer.getByRole('button', { name: 'Save' }).click();
      await calmer.getByRole('alert').filter({ hasText: refusal }).waitFor({ timeout: 5000 });
      assert.equal(await calmer.getByRole('textbox', { name: 'Comment' }).inputValue(), 'A calmer comment, then. Crapola!');
      await calmer.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await parley.database.pool.query(`update sites set banned_words = '{}' where id = $1`, [siteId]);
      parley.deps.events.emit('site.changed', { siteId });
    }

    // The reader is someone now (their first comment made them a guest): a moderator bans them.
    const token = await storedToken(page, parley.url, SITE);
    const me = await (await fetch(`${parley.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json() as { user: { id: string } };
    await moderate('users', me.user.id, { site: SITE, action: 'ban' });
    await postAtPace(form, 'Will this one go through?');
    await form.getByRole('alert').filter({ hasText: 'You are banned from commenting on this site.' }).waitFor({ timeout: 5000 });
    assert.equal(await form.getByRole('textbox', { name: 'Comment' }).inputValue(), 'Will this one go through?');
    await page.context().close();
  });
});
