import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../src/server/auth/accounts.js';
import type { Caller } from '../../src/server/deps.js';
import type { DomainEventName, DomainEvents } from '../../src/server/events.js';
import { updateProfile } from '../../src/server/profile/service.js';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const PASSWORD = 'correct horse battery';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

let accounts = 0;
/** A verified account, signed in on Parley's own pages in a fresh cookie jar. */
async function signedIn(options: { email?: string; name?: string; verified?: boolean } = {}) {
  accounts++;
  const email = options.email ?? `reader${accounts}@example.org`;
  const { id } = await createAccount(app.deps, { email, password: PASSWORD, displayName: options.name ?? `Reader ${accounts}`, verified: options.verified ?? true });
  const page = new OwnPagesClient(app);
  await page.signIn(email, PASSWORD);
  const account = await page.get('/account');
  assert.equal(account.status, 200, account.text);
  return { id, email, page };
}

/** A widget's token for the account (site-bound, embed scope), as the API's login gives it. */
async function embedToken(email: string, password = PASSWORD): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password, site: 'news' } });
  assert.equal(res.status, 200, res.text);
  return res.json.session.token;
}

async function comment(threadId: string, body: string, auth: { token?: string; author?: { name: string; email?: string } }, parentId?: string) {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body: { body, ...(auth.author ? { author: auth.author } : {}), ...(parentId ? { parentId } : {}) }, token: auth.token });
  assert.equal(res.status, 201, res.text);
  return res.json as { comment: { id: string; author: { name: string } }; session?: { token: string } };
}

async function row(sql: string, params: unknown[] = []) {
  return (await app.database.pool.query(sql, params)).rows[0];
}
async function rows(sql: string, params: unknown[] = []) {
  return (await app.database.pool.query(sql, params)).rows;
}

/** Everything an account change could touch, to show a refused one touched nothing. */
async function snapshot(userId: string) {
  return {
    user: await row('select display_name, name_key, notify_replies, notify_mentions, password_hash from users where id = $1', [userId]),
    sessions: (await row('select count(*)::int as n from sessions where user_id = $1', [userId])).n,
    comments: await rows('select id, author_id, author_name, body_source, status from comments order by id'),
    users: (await row('select count(*)::int as n from users')).n,
    votes: await rows('select comment_id, user_id, value from votes order by comment_id, user_id'),
  };
}

function collect<K extends DomainEventName>(name: K): { seen: DomainEvents[K][]; stop: () => void } {
  const seen: DomainEvents[K][] = [];
  const stop = app.deps.events.on(name, (e) => { seen.push(e); });
  return { seen, stop };
}

const me = (token: string) => api(app, 'GET', '/api/v1/me', { token });

describe('the account page', () => {
  it('sends a signed-out reader to sign in, and shows a signed-in one their account', async () => {
    const stranger = new OwnPagesClient(app);
    const away = await stranger.get('/account');
    assert.equal(away.status, 303);
    const target = new URL(away.location!, app.url);
    assert.equal(target.pathname, '/auth/signin');
    assert.equal(target.searchParams.get('returnTo'), '/account');
    assert.equal((await stranger.get('/account/export')).status, 303);

    const { id, email, page } = await signedIn({ name: 'Page Reader' });
    const res = await page.get('/account');
    assert.equal(res.status, 200);
    assert.match(res.text, /Page Reader/);
    assert.ok(res.text.includes(email));
    assert.match(res.text, /verified/);
    assert.ok(res.text.includes(`/api/v1/users/${id}/avatar.svg`));
    for (const action of ['/account/profile', '/account/password', '/account/sessions/end-all', '/auth/signout', '/account/delete']) {
      assert.ok(res.text.includes(`action="${action}"`), action);
    }
    assert.ok(res.text.includes('href="/account/export"'));
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });
});

