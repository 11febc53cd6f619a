/**
 * Readers learn that someone answered: real SMTP (tests/helpers/smtp.ts), the real job queue
 * (pg-boss in the test's database) and workers, a real socket for the live count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { io as connect } from 'socket.io-client';
import { createAccount } from '../../src/server/auth/accounts.js';
import { createSession } from '../../src/server/auth/service.js';
import { mailDeliveries, siteMembers, users } from '../../src/server/db/schema.js';
import { createSite } from '../../src/server/sites/service.js';
import { sendDigest } from '../../src/server/notifications/send.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { startMailbox, type TestMailbox } from '../helpers/smtp.js';

let app: TestApp;
let mailbox: TestMailbox;
let people = 0;
let threads = 0;

before(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ smtpUrl: mailbox.url, workers: true, notificationsPerHour: 3 });
});
after(async () => {
  await app.close();
  await mailbox.close();
});

/** A member of the site with a verified address and a widget token. */
async function member(name = `Reader ${++people}`) {
  const email = `reader${people}-${Date.now()}@example.org`;
  const { id } = await createAccount(app.deps, { email, displayName: name, verified: true });
  const session = await createSession(app.deps.db, { userId: id, siteId: app.site.id, scope: 'embed', now: new Date(), days: 1 });
  return { id, email, name, token: session.token };
}

async function post(threadId: string, body: string, who: { token?: string; author?: { name: string; email?: string } }, parentId?: string) {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, {
    token: who.token, headers: { origin: SITE_ORIGIN }, body: { body, parentId, composeMs: 10_000, ...(who.author ? { author: who.author } : {}) },
  });
  assert.equal(res.status, 201, res.text);
  return res.json as { comment: { id: string }; session?: { token: string } };
}

const newThread = () => openThread(app, `notify-${++threads}`);

/** Nothing more arrives for `to` within a while (the workers poll every half second). */
async function nothingFor(to: string, ms = 2_500) {
  const before = mailbox.received.filter((m) => m.to.includes(to)).length;
  await sleep(ms);
  assert.equal(mailbox.received.filter((m) => m.to.includes(to)).length, before, `no new mail to ${to}`);
}

