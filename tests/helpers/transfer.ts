/**
 * A site with something of everything, made the way readers and moderators make it (the HTTP
 * API), for the export tests: threads open, locked and closed; a reply chain seven deep;
 * comments approved, pending, rejected (with a reason), spam, deleted under replies, pinned,
 * edited by a moderator, shadowed, flagged; votes both ways; an account, staff with roles, a
 * trusted member, guests; bans; an OpenID and an SSO identity; the audit log; a Disqus import;
 * forum categories, one nested, and a pinned topic; followers, a moderator's alerts, a read marker.
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { forumCategories, forumReads, identities, moderatorAlerts, threadSubscriptions } from '../../src/server/db/schema.js';
import { importDisqus } from '../../src/server/imports/service.js';
import { createSite, setSiteSsoSecret, updateSitePolicy } from '../../src/server/sites/service.js';
import { api, type TestApp } from './app.js';

export const WORLD_ORIGIN = 'https://world.example.org';
export const PASSWORD = 'moderator password';
export const SSO_SECRET = 'sso-secret-of-the-world-site-0123';

/**
 * Awkward text for every escaping path: markup, ampersands, a CDATA end, control characters, RTL.
 * Parley's own writes drop control characters, so the comment gets it as older data would have it.
 */
export const NASTY_BODY = 'Fish & <chips> "quoted" ]]> end \u0001\u0008 bell; ما رأيك؟';
export const NASTY_HTML = '<p>Fish &amp; &lt;chips&gt; "quoted" ]]> end \u0001\u0008 bell; ما رأيك؟</p>';

export interface RichSite {
  slug: string;
  threads: Record<'open' | 'locked' | 'closed', string>;
  /** comments by role in the story */
  ids: Record<string, string>;
  chain: string[];
}

