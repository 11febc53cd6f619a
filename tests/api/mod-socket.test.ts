/**
 * The moderators' room of a site: `mod:join` lets in the site's moderators only (by a bearer
 * token, or by the dashboard's cookie from Parley's own origin), and `mod:changed` reaches them
 * when a comment enters or leaves the queues; nobody else hears of it. Real socket.io clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { createSite, updateSitePolicy } from '../../src/server/sites/service.js';
import type { ModJoinAck } from '../../src/shared/api.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const OTHER_ORIGIN = 'https://other.example.net';
const PASSWORD = 'moderator password';
let app: TestApp;
const tokens: Record<string, string> = {};
/** The first moderator's cookie from signing in on Parley's own pages. */
let modCookie: string;
const sockets: Socket[] = [];

interface Received { event: string; data: any }
interface Client { socket: Socket; received: Received[] }

async function login(email: string, site?: string, origin?: string): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, ...(site ? { site } : {}) }, headers: origin ? { origin } : {} });
  assert.equal(res.status, 200, res.text);
  return res.json.session.token;
}

/** With a cookie, the socket asks for it to be its session, as the dashboard's does (unless `askForCookie` is false). */
async function connect(options: { token?: string; origin?: string; cookie?: string; askForCookie?: boolean } = {}): Promise<Client> {
  const headers: Record<string, string> = {};
  if (options.origin) headers.origin = options.origin;
  if (options.cookie) headers.cookie = options.cookie;
  const auth = options.token ? { token: options.token } : options.cookie && options.askForCookie !== false ? { cookie: true } : {};
  const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth, extraHeaders: headers });
  sockets.push(socket);
  const received: Received[] = [];
  socket.onAny((event, data) => received.push({ event, data }));
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
  return { socket, received };
}

const modJoin = (client: Client, req: unknown = { site: 'news' }) => client.socket.timeout(2000).emitWithAck('mod:join', req) as Promise<ModJoinAck>;
const errorCode = (ack: ModJoinAck) => (ack.ok ? null : ack.error.code);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

async function postAsGuest(threadId: string, body: string) {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, {
    body: { body, composeMs: 10_000, author: { name: 'Held Guest' } }, headers: { origin: SITE_ORIGIN },
  });
  assert.equal(res.status, 201, res.text);
  return res.json.comment as { id: string; status: string };
}

before(async () => {
  app = await startTestApp();
  await createSite(app.deps, { slug: 'other', name: 'Other', origins: [OTHER_ORIGIN] });
  // The test app's configured address names no real port: Parley's own origin gets through the
  // sockets' origin check as a site's origin, as the demo site's does under \`npm start\`.
  await createSite(app.deps, { slug: 'own-pages', name: 'Own pages', origins: [app.url] });
  const other = (await app.database.pool.query(`select id from sites where slug = 'other'`)).rows[0].id as string;
  const people = [
    ['mod@news.example', app.site.id, 'moderator'], ['admin@news.example', app.site.id, 'admin'],
    ['mod@other.example', other, 'moderator'], ['reader@news.example', null, null],
  ] as const;
  for (const [email, siteId, role] of people) {
    const user = await createAccount(app.deps, { email, password: PASSWORD, displayName: email.split('@')[0], verified: true });
    if (siteId && role) await setRole(app.deps, { siteId, userId: user.id, role });
    tokens[email] = await login(email);
  }
  const pages = new OwnPagesClient(app);
  await pages.signIn('mod@news.example', PASSWORD);
  assert.ok(pages.sessionToken);
  modCookie = `parley_session=${pages.sessionToken}`;
  await updateSitePolicy(app.deps, 'news', { premoderation: 'guests' });
});
after(async () => {
  sockets.forEach((s) => s.close());
  await app.close();
});