describe('mail to readers', () => {
  test('a reply mails the parent\'s author: the reply\'s text, its permalink, the thread\'s title, one-click unsubscribe', async () => {
    const thread = await newThread();
    const ana = await member('Ana');
    const bob = await member('Bob');
    const parent = await post(thread.id, 'What about the sanctions?', ana);
    const reply = await post(thread.id, 'They **worked** <script>alert(1)</script>', bob, parent.comment.id);
    const mail = await mailbox.next(ana.email);
    assert.match(mail.subject, /Bob replied to your comment on "notify-\d+"/);
    assert.match(mail.text, /They \*\*worked\*\*/);
    assert.ok(mail.text.includes(`${SITE_ORIGIN}/notify-${threads}#comment-${reply.comment.id}`), mail.text);
    assert.match(mail.html, /<strong>worked<\/strong>/);
    assert.doesNotMatch(mail.html, /<script>/);
    assert.match(String(mail.headers.get('list-unsubscribe')), /<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[\w-]{40,}\?scope=thread>/);
    assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    await nothingFor(bob.email, 1_000);
  });

  test('a mention mails the mentioned, by a name with a space, and not the one with a shorter name', async () => {
    const thread = await newThread();
    const ana = await member('Ana Lopez');
    const short = await member('Ana');
    const carl = await member('Carl');
    await post(thread.id, 'First view', ana);
    await post(thread.id, 'Second view', short);
    await post(thread.id, 'I agree with @Ana Lopez on this.', carl);
    const mail = await mailbox.next(ana.email);
    assert.match(mail.subject, /Carl mentioned you/);
    await nothingFor(short.email, 1_500);
  });

  test('a subscription mails every new comment, and the one-click unsubscribe stops it', async () => {
    const thread = await newThread();
    const follower = await member();
    const writer = await member();
    const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/subscription`, { token: follower.token, headers: { origin: SITE_ORIGIN }, body: {} });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.subscription, { threadId: thread.id, subscribed: true, mode: 'instant', confirmed: true });
    await post(thread.id, 'One', writer);
    const first = await mailbox.next(follower.email);
    await post(thread.id, 'Two', writer);
    await mailbox.next(follower.email);
    // What a mail provider does with List-Unsubscribe-Post: a POST, no cookie, no sign-in.
    const oneClick = /<([^>]+)>/.exec(String(first.headers.get('list-unsubscribe')))![1];
    const done = await fetch(oneClick, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(done.status, 200);
    const state = await api(app, 'GET', `/api/v1/threads/${thread.id}/subscription`, { token: follower.token, headers: { origin: SITE_ORIGIN } });
    assert.equal(state.json.subscription.subscribed, false);
    await post(thread.id, 'Three', writer);
    await nothingFor(follower.email);
  });

  test('a guest\'s address is mailed only once its owner confirmed it (double opt-in)', async () => {
    const thread = await newThread();
    const email = `guest-${Date.now()}@example.org`;
    const guest = await post(thread.id, 'A guest\'s view', { author: { name: 'Wanderer', email } });
    const ask = await mailbox.next(email);
    assert.equal(ask.subject, 'Confirm your email address');
    const replier = await member();
    await post(thread.id, 'Before confirming', replier, guest.comment.id);
    await nothingFor(email);
    const link = /http:\/\/127\.0\.0\.1:\d+\/notifications\/confirm\/[\w-]+/.exec(ask.text)![0];
    // Opening the link (a mail scanner does) confirms nothing; its button does.
    const page = await fetch(link);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Yes, send me this mail/);
    await post(thread.id, 'Still before confirming', replier, guest.comment.id);
    await nothingFor(email, 1_500);
    const confirmed = await fetch(link, { method: 'POST' });
    assert.equal(confirmed.status, 200);
    assert.equal((await fetch(link, { method: 'POST' })).status, 404, 'a confirmation link works once');
    await post(thread.id, 'After confirming', replier, guest.comment.id);
    const mail = await mailbox.next(email);
    assert.match(mail.text, /After confirming/);
  });

  test('a guest subscribing by address gets a confirmation first, and mail only after it', async () => {
    const thread = await newThread();
    const email = `follower-${Date.now()}@example.org`;
    const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/subscription`, { headers: { origin: SITE_ORIGIN }, body: { email } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.subscription.confirmed, false);
    const ask = await mailbox.next(email);
    const writer = await member();
    await post(thread.id, 'Unconfirmed yet', writer);
    await nothingFor(email, 1_500);
    const link = /http:\/\/127\.0\.0\.1:\d+\/notifications\/confirm\/[\w-]+/.exec(ask.text)![0];
    assert.equal((await fetch(link, { method: 'POST' })).status, 200);
    await post(thread.id, 'Now confirmed', writer);
    assert.match((await mailbox.next(email)).text, /Now confirmed/);
  });

  test('nothing for one\'s own comments, for comments awaiting moderation, nor for a shadow-banned author\'s', async () => {
    const thread = await newThread();
    const ana = await member();
    const parent = await post(thread.id, 'Parent', ana);
    await post(thread.id, 'Answering myself', ana, parent.comment.id);
    const held = await post(thread.id, 'Held: http://a.example http://b.example http://c.example http://d.example', { author: { name: 'Linker' } }, parent.comment.id);
    const shadow = await member();
    await app.deps.db.insert(siteMembers).values({ siteId: app.site.id, userId: shadow.id }).onConflictDoNothing();
    const moderator = await member();
    await app.deps.db.insert(siteMembers).values({ siteId: app.site.id, userId: moderator.id, role: 'moderator' }).onConflictDoNothing();
    const ban = await api(app, 'POST', `/api/v1/mod/users/${shadow.id}`, { token: moderator.token, body: { site: 'news', action: 'shadowban' } });
    assert.equal(ban.status, 200, ban.text);
    await post(thread.id, 'Shadowed reply', shadow, parent.comment.id);
    await nothingFor(ana.email);
    const approve = await api(app, 'POST', `/api/v1/mod/comments/${held.comment.id}`, { token: moderator.token, body: { action: 'approve' } });
    assert.equal(approve.status, 200, approve.text);
    const mail = await mailbox.next(ana.email);
    assert.match(mail.text, /Held: /);
    await nothingFor(ana.email, 1_500);
  });

  test('a mail the server refuses is retried and arrives exactly once', async () => {
    const thread = await newThread();
    const ana = await member();
    const bob = await member();
    const parent = await post(thread.id, 'Retry parent', ana);
    mailbox.failNext(2);
    await post(thread.id, 'Retry reply', bob, parent.comment.id);
    const mail = await mailbox.next(ana.email, 20_000);
    assert.match(mail.text, /Retry reply/);
    await nothingFor(ana.email, 4_000);
    const [row] = await app.deps.db.select().from(mailDeliveries).where(eq(mailDeliveries.email, ana.email));
    assert.equal(row.status, 'sent');
  });

  test('past the per-recipient limit, replies wait for the hourly digest, which carries them all in one mail', async () => {
    const thread = await newThread();
    const ana = await member();
    const parent = await post(thread.id, 'Flame bait', ana);
    const writers = await Promise.all([member(), member(), member(), member(), member()]);
    for (const [i, w] of writers.entries()) await post(thread.id, `Flame ${i}`, w, parent.comment.id);
    for (let i = 0; i < 3; i++) await mailbox.next(ana.email);
    await nothingFor(ana.email);
    const waiting = await app.deps.db.select().from(mailDeliveries).where(eq(mailDeliveries.email, ana.email));
    assert.equal(waiting.filter((d) => d.mode === 'hourly' && d.status === 'queued').length, 2);
    // The digest job, as the queue runs it when the hour is over.
    await sendDigest(app.deps, { id: crypto.randomUUID(), retryCount: 0, data: { email: ana.email, mode: 'hourly' } });
    const digest = await mailbox.next(ana.email);
    assert.match(digest.subject, /2 new comments on News/);
    assert.match(digest.text, /Flame 3[\s\S]*Flame 4/);
  });
});