describe('changing the profile', () => {
  it('renames the account (future comments carry the name) and saves the mail choices', async () => {
    const { id, email, page } = await signedIn({ name: 'Old Name' });
    const thread = await openThread(app, 'rename');
    const token = await embedToken(email);
    const before = await comment(thread.id, 'before the rename', { token });
    assert.equal(before.comment.author.name, 'Old Name');

    const saved = await page.post('/account/profile', { displayName: '  Nouveau Nom ', notifyReplies: 'on' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/account?done=profile');
    const user = await row('select display_name, name_key, notify_replies, notify_mentions from users where id = $1', [id]);
    assert.deepEqual(user, { display_name: 'Nouveau Nom', name_key: 'nouveau nom', notify_replies: true, notify_mentions: false });
    const shown = await page.get('/account?done=profile');
    assert.match(shown.text, /Your profile is saved/);
    assert.match(shown.text, /name="notifyReplies" checked/);
    assert.doesNotMatch(shown.text, /name="notifyMentions" checked/);

    const afterRename = await comment(thread.id, 'after the rename', { token });
    assert.equal(afterRename.comment.author.name, 'Nouveau Nom', 'the same widget token signs with the new name at once');
    const old = await row('select author_name from comments where id = $1', [before.comment.id]);
    assert.equal(old.author_name, 'Old Name', 'earlier comments keep the name they were written under');
  });

  it('refuses a bad name on the page and changes nothing', async () => {
    const { id, page } = await signedIn();
    const before = await snapshot(id);
    const empty = await page.post('/account/profile', { displayName: '   ' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /class="error"/);
    assert.match(empty.text, /action="\/account\/profile"/, 'the account page again, with the reason');
    const unknown = await page.post('/account/profile', { displayName: 'Fine', isAdmin: 'on' });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await snapshot(id), before);
  });
});

describe('changing the password', () => {
  it('needs the current one; then the old one stops working and other sessions end', async () => {
    const { id, email, page } = await signedIn();
    const [t1, t2] = [await embedToken(email), await embedToken(email)];
    const before = await snapshot(id);
    const wrong = await page.post('/account/password', { current: 'not my password', next: 'a brand new password' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /do not match/);
    const short = await page.post('/account/password', { current: PASSWORD, next: 'short' });
    assert.equal(short.status, 400);
    assert.deepEqual(await snapshot(id), before);

    const changed = await page.post('/account/password', { current: PASSWORD, next: 'a brand new password' });
    assert.equal(changed.status, 303);
    assert.equal(changed.location, '/account?done=password');
    const oldLogin = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    assert.equal(oldLogin.status, 401);
    assert.equal((await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: 'a brand new password' } })).status, 200);
    assert.equal((await me(t1)).status, 401);
    assert.equal((await me(t2)).status, 401);
    assert.equal((await page.get('/account')).status, 200, 'the page that changed it stays signed in');
  });
});

describe('signing out everywhere', () => {
  it('ends every session of the account and clears the cookie', async () => {
    const { id, email, page } = await signedIn();
    const tokens = [await embedToken(email), await embedToken(email)];
    for (const t of tokens) assert.equal((await me(t)).status, 200);
    const cookie = page.sessionToken!;
    const revoked = collect('session.revoked');
    const res = await page.post('/account/sessions/end-all', {});
    revoked.stop();
    assert.equal(res.status, 303);
    assert.equal(res.location, '/auth/signin');
    assert.equal(page.sessionToken, undefined, 'the cookie is cleared');
    for (const t of tokens) assert.equal((await me(t)).status, 401);
    assert.equal((await row('select count(*)::int as n from sessions where user_id = $1', [id])).n, 0);
    assert.equal(revoked.seen.length, 3);
    const replayed = new OwnPagesClient(app);
    replayed.cookies.set('parley_session', cookie);
    assert.equal((await replayed.get('/account')).status, 303, 'the old cookie is a stranger');
  });
});

