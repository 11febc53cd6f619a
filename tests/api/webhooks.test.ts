/**
 * Webhooks against a real HTTP receiver: signed deliveries, a receiver that is down and comes
 * back, the delivery log and "send again" on the admins' page, the CLI, and endpoints refused
 * for pointing inside the network.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { createAccount } from '../../src/server/auth/accounts.js';
import { createSession } from '../../src/server/auth/service.js';
import { siteMembers, webhookAttempts, webhookDeliveries, webhooks } from '../../src/server/db/schema.js';
import { createWebhook } from '../../src/server/webhooks/service.js';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

interface Received { headers: http.IncomingHttpHeaders; body: string }

/** A real HTTP endpoint on a port that stays the same across stop() and start(). */
async function startReceiver(port = 0) {
  const received: Received[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(status).end('ok'); });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    received,
    port: (server.address() as AddressInfo).port,
    answer(code: number) { status = code; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** What a receiver does with Stripe's scheme: recompute the HMAC of "t.body" and compare in constant time. */
function verifies(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
}

async function until<T>(what: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}

let app: TestApp;
before(async () => { app = await startTestApp({ workers: true, jobRetryBaseSeconds: 1 }); });
after(async () => { await app.close(); });

async function comment(threadId: string, body: string) {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body, author: { name: 'Hook Tester' }, composeMs: 10_000 } });
  assert.equal(res.status, 201, res.text);
  return res.json.comment as { id: string };
}

describe('deliveries', () => {
  test('a new comment is POSTed as signed JSON with X-Parley-Event, and the signature verifies', async () => {
    const receiver = await startReceiver();
    try {
      const { secret } = await createWebhook(app.deps, null, 'news', { url: `http://127.0.0.1:${receiver.port}/hook`, events: ['comment.created', 'thread.created'] });
      const thread = await openThread(app, 'hooked-1');
      const created = await comment(thread.id, 'Hello <b>hooks</b>');
      await until(() => receiver.received.length >= 2);
      const byEvent = new Map(receiver.received.map((r) => [r.headers['x-parley-event'], r]));
      const delivery = byEvent.get('comment.created')!;
      assert.equal(delivery.headers['content-type'], 'application/json');
      assert.ok(verifies(secret, String(delivery.headers['x-parley-signature']), delivery.body), 'the signature verifies');
      assert.ok(!verifies('another-secret-another', String(delivery.headers['x-parley-signature']), delivery.body));
      assert.ok(!verifies(secret, String(delivery.headers['x-parley-signature']), delivery.body.replace('hooks', 'HOOKS')), 'a changed body fails');
      const payload = JSON.parse(delivery.body);
      assert.equal(payload.event, 'comment.created');
      assert.equal(payload.site.slug, 'news');
      assert.equal(payload.data.comment.id, created.id);
      assert.equal(payload.data.comment.html, '<p>Hello &lt;b&gt;hooks&lt;/b&gt;</p>');
      assert.equal(delivery.headers['x-parley-delivery'], payload.id);
      assert.equal(JSON.parse(byEvent.get('thread.created')!.body).data.thread.id, thread.id);
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that is down gets the delivery once it is up again; the log keeps each attempt', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close(); // down: connections to the port are refused
    const { webhook, secret } = await createWebhook(app.deps, null, 'news', { url: `http://127.0.0.1:${port}/down`, events: ['comment.updated', 'comment.deleted'] });
    const thread = await openThread(app, 'hooked-2');
    const guest = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'to be edited', author: { name: 'Editor' }, composeMs: 10_000 } });
    const edited = await api(app, 'PATCH', `/api/v1/comments/${guest.json.comment.id}`, { token: guest.json.session.token, headers: { origin: SITE_ORIGIN }, body: { body: 'edited text' } });
    assert.equal(edited.status, 200, edited.text);
    const [delivery] = await until(async () => {
      const rows = await app.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhook.id));
      return rows.length > 0 && rows[0].attempts >= 1 && rows;
    });
    assert.equal(delivery.status, 'pending');
    assert.match(delivery.lastError ?? '', /ECONNREFUSED/);
    const receiver = await startReceiver(port);
    try {
      await until(() => receiver.received.length >= 1, 30_000);
      const got = receiver.received[0];
      assert.equal(got.headers['x-parley-event'], 'comment.updated');
      assert.ok(verifies(secret, String(got.headers['x-parley-signature']), got.body));
      assert.equal(JSON.parse(got.body).data.comment.body, 'edited text');
      const [done] = await until(async () => {
        const rows = await app.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id));
        return rows[0]?.status === 'delivered' && rows;
      });
      assert.equal(done.lastStatusCode, 200);
      const attempts = await app.deps.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery.id));
      assert.ok(attempts.length >= 2);
      assert.equal(attempts.at(-1)!.statusCode, 200);
      assert.equal(attempts[0].statusCode, null);
      await sleep(2_500);
      assert.equal(receiver.received.length, 1, 'delivered once');
    } finally {
      await receiver.close();
    }
  });
});