describe('the moderators\' room', () => {
  it('tells the site\'s moderators of a held comment and of another moderator\'s approval; nobody else hears a thing', async () => {
    const moderator = await connect({ token: tokens['mod@news.example'] });
    assert.deepEqual(await modJoin(moderator), { ok: true });
    // The dashboard: no token, its cookie, from Parley's own origin.
    const dashboard = await connect({ cookie: modCookie, origin: app.url });
    assert.deepEqual(await modJoin(dashboard), { ok: true });

    const reader = await connect({ token: tokens['reader@news.example'] });
    const otherModerator = await connect({ token: tokens['mod@other.example'] });
    // A page of the site is same-site with Parley on some set-ups: its handshake carries the cookie, which must count for nothing.
    const foreignCookie = await connect({ cookie: modCookie, origin: SITE_ORIGIN });
    const stranger = await connect();
    const strangerOnPage = await connect({ origin: SITE_ORIGIN });
    // Parley's own page that does not ask (the widget on the demo page) stays a stranger whatever its cookie.
    const unasked = await connect({ cookie: modCookie, origin: app.url, askForCookie: false });
    assert.equal(errorCode(await modJoin(unasked)), 'auth_required');
    assert.equal(errorCode(await modJoin(reader)), 'forbidden');
    assert.equal(errorCode(await modJoin(otherModerator)), 'forbidden');
    assert.equal(errorCode(await modJoin(foreignCookie)), 'auth_required');
    assert.equal(errorCode(await modJoin(stranger)), 'auth_required');
    assert.equal(errorCode(await modJoin(strangerOnPage)), 'auth_required');
    // Joining their own site's room does not open this one's.
    assert.deepEqual(await modJoin(otherModerator, { site: 'other' }), { ok: true });

    const thread = await openThread(app, 'held');
    const held = await postAsGuest(thread.id, 'Hold me for review');
    assert.equal(held.status, 'pending');
    for (const client of [moderator, dashboard]) {
      const event = await waitFor(() => client.received.find((r) => r.event === 'mod:changed' && r.data.status === 'pending'), 'the held comment');
      assert.deepEqual(event.data, { commentId: held.id, status: 'pending', flagCount: 0 });
    }

    const approved = await api(app, 'POST', `/api/v1/mod/comments/${held.id}`, { body: { action: 'approve' }, token: tokens['admin@news.example'] });
    assert.equal(approved.status, 200, approved.text);
    for (const client of [moderator, dashboard]) {
      const event = await waitFor(() => client.received.find((r) => r.event === 'mod:changed' && r.data.status === 'approved'), 'the approval');
      assert.deepEqual(event.data, { commentId: held.id, status: 'approved', flagCount: 0 });
    }

    // A reader's flag puts the published comment in the Flagged queue: the dashboards hear of it too.
    const flagged = await api(app, 'POST', `/api/v1/comments/${held.id}/flag`, { body: { reason: 'spam' }, token: tokens['reader@news.example'] });
    assert.equal(flagged.status, 200, flagged.text);
    for (const client of [moderator, dashboard]) {
      const event = await waitFor(() => client.received.find((r) => r.event === 'mod:changed' && r.data.flagCount === 1), 'the flag');
      assert.deepEqual(event.data, { commentId: held.id, status: 'approved', flagCount: 1 });
    }

    await pause(200);
    for (const [name, client] of Object.entries({ reader, otherModerator, foreignCookie, stranger, strangerOnPage, unasked })) {
      assert.deepEqual(client.received.filter((r) => r.event === 'mod:changed'), [], `${name} hears nothing of the queues`);
    }
  });

  it('answers a bad or unknown site with its error, and keeps the socket out', async () => {
    const moderator = await connect({ token: tokens['mod@news.example'] });
    assert.equal(errorCode(await modJoin(moderator, { site: '' })), 'validation_failed');
    assert.equal(errorCode(await modJoin(moderator, 'news')), 'validation_failed');
    assert.equal(errorCode(await modJoin(moderator, { site: 'nowhere' })), 'not_found');
    const thread = await openThread(app, 'unjoined');
    await postAsGuest(thread.id, 'Nobody is listening');
    await pause(200);
    assert.deepEqual(moderator.received, []);
  });

  it('refuses a moderator\'s token from another site\'s page, and a cookie that is no session', async () => {
    const fromOtherPage = await connect({ token: tokens['mod@news.example'], origin: OTHER_ORIGIN });
    assert.equal(errorCode(await modJoin(fromOtherPage)), 'forbidden');
    const forged = await connect({ cookie: 'parley_session=not-a-session-at-all-no', origin: app.url });
    assert.equal(errorCode(await modJoin(forged)), 'auth_required');
  });

  it('drops the dashboard\'s socket when its cookie\'s session is signed out', async () => {
    const pages = new OwnPagesClient(app);
    await pages.signIn('admin@news.example', PASSWORD);
    const dashboard = await connect({ cookie: `parley_session=${pages.sessionToken}`, origin: app.url });
    assert.deepEqual(await modJoin(dashboard), { ok: true });
    const closed = new Promise<void>((resolve) => dashboard.socket.once('disconnect', () => resolve()));
    await pages.get('/account');
    const out = await pages.post('/auth/signout', {});
    assert.equal(out.status, 303, out.text.slice(0, 200));
    await closed;
    assert.ok(dashboard.received.some((r) => r.event === 'session:revoked'));
  });
});