describe('downloading my data', () => {
  it('is a JSON attachment with the profile, comments, votes, sessions and identities, and no secret', async () => {
    const { id, email, page } = await signedIn({ name: 'Exporter' });
    const thread = await openThread(app, 'export');
    const token = await embedToken(email);
    const mine = await comment(thread.id, 'my **exported** words', { token });
    const theirs = await comment(thread.id, 'someone else', { author: { name: 'Other' } });
    assert.equal((await api(app, 'POST', `/api/v1/comments/${theirs.comment.id}/vote`, { body: { value: 1 }, token })).status, 200);

    const res = await page.get('/account/export');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.match(res.headers.get('content-disposition')!, /^attachment; filename=/);
    const data = JSON.parse(res.text);
    assert.equal(data.profile.id, id);
    assert.equal(data.profile.email, email);
    assert.equal(data.profile.displayName, 'Exporter');
    assert.deepEqual(data.comments.map((c: any) => [c.id, c.site, c.thread.key, c.bodySource, c.status]), [[mine.comment.id, 'news', 'export', 'my **exported** words', 'approved']]);
    assert.ok(data.comments[0].createdAt);
    assert.deepEqual(data.votes.map((v: any) => [v.commentId, v.value]), [[theirs.comment.id, 1]]);
    assert.deepEqual(new Set(data.sessions.map((s: any) => `${s.scope}:${s.site}`)), new Set(['full:null', 'embed:news']));
    assert.deepEqual(data.identities, []);
    const secrets = await rows('select token_hash from sessions where user_id = $1', [id]);
    for (const { token_hash } of secrets) assert.ok(!res.text.includes(token_hash), 'no token hash');
    assert.ok(!res.text.includes(token) && !res.text.includes(page.sessionToken!), 'no token');
    assert.doesNotMatch(res.text, /tokenHash|token_hash|passwordHash|argon2|ipHash/);
  });
});

describe('deleting the account', () => {
  it('refuses without the word DELETE or a choice, and changes nothing', async () => {
    const { id, page } = await signedIn();
    const before = await snapshot(id);
    const forms: Array<Record<string, string>> = [{ comments: 'anonymize', confirm: 'delete it' }, { confirm: 'DELETE' }, { comments: 'burn', confirm: 'DELETE' }];
    for (const form of forms) {
      const res = await page.post('/account/delete', form);
      assert.equal(res.status, 400, JSON.stringify(form));
    }
    assert.deepEqual(await snapshot(id), before);
  });

  it('with "anonymize" keeps the text under "Deleted user", takes back its votes and ends its sessions', async () => {
    const { id, email, page } = await signedIn({ name: 'Leaving Soon' });
    const thread = await openThread(app, 'anonymize');
    const token = await embedToken(email);
    const mine = await comment(thread.id, 'words that stay', { token });
    const theirs = await comment(thread.id, 'a guest writes', { author: { name: 'Guest', email: 'g@example.org' } });
    await api(app, 'POST', `/api/v1/comments/${theirs.comment.id}/vote`, { body: { value: 1 }, token });
    const updated = collect('comment.updated');
    const votesChanged = collect('vote.updated');
    const revoked = collect('session.revoked');

    const res = await page.post('/account/delete', { comments: 'anonymize', confirm: 'DELETE' });
    [updated, votesChanged, revoked].forEach((c) => c.stop());
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /Your account is deleted/);
    assert.equal(page.sessionToken, undefined);
    assert.equal(await row('select id from users where id = $1', [id]), undefined, 'the user row is gone');
    assert.equal((await row('select count(*)::int as n from sessions where user_id = $1', [id])).n, 0);
    const kept = await row('select author_id, author_name, author_email, body_source, status from comments where id = $1', [mine.comment.id]);
    assert.deepEqual(kept, { author_id: null, author_name: 'Deleted user', author_email: null, body_source: 'words that stay', status: 'approved' });
    const listed = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=oldest`);
    assert.deepEqual(listed.json.comments.map((c: any) => [c.author.name, c.html, c.upvotes]), [
      ['Deleted user', '<p>words that stay</p>', 0], ['Guest', '<p>a guest writes</p>', 0],
    ]);
    assert.deepEqual(updated.seen.map((e) => [e.comment.id, e.comment.author?.name]), [[mine.comment.id, 'Deleted user']]);
    assert.deepEqual(votesChanged.seen.map((e) => [e.commentId, e.upvotes]), [[theirs.comment.id, 0]]);
    assert.equal(revoked.seen.length, 2, 'both sessions (cookie and widget) revoked');
    assert.equal((await me(token)).status, 401);
  });

  it('with "remove" erases the text as deleting each comment would: a placeholder where replies stand, counts right', async () => {
    const { id, email, page } = await signedIn();
    const thread = await openThread(app, 'remove');
    const token = await embedToken(email);
    const answered = await comment(thread.id, 'answered words', { token });
    const reply = await comment(thread.id, 'a reply by a guest', { author: { name: 'Replier' } }, answered.comment.id);
    const alone = await comment(thread.id, 'lonely words', { token });
    assert.equal((await openThread(app, 'remove')).commentCount, 3);
    const deleted = collect('comment.deleted');

    const res = await page.post('/account/delete', { comments: 'remove', confirm: 'DELETE' });
    deleted.stop();
    assert.equal(res.status, 200);
    assert.equal(await row('select id from users where id = $1', [id]), undefined);
    const erased = await rows('select body_source, body_html, status, author_id, author_name from comments where id = any($1)', [[answered.comment.id, alone.comment.id]]);
    assert.equal(erased.length, 2);
    for (const c of erased) assert.deepEqual(c, { body_source: '', body_html: '', status: 'deleted', author_id: null, author_name: 'Deleted user' });
    assert.equal((await openThread(app, 'remove')).commentCount, 1, 'only the reply counts');
    const listed = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`);
    assert.equal(listed.json.comments.length, 1, 'the lonely comment is gone');
    assert.equal(listed.json.comments[0].id, answered.comment.id);
    assert.equal(listed.json.comments[0].html, '');
    assert.equal(listed.json.comments[0].author, null, 'a placeholder keeps the reply in place');
    assert.equal(listed.json.comments[0].replies[0].id, reply.comment.id);
    const byId = new Map(deleted.seen.map((e) => [e.commentId, e]));
    assert.equal(byId.get(answered.comment.id)?.placeholder?.id, answered.comment.id);
    assert.equal(byId.get(alone.comment.id)?.placeholder, null);
    const logged = await rows(`select type from thread_events where comment_id = any($1) and type = 'comment:deleted'`, [[answered.comment.id, alone.comment.id]]);
    assert.equal(logged.length, 2, 'live readers replaying the log learn of both');
    assert.ok(!JSON.stringify(await api(app, 'GET', `/api/v1/threads/${thread.id}/comments`)).includes('lonely words'));
  });
});