describe('several processes', () => {
  test('two processes working the same queue send each follower exactly one mail', async () => {
    const second = await startTestApp({ smtpUrl: mailbox.url, workers: true, sameDatabaseAs: app, notificationsPerHour: 3 });
    try {
      const thread = await newThread();
      const followers = await Promise.all(Array.from({ length: 12 }, () => member()));
      for (const f of followers) {
        const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/subscription`, { token: f.token, headers: { origin: SITE_ORIGIN }, body: {} });
        assert.equal(res.status, 200, res.text);
      }
      const writer = await member();
      await post(thread.id, 'To every follower, once', writer);
      await post(thread.id, 'And a second time, once', writer);
      for (const f of followers) {
        await mailbox.next(f.email, 15_000);
        await mailbox.next(f.email, 15_000);
      }
      await sleep(2_000);
      for (const f of followers) {
        assert.equal(mailbox.received.filter((m) => m.to.includes(f.email)).length, 2, `two mails to ${f.email}, not more`);
      }
    } finally {
      await second.close();
    }
  });
});

describe('in the widget', () => {
  test('GET /me/notifications lists replies with the unread count, which reaches the reader\'s sockets live', async () => {
    const thread = await newThread();
    const ana = await member();
    const bob = await member();
    const socket = connect(app.url, { auth: { token: ana.token }, transports: ['websocket'], extraHeaders: { origin: SITE_ORIGIN } });
    const live = new Promise<{ siteId: string; unread: number }>((resolve) => socket.once('notification:new', resolve));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const parent = await post(thread.id, 'Live parent', ana);
    const reply = await post(thread.id, 'Live reply', bob, parent.comment.id);
    const event = await live;
    socket.close();
    assert.deepEqual(event, { siteId: app.site.id, unread: 1 });
    const list = await api(app, 'GET', '/api/v1/me/notifications', { token: ana.token, headers: { origin: SITE_ORIGIN } });
    assert.equal(list.status, 200);
    assert.equal(list.json.unread, 1);
    assert.equal(list.json.items[0].kind, 'reply');
    assert.equal(list.json.items[0].comment.id, reply.comment.id);
    const read = await api(app, 'POST', '/api/v1/me/notifications/read', { token: ana.token, headers: { origin: SITE_ORIGIN }, body: {} });
    assert.deepEqual(read.json, { unread: 0 });
    const anonymous = await api(app, 'GET', '/api/v1/me/notifications?site=news');
    assert.equal(anonymous.status, 401);
  });
});

describe('mail to moderators', () => {
  test('a held comment alerts the moderators who opted in, with a link into the queue', async () => {
    const thread = await newThread();
    const moderator = await member();
    const quiet = await member();
    await app.deps.db.insert(siteMembers).values([
      { siteId: app.site.id, userId: moderator.id, role: 'moderator' }, { siteId: app.site.id, userId: quiet.id, role: 'moderator' },
    ]).onConflictDoNothing();
    const reader = await member();
    const refused = await api(app, 'PUT', '/api/v1/mod/alerts', { token: reader.token, body: { site: 'news', mode: 'instant' } });
    assert.equal(refused.status, 403);
    // A moderator's token from another site's page, or issued for another site, sets nothing here.
    const foreignPage = await api(app, 'PUT', '/api/v1/mod/alerts', { token: moderator.token, headers: { origin: 'https://elsewhere.example' }, body: { site: 'news', mode: 'daily' } });
    assert.equal(foreignPage.status, 403);
    const opted = await api(app, 'PUT', '/api/v1/mod/alerts', { token: moderator.token, body: { site: 'news', mode: 'instant' } });
    assert.deepEqual(opted.json, { mode: 'instant' });
    await post(thread.id, 'Spam? http://a.example http://b.example http://c.example http://d.example', { author: { name: 'Linker Two' } });
    const alert = await mailbox.next(moderator.email);
    assert.match(alert.subject, /waits for moderation \(pending\)/);
    assert.match(alert.text, /\/admin\/news\?queue=pending/);
    await nothingFor(quiet.email, 1_000);
  });
});

describe('as an attacker would try it', () => {
  async function subscriptionRows(threadId: string) {
    const { rows } = await app.database.pool.query('select user_id, email, confirmed_at from thread_subscriptions where thread_id = $1', [threadId]);
    return rows;
  }

  test('following a thread from a foreign page, with another site\'s token or a tampered one follows nothing', async () => {
    const thread = await newThread();
    const reader = await member();
    const other = await createSite(app.deps, { slug: `elsewhere-${threads}`, name: 'Elsewhere', origins: ['https://elsewhere.example'] });
    const otherSession = await createSession(app.deps.db, { userId: reader.id, siteId: other.id, scope: 'embed', now: new Date(), days: 1 });
    const path = `/api/v1/threads/${thread.id}/subscription`;
    const foreignPage = await api(app, 'POST', path, { token: reader.token, headers: { origin: 'https://evil.example' }, body: {} });
    assert.equal(foreignPage.status, 403);
    const otherSite = await api(app, 'POST', path, { token: otherSession.token, headers: { origin: SITE_ORIGIN }, body: {} });
    assert.equal(otherSite.status, 403);
    const tampered = await api(app, 'POST', path, { token: `${reader.token.slice(0, -2)}xx`, headers: { origin: SITE_ORIGIN }, body: {} });
    assert.equal(tampered.status, 401);
    const guestFromAfar = await api(app, 'POST', path, { headers: { origin: 'https://evil.example' }, body: { email: 'victim@example.org' } });
    assert.equal(guestFromAfar.status, 403);
    assert.deepEqual(await subscriptionRows(thread.id), [], 'no subscription, confirmed or not');
    await nothingFor('victim@example.org', 1_000);
  });

  test('twenty simultaneous requests to follow one address make one pending subscription and one confirmation mail', async () => {
    const thread = await newThread();
    const email = `twenty-${Date.now()}@example.org`;
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      api(app, 'POST', `/api/v1/threads/${thread.id}/subscription`, { headers: { origin: SITE_ORIGIN }, body: { email } })));
    assert.ok(answers.every((a) => a.status === 200 || a.status === 429), answers.map((a) => a.status).join(','));
    const rows = await subscriptionRows(thread.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].confirmed_at, null, 'nobody but the address\'s owner confirms it');
    await mailbox.next(email);
    await nothingFor(email, 1_500);
  });

  test('another site\'s token, or a foreign page, reads none of a reader\'s notices', async () => {
    const thread = await newThread();
    const ana = await member('Ana Notices');
    const bob = await member('Bob Notices');
    const parent = await post(thread.id, 'A view on notices', ana);
    await post(thread.id, 'A private-ish answer', bob, parent.comment.id);
    await mailbox.next(ana.email);
    const mine = await api(app, 'GET', '/api/v1/me/notifications', { token: ana.token, headers: { origin: SITE_ORIGIN } });
    assert.equal(mine.status, 200);
    assert.ok(mine.json.unread >= 1);
    const other = await createSite(app.deps, { slug: `elsewhere-n-${threads}`, name: 'Elsewhere', origins: ['https://elsewhere.example'] });
    const otherSession = await createSession(app.deps.db, { userId: ana.id, siteId: other.id, scope: 'embed', now: new Date(), days: 1 });
    const asked = await api(app, 'GET', '/api/v1/me/notifications?site=news', { token: otherSession.token, headers: { origin: 'https://elsewhere.example' } });
    assert.equal(asked.status, 403);
    assert.doesNotMatch(asked.text, /private-ish/);
    const fromAfar = await api(app, 'GET', '/api/v1/me/notifications', { token: ana.token, headers: { origin: 'https://evil.example' } });
    assert.ok(fromAfar.status === 403, `got ${fromAfar.status}`);
    assert.doesNotMatch(fromAfar.text, /private-ish/);
  });

  test('an unsubscribe link cannot be guessed or altered, and a replayed one changes nothing more', async () => {
    const thread = await newThread();
    const follower = await member();
    const writer = await member();
    await api(app, 'POST', `/api/v1/threads/${thread.id}/subscription`, { token: follower.token, headers: { origin: SITE_ORIGIN }, body: {} });
    await post(thread.id, 'First of the followed', writer);
    const mail = await mailbox.next(follower.email);
    const oneClick = /<([^>]+)>/.exec(String(mail.headers.get('list-unsubscribe')))![1];
    const altered = oneClick.replace(/\/unsubscribe\/([\w-]+)/, (_m, token: string) => `/unsubscribe/${token.slice(0, -3)}abc`);
    assert.equal((await fetch(altered, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status, 404);
    assert.equal((await subscriptionRows(thread.id)).length, 1, 'an altered link unsubscribes nobody');
    assert.equal((await fetch(oneClick, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status, 200);
    const again = await fetch(oneClick, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    assert.ok(again.status === 200 || again.status === 404, `a replay answers ${again.status}`);
    await post(thread.id, 'After unsubscribing', writer);
    await nothingFor(follower.email);
  });
});
