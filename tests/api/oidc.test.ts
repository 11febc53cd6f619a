/**
 * OpenID Connect sign-in over HTTP, against a real OpenID provider (oidc-provider), with no
 * browser: this test follows the redirects and posts the provider's login form itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { createAccount } from '../../src/server/auth/accounts.js';
import { signInWithProvider } from '../../src/server/auth/oidc.js';
import { resolveSession } from '../../src/server/auth/service.js';
import { identities, users } from '../../src/server/db/schema.js';
import { SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

let app: TestApp;
let provider: TestOidcProvider;

before(async () => {
  provider = await startOidcProvider({
    accounts: {
      unverified: { email: 'unverified@example.org', email_verified: false, name: 'Una Verified' },
      nameless: { email: 'quiet.reader@example.org', email_verified: true },
    },
  });
  app = await startTestApp({
    oidcProviders: [
      { id: 'local', name: 'Local OIDC', issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
      // Nothing listens there: discovery fails when first used, not at start.
      { id: 'down', name: 'Down', issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y' },
    ],
  });
  provider.serve(`${app.url}/auth/oidc/local/callback`);
});
after(async () => {
  await app.close();
  await provider.close();
});

/** A browser's cookie jar and manual redirects, for two origins (Parley, the provider). */
class Browserish {
  readonly jars = new Map<string, Map<string, string>>();