describe('the admins\' page', () => {
  test('shows the delivery log with status and response code, sends a delivery again, and is refused to moderators and other sites\' admins', async () => {
    const receiver = await startReceiver();
    try {
      receiver.answer(500);
      const admin = await createAccount(app.deps, { email: `hooks-admin-${Date.now()}@example.org`, displayName: 'Hook Admin', verified: true });
      const moderator = await createAccount(app.deps, { email: `hooks-mod-${Date.now()}@example.org`, displayName: 'Hook Mod', verified: true });
      await app.deps.db.insert(siteMembers).values([{ siteId: app.site.id, userId: admin.id, role: 'admin' }, { siteId: app.site.id, userId: moderator.id, role: 'moderator' }]);
      const other = await createSite(app.deps, { slug: `other-${Date.now()}`, name: 'Other', origins: ['https://other.example.org'] });
      const browser = new OwnPagesClient(app);
      const session = await createSession(app.deps.db, { userId: admin.id, siteId: null, scope: 'full', now: new Date(), days: 1 });
      browser.cookies.set('parley_session', session.token);
      let page = await browser.get('/sites/news/webhooks');
      assert.equal(page.status, 200, page.text);
      page = await browser.post('/sites/news/webhooks', { url: `http://127.0.0.1:${receiver.port}/page`, events: 'comment.deleted' });
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, /Its signing secret, shown this once: whsec_/);
      const thread = await openThread(app, 'hooked-3');
      const guest = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'to be deleted', author: { name: 'Deleter' }, composeMs: 10_000 } });
      await api(app, 'DELETE', `/api/v1/comments/${guest.json.comment.id}`, { token: guest.json.session.token, headers: { origin: SITE_ORIGIN } });
      await until(() => receiver.received.length >= 1);
      page = await until(async () => { const p = await browser.get('/sites/news/webhooks'); return /<td>500<\/td>/.test(p.text) && p; });
      assert.match(page.text, /<td>comment\.deleted<\/td><td>pending<\/td><td>500<\/td>/);
      receiver.answer(204);
      const [row] = await app.deps.db.select().from(webhookDeliveries).innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId)).where(eq(webhooks.url, `http://127.0.0.1:${receiver.port}/page`));
      const before = receiver.received.length;
      page = await browser.post(`/sites/news/webhooks/deliveries/${row.webhook_deliveries.id}/resend`, {});
      assert.equal(page.status, 200, page.text);
      await until(() => receiver.received.length > before);
      assert.equal(receiver.received.at(-1)!.body, receiver.received[0].body, 'the same body goes again');
      page = await until(async () => { const p = await browser.get('/sites/news/webhooks'); return /<td>delivered<\/td><td>204<\/td>/.test(p.text) && p; });

      const modBrowser = new OwnPagesClient(app);
      modBrowser.cookies.set('parley_session', (await createSession(app.deps.db, { userId: moderator.id, siteId: null, scope: 'full', now: new Date(), days: 1 })).token);
      assert.equal((await modBrowser.get('/sites/news/webhooks')).status, 403);
      assert.equal((await browser.get(`/sites/${other.slug}/webhooks`)).status, 403, 'an admin of news is nobody on another site');
      assert.equal((await browser.post('/sites/news/webhooks', { url: 'https://x.example', events: 'comment.created' }, { csrf: false })).status, 403, 'no CSRF token, no change');
    } finally {
      await receiver.close();
    }
  });
});

describe('refused endpoints', () => {
  test('private, loopback and link-local targets are refused unless allowed; unknown events and plain http too', async () => {
    const strict = await startTestApp({ webhooksAllowPrivate: false });
    try {
      for (const url of ['https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://localhost/x', 'https://[::ffff:192.168.0.1]/x', 'http://93.184.216.34/x', 'not a url']) {
        await assert.rejects(createWebhook(strict.deps, null, 'news', { url, events: ['comment.created'] }), /private or local|https|not valid/, url);
      }
      await assert.rejects(createWebhook(strict.deps, null, 'news', { url: 'https://93.184.216.34/x', events: ['comment.eaten'] }), /Events must be among/);
      const count = await strict.deps.db.select().from(webhooks);
      assert.equal(count.length, 0, 'nothing written');
    } finally {
      await strict.close();
    }
  });
});

describe('CLI', () => {
  test('create-webhook registers an endpoint and prints its secret once; a private URL is refused', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: app.database.url, DATA_DIR: path.join(root, '.tmp', 'cli-webhook-test'), LOG_LEVEL: 'error', ...env },
    });
    const refused = run(['create-webhook', '--site', 'news', '--url', 'https://127.0.0.1/hook', '--events', 'comment.created']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /private or local address/);
    const ok = run(['create-webhook', '--site', 'news', '--url', 'http://127.0.0.1:9/cli', '--events', 'comment.created,user.banned', '--secret', 'a-secret-of-my-own'], { WEBHOOKS_ALLOW_PRIVATE: 'true' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /for comment\.created, user\.banned/);
    assert.match(ok.stdout, /Signing secret \(shown once\): a-secret-of-my-own/);
  });
});