describe('claiming guest comments', () => {
  it('moves comments and votes of guests with the verified address to the account', async () => {
    const thread = await openThread(app, 'claim');
    const other = await comment(thread.id, 'a third party', { author: { name: 'Third' } });
    const both = await comment(thread.id, 'voted on by both', { author: { name: 'Fourth' } });
    const guest = await comment(thread.id, 'written as a guest', { author: { name: 'Guesty', email: 'Claimer@Example.org' } });
    const guestToken = guest.session!.token;
    const secondGuest = await comment(thread.id, 'another guest session, same address', { author: { name: 'Guesty', email: 'claimer@example.org' } });
    for (const id of [other.comment.id, both.comment.id]) {
      assert.equal((await api(app, 'POST', `/api/v1/comments/${id}/vote`, { body: { value: 1 }, token: guestToken })).status, 200);
    }
    const { id, email, page } = await signedIn({ email: 'claimer@example.org', name: 'Claire Account' });
    await api(app, 'POST', `/api/v1/comments/${both.comment.id}/vote`, { body: { value: -1 }, token: await embedToken(email) });
    const unrelated = await comment(thread.id, 'not claimable', { author: { name: 'Someone', email: 'someone@example.org' } });

    const shown = await page.get('/account');
    assert.match(shown.text, /You wrote 2 comments as a guest with this address/);
    assert.match(shown.text, /written as a guest/);
    assert.match(shown.text, /action="\/account\/claim-guest-comments"/);
    const updated = collect('comment.updated');
    const revoked = collect('session.revoked');
    const res = await page.post('/account/claim-guest-comments', {});
    updated.stop();
    revoked.stop();
    assert.equal(res.status, 303);
    assert.equal(res.location, '/account?done=claimed');

    const claimed = await rows('select id, author_id, author_name, author_is_guest, author_email from comments where id = any($1) order by created_at', [[guest.comment.id, secondGuest.comment.id]]);
    for (const c of claimed) assert.deepEqual({ ...c, id: undefined }, { id: undefined, author_id: id, author_name: 'Claire Account', author_is_guest: false, author_email: null });
    const untouched = await row('select author_name, author_is_guest from comments where id = $1', [unrelated.comment.id]);
    assert.deepEqual(untouched, { author_name: 'Someone', author_is_guest: true });
    assert.equal((await row(`select count(*)::int as n from users where is_guest and lower(email) = 'claimer@example.org'`)).n, 0, 'the guests are gone');
    assert.equal((await me(guestToken)).status, 401, 'their widget tokens stop working');
    assert.equal(revoked.seen.length, 2);
    assert.deepEqual(await rows('select comment_id, value from votes where user_id = $1 order by value', [id]),
      [{ comment_id: both.comment.id, value: -1 }, { comment_id: other.comment.id, value: 1 }], 'the account\'s own vote wins over the guest\'s');
    const counts = await rows('select id, upvotes, downvotes, score from comments where id = any($1) order by upvotes', [[both.comment.id, other.comment.id]]);
    assert.deepEqual(counts.map((c) => [c.id, c.upvotes, c.downvotes, c.score]), [[both.comment.id, 0, 1, -1], [other.comment.id, 1, 0, 1]]);
    assert.deepEqual(new Set(updated.seen.map((e) => `${e.comment.id}:${e.comment.author?.name}:${e.comment.author?.isGuest}`)),
      new Set([guest.comment.id, secondGuest.comment.id].map((c) => `${c}:Claire Account:false`)));
    const listed = await api(app, 'GET', `/api/v1/threads/${thread.id}/comments?sort=oldest`);
    assert.equal(listed.json.comments.find((c: any) => c.id === guest.comment.id).author.name, 'Claire Account');
    assert.doesNotMatch((await page.get('/account')).text, /as a guest with this address/);
  });

  it('needs a verified address', async () => {
    const thread = await openThread(app, 'claim-unverified');
    await comment(thread.id, 'guest words', { author: { name: 'G', email: 'unverified@example.org' } });
    const { id, page } = await signedIn({ email: 'unverified@example.org', name: 'Unverified' });
    // Signed in while verified (sign-in needs it), then the address is no longer vouched for.
    await app.database.pool.query('update users set email_verified_at = null where id = $1', [id]);
    const shown = await page.get('/account');
    assert.doesNotMatch(shown.text, /as a guest with this address/);
    const before = await snapshot(id);
    const res = await page.post('/account/claim-guest-comments', {});
    assert.equal(res.status, 403);
    assert.deepEqual(await snapshot(id), before);
  });
});