  async get(url: string, init: { method?: string; form?: Record<string, string>; cookie?: string } = {}) {
    const { origin } = new URL(url);
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const headers: Record<string, string> = {};
    const cookie = init.cookie ?? [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers.cookie = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.form && new URLSearchParams(init.form).toString(), redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now())) jar.delete(name);
      else jar.set(name, value);
    }
    const text = await res.text();
    const location = res.headers.get('location');
    return { status: res.status, text, location: location && new URL(location, url).href, headers: res.headers };
  }

  cookieHeader(origin: string): string {
    return [...(this.jars.get(origin) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** From Parley's "Continue with" link to the callback URL the provider sends the browser back to. */
  async throughProvider(startUrl: string, login: string, options: { cancel?: boolean } = {}): Promise<string> {
    let res = await this.get(startUrl);
    assert.equal(res.status, 302, res.text);
    for (let hops = 0; hops < 10; hops++) {
      const location = res.location!;
      if (location.startsWith(app.url)) return location;
      res = await this.get(location);
      const form = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(res.text);
      if (res.status === 200 && form) {
        const action = new URL(form[1], location).href;
        res = options.cancel
          ? await this.get(new URL(/href="([^"]+\/abort)"/.exec(res.text)![1], location).href)
          : await this.get(action, { method: 'POST', form: { prompt: 'login', login, password: 'anything' } });
      }
      assert.ok([302, 303].includes(res.status), `${res.status} at ${location}: ${res.text.slice(0, 300)}`);
    }
    throw new Error('too many redirects at the provider');
  }
}

const sessionTokenOf = (b: Browserish) => b.jars.get(app.url)?.get('parley_session');

async function signIn(login: string, returnTo?: string) {
  const b = new Browserish();
  const callback = await b.throughProvider(`${app.url}/auth/oidc/local${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`, login);
  const flowCookie = b.cookieHeader(app.url);
  const res = await b.get(callback);
  return { b, callback, flowCookie, res };
}

describe('OpenID Connect sign-in', () => {
  it('offers the configured providers on the sign-in page, keeping returnTo', async () => {
    const res = await fetch(`${app.url}/auth/signin?returnTo=${encodeURIComponent('/auth/popup?site=news&origin=x')}`);
    const html = await res.text();
    assert.match(html, /href="\/auth\/oidc\/local\?returnTo=%2Fauth%2Fpopup%3Fsite%3Dnews%26origin%3Dx"[^>]*>Continue with Local OIDC</);
    assert.match(html, />Continue with Down</);
  });

  it('sends the reader to the provider with PKCE, a state and a nonce, keeping them in a signed, short, httpOnly cookie', async () => {
    const res = await new Browserish().get(`${app.url}/auth/oidc/local`);
    assert.equal(res.status, 302);
    const to = new URL(res.location!);
    assert.equal(to.origin, provider.issuer);
    assert.equal(to.searchParams.get('redirect_uri'), `${app.url}/auth/oidc/local/callback`);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    for (const name of ['state', 'nonce', 'code_challenge']) assert.ok((to.searchParams.get(name) ?? '').length >= 32, name);
    assert.equal(to.searchParams.get('scope'), 'openid email profile');
    const cookies = res.headers.getSetCookie();
    const flow = cookies.find((c) => c.startsWith('parley_oidc='));
    assert.match(flow!, /path=\/auth\/oidc/i);
    assert.match(flow!, /httponly/i);
    assert.match(flow!, /samesite=lax/i);
    const expires = Date.parse(/expires=([^;]+)/i.exec(flow!)![1]);
    assert.ok(expires - Date.now() <= 10 * 60_000 + 1000 && expires - Date.now() > 9 * 60_000);
    assert.ok(cookies.some((c) => c.startsWith('parley_oidc.sig=')), 'the flow cookie is signed');
  });

  it('marks the flow cookie Secure when PUBLIC_URL is https, even behind a TLS proxy not named in TRUST_PROXY', async () => {
    const own = app.deps.publicUrl;
    app.deps.publicUrl = 'https://comments.example.org';
    try {
      const res = await new Browserish().get(`${app.url}/auth/oidc/local`);
      assert.equal(res.status, 302);
      assert.equal(new URL(res.location!).searchParams.get('redirect_uri'), 'https://comments.example.org/auth/oidc/local/callback');
      const flow = res.headers.getSetCookie().filter((c) => c.startsWith('parley_oidc'));
      assert.equal(flow.length, 2);
      for (const cookie of flow) assert.match(cookie, /;\s*secure/i);
    } finally {
      app.deps.publicUrl = own;
    }
  });

  it('signs a new reader in: a user and an identity, the full session in the cookie, then /account', async () => {
    const { b, res } = await signIn('grace');
    assert.equal(res.status, 303);
    assert.equal(res.location, `${app.url}/account`);
    const token = sessionTokenOf(b);
    assert.ok(token);
    const actor = await resolveSession(app.deps, token);
    assert.equal(actor.scope, 'full');
    assert.equal(actor.siteId, null);
    assert.equal(actor.displayName, 'Grace Lovelace');
    const [identity] = await app.deps.db.select().from(identities).where(and(eq(identities.provider, 'oidc:local'), eq(identities.subject, 'grace')));
    assert.equal(identity.userId, actor.userId);
    assert.equal(identity.siteId, null);
    const [user] = await app.deps.db.select().from(users).where(eq(users.id, actor.userId));
    assert.equal(user.email, 'grace@example.org');
    assert.ok(user.emailVerifiedAt);
    assert.equal(user.accountEmail, null);

    const again = await signIn('grace');
    assert.equal((await resolveSession(app.deps, sessionTokenOf(again.b)!)).userId, actor.userId, 'the same subject is the same user');
  });

  it('goes back to a returnTo on Parley, and never off-site', async () => {
    const popup = `/auth/popup?site=news&origin=${encodeURIComponent(SITE_ORIGIN)}`;
    assert.equal((await signIn('hopper', popup)).res.location, `${app.url}${popup}`);
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const { res } = await signIn('hopper', evil);
      assert.equal(res.status, 303);
      assert.equal(res.location, `${app.url}/account`, evil);
    }
  });

  it('links a local account with the address the provider has verified; an unverified address makes a new user', async () => {
    const local = await createAccount(app.deps, { email: 'Ada@Example.org', password: 'correct horse battery', displayName: 'Ada Local', verified: true });
    const { b } = await signIn('ada');
    assert.equal((await resolveSession(app.deps, sessionTokenOf(b)!)).userId, local.id);

    const taken = await createAccount(app.deps, { email: 'unverified@example.org', password: 'correct horse battery', displayName: 'Local Una', verified: true });
    const other = await signIn('unverified');
    const actor = await resolveSession(app.deps, sessionTokenOf(other.b)!);
    assert.notEqual(actor.userId, taken.id);
    assert.equal(actor.displayName, 'Una Verified');
  });

  it('takes over an account never verified only by dropping its password (whoever chose it may not own the mailbox)', async () => {
    const squatted = await createAccount(app.deps, { email: 'linus@example.org', password: 'attacker password', displayName: 'Squatter' });
    const { b } = await signIn('linus');
    assert.equal((await resolveSession(app.deps, sessionTokenOf(b)!)).userId, squatted.id);
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, squatted.id));
    assert.equal(row.passwordHash, null);
    assert.ok(row.emailVerifiedAt);
  });

  it('names a reader without a name after their address', async () => {
    const { b } = await signIn('nameless');
    assert.equal((await resolveSession(app.deps, sessionTokenOf(b)!)).displayName, 'quiet.reader');
  });

  it('refuses a callback whose state is not the flow\'s, or has none (400), or has no flow (401), and opens no session', async () => {
    for (const tamper of [(q: URLSearchParams) => q.set('state', 'not-the-state'), (q: URLSearchParams) => q.delete('state')]) {
      const b = new Browserish();
      // A real code from the provider: only the state is wrong.
      const callback = new URL(await b.throughProvider(`${app.url}/auth/oidc/local`, 'mallory'));
      tamper(callback.searchParams);
      const res = await b.get(callback.href);
      assert.equal(res.status, 400);
      assert.match(res.text, /Signing in did not work/);
      assert.equal(sessionTokenOf(b), undefined);
    }
    const noFlow = await new Browserish().get(`${app.url}/auth/oidc/local/callback?code=abc&state=x`);
    assert.equal(noFlow.status, 401);
    assert.match(noFlow.text, /expired or was finished already/);
    const [mallory] = await app.deps.db.select().from(identities).where(eq(identities.subject, 'mallory'));
    assert.equal(mallory, undefined);
  });

  it('keeps each route to its half of the flow: a start with a code still starts, a bare callback starts nothing', async () => {
    const b = new Browserish();
    const start = await b.get(`${app.url}/auth/oidc/local?code=stolen&state=x`);
    assert.equal(start.status, 302);
    assert.equal(new URL(start.location!).origin, provider.issuer);
    const bare = await b.get(`${app.url}/auth/oidc/local/callback`);
    assert.equal(bare.status, 400);
    assert.equal((await new Browserish().get(`${app.url}/auth/oidc/local/callback`)).status, 401);
  });

  it('refuses a replayed callback, with or without the flow cookie it came with', async () => {
    const { b, callback, flowCookie, res } = await signIn('replay');
    assert.equal(res.status, 303);
    const withoutFlow = await b.get(callback);
    assert.equal(withoutFlow.status, 401);
    // Someone who copied the flow cookie and the callback URL: the code is spent at the provider.
    const copied = await new Browserish().get(callback, { cookie: flowCookie });
    assert.equal(copied.status, 400);
    assert.doesNotMatch(copied.headers.getSetCookie().join('\n'), /parley_session=[^;]/);
  });

  it('says so when the reader denies Parley at the provider (401)', async () => {
    const b = new Browserish();
    const callback = await b.throughProvider(`${app.url}/auth/oidc/local`, 'denier', { cancel: true });
    assert.match(callback, /error=access_denied/);
    const res = await b.get(callback);
    assert.equal(res.status, 401);
    assert.match(res.text, /did not let Local OIDC sign you in/);
  });

  it('answers 404 for an unknown provider, and 503 (no crash) for one that is down', async () => {
    for (const path of ['/auth/oidc/nope', '/auth/oidc/nope/callback?code=x&state=y']) {
      const res = await fetch(app.url + path, { redirect: 'manual' });
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /Sign-in provider not found/);
    }
    const down = await fetch(`${app.url}/auth/oidc/down`, { redirect: 'manual' });
    assert.equal(down.status, 503);
    assert.match(await down.text(), /Down cannot be reached just now/);
    assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
  });

  it('makes one user when two first sign-ins of one subject race', async () => {
    const profile = { subject: 'racer', email: 'racer@example.org', emailVerified: true, displayName: 'Racer' };
    const before = (await app.deps.db.select().from(users)).length;
    const results = await Promise.all(Array.from({ length: 6 }, () => signInWithProvider(app.deps, 'local', profile)));
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal((await app.deps.db.select().from(users)).length, before + 1);
    assert.equal((await app.deps.db.select().from(identities).where(eq(identities.subject, 'racer'))).length, 1);
  });
});