export async function buildRichSite(app: TestApp, slug = 'world'): Promise<RichSite> {
  const site = await createSite(app.deps, { slug, name: 'World <News> & Co', origins: [WORLD_ORIGIN] });
  const admin = await createAccount(app.deps, { email: `admin@${slug}.example`, password: PASSWORD, displayName: 'Ada Admin', verified: true });
  const mod = await createAccount(app.deps, { email: `mod@${slug}.example`, password: PASSWORD, displayName: 'Mo Moderator', verified: true });
  const reader = await createAccount(app.deps, { email: `reader@${slug}.example`, password: PASSWORD, displayName: 'Rita Reader', verified: true });
  await setRole(app.deps, { siteId: site.id, userId: admin.id, role: 'admin' });
  await setRole(app.deps, { siteId: site.id, userId: mod.id, role: 'moderator' });
  await app.deps.db.insert(identities).values([
    { userId: reader.id, provider: 'oidc:example', subject: 'reader-subject-1', siteId: null },
    { userId: reader.id, provider: 'sso', subject: 'site-user-42', siteId: site.id },
  ]);
  const login = async (email: string, forSite?: string) => {
    const res = await api(app, 'POST', '/api/v1/auth/login', {
      body: { email, password: PASSWORD, ...(forSite ? { site: forSite } : {}) }, headers: forSite ? { origin: WORLD_ORIGIN } : {},
    });
    assert.equal(res.status, 200, res.text);
    return res.json.session.token as string;
  };
  const modToken = await login(`mod@${slug}.example`);
  const readerToken = await login(`reader@${slug}.example`, slug);
  const open = async (key: string) => {
    const res = await api(app, 'GET', `/api/v1/threads?site=${slug}&key=${key}&url=${encodeURIComponent(`${WORLD_ORIGIN}/${key}`)}`, { headers: { origin: WORLD_ORIGIN } });
    assert.equal(res.status, 200, res.text);
    return res.json.thread.id as string;
  };
  let n = 0;
  const post = async (threadId: string, o: { body?: string; parentId?: string; token?: string; name?: string; email?: string } = {}) => {
    const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, {
      token: o.token, headers: { origin: WORLD_ORIGIN, 'x-forwarded-for': `203.0.113.${++n % 250}` },
      body: {
        body: o.body ?? `comment ${n} on *${slug}*`, composeMs: 10_000, ...(o.parentId ? { parentId: o.parentId } : {}),
        ...(o.token ? {} : { author: { name: o.name ?? `Guest ${n}`, ...(o.email ? { email: o.email } : {}) } }),
      },
    });
    assert.equal(res.status, 201, res.text);
    return { id: res.json.comment.id as string, token: (res.json.session?.token ?? o.token) as string, userId: res.json.comment.author?.id as string };
  };
  const act = async (path: string, body: object) => {
    const res = await api(app, 'POST', `/api/v1/mod/${path}`, { token: modToken, body });
    assert.ok(res.status === 200 || res.status === 201, res.text);
  };
  const vote = async (commentId: string, token: string, value: 1 | -1) => {
    const res = await api(app, 'POST', `/api/v1/comments/${commentId}/vote`, { token, headers: { origin: WORLD_ORIGIN }, body: { value } });
    assert.equal(res.status, 200, res.text);
  };

  const threads = { open: await open('open-thread'), locked: await open('locked-thread'), closed: await open('closed-thread') };
  const ids: Record<string, string> = {};
  const top = await post(threads.open, { body: 'First! **bold** and a [link](https://example.org/x?a=1&b=2)', email: 'guest-one@mail.example' });
  ids.top = top.id;
  const chain = [top.id];
  for (let d = 1; d <= 6; d++) chain.push((await post(threads.open, { parentId: chain[d - 1], body: `depth ${d} reply` })).id);
  ids.byReader = (await post(threads.open, { token: readerToken, body: 'Written by an account' })).id;
  ids.nasty = (await post(threads.open, { body: 'to be replaced', name: 'Ünïcode <Name> & "Co"' })).id;
  await app.database.pool.query('update comments set body_source = $2, body_html = $3 where id = $1', [ids.nasty, NASTY_BODY, NASTY_HTML]);
  ids.rejected = (await post(threads.open, { body: 'rude words here' })).id;
  await act(`comments/${ids.rejected}`, { action: 'reject', reason: 'Rude' });
  ids.spam = (await post(threads.open, { body: 'buy cheap pills now' })).id;
  await act(`comments/${ids.spam}`, { action: 'spam' });
  ids.deletedParent = (await post(threads.open, { body: 'soon deleted' })).id;
  ids.underDeleted = (await post(threads.open, { parentId: ids.deletedParent, body: 'a reply that outlives its parent' })).id;
  await act(`comments/${ids.deletedParent}`, { action: 'delete' });
  ids.edited = (await post(threads.open, { body: 'Worth reading' })).id;
  await act(`comments/${ids.edited}`, { action: 'edit', body: 'Worth reading (edited by a moderator)' });
  await act(`comments/${ids.edited}`, { action: 'pin' });
  // Votes both ways, by an account and by guests.
  const guestVoter = await post(threads.locked, { body: 'on the locked thread, before it locked' });
  ids.onLocked = guestVoter.id;
  await vote(top.id, readerToken, 1);
  await vote(top.id, guestVoter.token, 1);
  await vote(chain[2], readerToken, -1);
  // A flag from the reader.
  const flagged = await api(app, 'POST', `/api/v1/comments/${chain[3]}/flag`, { token: readerToken, headers: { origin: WORLD_ORIGIN }, body: { reason: 'off-topic', note: 'not about this' } });
  assert.equal(flagged.status, 200, flagged.text);
  // A shadow-banned guest's comment, a banned email, a trusted member.
  const shadow = await post(threads.closed, { body: 'before the shadow ban' });
  await act(`users/${shadow.userId}`, { site: slug, action: 'shadowban', reason: 'troll' });
  ids.shadowed = (await post(threads.closed, { token: shadow.token, body: 'only I see this' })).id;
  await act('bans', { site: slug, email: `Troll@${slug}.example` });
  const readerId = (await api(app, 'GET', '/api/v1/me', { token: readerToken })).json.user.id as string;
  await act(`users/${readerId}`, { site: slug, action: 'trust' });
  // Pending: everything is held while the site pre-moderates.
  await updateSitePolicy(app.deps, slug, { premoderation: 'all' });
  ids.pending = (await post(threads.closed, { body: 'waiting for a moderator' })).id;
  await updateSitePolicy(app.deps, slug, { premoderation: 'guests', bannedWords: ['scam'], suspectWords: ['crypto'], flagThreshold: 2, maxLinks: 5, autoCloseDays: 30, editWindowSeconds: 600 });
  await act(`threads/${threads.locked}`, { action: 'lock' });
  await act(`threads/${threads.closed}`, { action: 'close' });
  // Comments that came from Disqus keep their origin and dsq:id.
  const disqus = '<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
    + '<thread dsq:id="77"><id>from-disqus</id><link>https://world.example.org/from-disqus</link><title>Imported &amp;amp; old</title><createdAt>2014-03-04T05:06:07Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>'
    + '<post dsq:id="9001"><message><![CDATA[<p>Old comment</p>]]></message><createdAt>2014-03-05T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Old Timer</name><email>old@mail.example</email><isAnonymous>true</isAnonymous></author><thread dsq:id="77"/></post>'
    + '<post dsq:id="9002"><message><![CDATA[<p>Old reply</p>]]></message><createdAt>2014-03-06T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Younger</name><isAnonymous>true</isAnonymous></author><thread dsq:id="77"/><parent dsq:id="9001"/></post>'
    + '</disqus>';
  await importDisqus(app.deps, { siteSlug: slug, open: () => Readable.from([Buffer.from(disqus)]) });
  // The forum's categories, one nested, and a pinned topic in one, started by the reader.
  const [parent] = await app.deps.db.insert(forumCategories).values({ siteId: site.id, slug: 'analysis', name: 'Analysis & <more>', position: 1 }).returning();
  const [child] = await app.deps.db.insert(forumCategories).values({ siteId: site.id, parentId: parent.id, slug: 'middle-east', name: 'Middle East', startTopics: 'staff', position: 0 }).returning();
  await app.database.pool.query(`update threads set kind = 'topic', category_id = $2, author_id = $3, author_name = 'Rita Reader', pinned = true where id = $1`,
    [threads.open, child.id, readerId]);
  // Followers of a thread (an account, a guest's confirmed address), a moderator's alerts, a reader's place in a topic.
  await app.deps.db.insert(threadSubscriptions).values([
    { siteId: site.id, threadId: threads.open, userId: readerId, mode: 'daily', confirmedAt: new Date() },
    { siteId: site.id, threadId: threads.open, email: 'follower@mail.example', confirmedAt: new Date() },
  ]);
  await app.deps.db.insert(moderatorAlerts).values({ siteId: site.id, userId: mod.id, mode: 'hourly' });
  await app.deps.db.insert(forumReads).values({ userId: readerId, threadId: threads.open, readAt: new Date() });
  await setSiteSsoSecret(app.deps, slug, SSO_SECRET);
  return { slug, threads, ids, chain };
}

/** A Writable that keeps what it is given, for a whole export in a test. */
export function collector(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({ write(chunk, _encoding, done) { chunks.push(Buffer.from(chunk)); done(); } });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}