describe('public profiles', () => {
  it('show a member\'s approved comments only, newest first, escaped, with older pages', async () => {
    const { id, email } = await signedIn({ name: '<script>alert(1)</script>' });
    const thread = await openThread(app, 'profile');
    await app.database.pool.query(`update threads set title = $1 where id = $2`, ['An <i>analysis</i>', thread.id]);
    const token = await embedToken(email);
    const first = await comment(thread.id, 'first **bold** words', { token });
    const hidden = await comment(thread.id, 'spam words', { token });
    const third = await comment(thread.id, 'third words', { token });
    await app.database.pool.query(`update comments set status = 'spam' where id = $1`, [hidden.comment.id]);

    const page = new OwnPagesClient(app);
    const res = await page.get(`/u/${id}`);
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('<script>alert(1)</script>'), 'the name is escaped');
    assert.ok(res.text.includes('&lt;script>alert(1)&lt;/script>') || res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(res.text.includes('<strong>bold</strong>'), 'the stored HTML shows as HTML');
    assert.ok(!res.text.includes('<i>analysis</i>'), 'the thread title is escaped');
    assert.ok(res.text.includes(`href="https://news.example.org/profile"`));
    assert.ok(!res.text.includes('spam words'));
    assert.ok(res.text.indexOf('third words') < res.text.indexOf('first'), 'newest first');
    assert.ok(!res.text.includes(email), 'no email');

    const paged = await page.get(`/u/${id}?limit=1`);
    assert.ok(paged.text.includes('third words') && !paged.text.includes('first'));
    const older = /href="(\/u\/[^"]+before=[^"]+)"/.exec(paged.text)?.[1].replace(/&amp;/g, '&');
    assert.ok(older, 'an Older link');
    const next = await page.get(`${older}&limit=1`);
    assert.ok(next.text.includes('first') && !next.text.includes('third words'));

    const json = await api(app, 'GET', `/api/v1/users/${id}?limit=1`);
    assert.equal(json.status, 200);
    assert.deepEqual(Object.keys(json.json.user).sort(), ['avatarUrl', 'displayName', 'id', 'isGuest', 'memberSince']);
    assert.equal(json.json.user.displayName, '<script>alert(1)</script>');
    assert.deepEqual(json.json.comments.map((c: any) => c.id), [third.comment.id]);
    assert.equal(json.json.comments[0].thread.key, 'profile');
    const rest = await api(app, 'GET', `/api/v1/users/${id}?before=${encodeURIComponent(json.json.nextCursor)}`);
    assert.deepEqual(rest.json.comments.map((c: any) => c.id), [first.comment.id]);
    assert.equal(rest.json.nextCursor, null);
    assert.equal((await api(app, 'GET', `/api/v1/users/${id}?before=garbage`)).status, 400);
  });

  it('do not exist for guests, deleted or unknown users', async () => {
    const thread = await openThread(app, 'profile-guest');
    const guest = await comment(thread.id, 'guest', { author: { name: 'Guest' } });
    const guestId = (await row('select author_id from comments where id = $1', [guest.comment.id])).author_id;
    const page = new OwnPagesClient(app);
    for (const path of [`/u/${guestId}`, '/u/00000000-0000-4000-8000-000000000000', '/u/not-an-id']) {
      const res = await page.get(path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type')!, /html/);
    }
    assert.equal((await api(app, 'GET', `/api/v1/users/${guestId}`)).status, 404);
    assert.equal((await api(app, 'GET', '/api/v1/users/00000000-0000-4000-8000-000000000000')).json.error.code, 'not_found');
  });
});

describe('an attacker', () => {
  const forms: Array<[string, Record<string, string>]> = [
    ['/account/profile', { displayName: 'Pwned', notifyReplies: 'on' }],
    ['/account/password', { current: PASSWORD, next: 'attacker password 1' }],
    ['/account/sessions/end-all', {}],
    ['/account/claim-guest-comments', {}],
    ['/account/delete', { comments: 'remove', confirm: 'DELETE' }],
  ];

  async function victim() {
    const thread = await openThread(app, 'victim');
    const found = await signedIn({ name: 'Victim' });
    await comment(thread.id, 'victim guest words', { author: { name: 'Victim as guest', email: found.email } });
    await comment(thread.id, 'victim words', { token: await embedToken(found.email) });
    return found;
  }

  it('cannot post an account form without the CSRF token', async () => {
    const { id, page } = await victim();
    const before = await snapshot(id);
    for (const [path, form] of forms) {
      const res = await page.post(path, form, { csrf: false });
      assert.equal(res.status, 403, path);
      const forged = await page.post(path, form, { csrf: 'x'.repeat(64) });
      assert.equal(forged.status, 403, path);
    }
    assert.deepEqual(await snapshot(id), before);
    assert.equal((await page.get('/account')).status, 200, 'still signed in');
  });

  it('cannot change the account with a widget\'s embed token', async () => {
    const { id, email } = await victim();
    const token = await embedToken(email);
    const before = await snapshot(id);
    const page = new OwnPagesClient(app);
    await page.get('/auth/signin');
    const bearer = { authorization: `Bearer ${token}` };
    const shown = await page.get('/account', bearer);
    assert.equal(shown.status, 303);
    for (const [path, form] of forms) {
      const res = await page.post(path, form, { headers: bearer });
      assert.ok(res.status === 403 || (res.status === 303 && res.location?.startsWith('/auth/signin')), `${path}: ${res.status}`);
    }
    assert.equal((await page.get('/account/export', bearer)).status, 303);
    assert.deepEqual(await snapshot(id), before);
    assert.equal((await me(token)).status, 200, 'the token itself still works for what it may do');
  });

  it('cannot reach account changes through the services with an embed session', async () => {
    const { id } = await victim();
    const caller: Caller = { actor: { userId: id, displayName: 'Victim', isGuest: false, scope: 'embed', siteId: app.site.id }, origin: null };
    await assert.rejects(updateProfile(app.deps, caller, { displayName: 'Pwned', notifyReplies: false, notifyMentions: false }), { status: 403 });
  });

  it('cannot post an account form from another origin', async () => {
    const { id, page } = await victim();
    const before = await snapshot(id);
    for (const [path, form] of forms) {
      const res = await page.post(path, form, { headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 403, path);
    }
    assert.deepEqual(await snapshot(id), before);
  });
});
