import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveSession } from '../../src/server/auth/service.js';
import { deleteComment, editComment, postComment } from '../../src/server/comments/service.js';
import { createDeps, type Actor, type Caller, type Deps } from '../../src/server/deps.js';
import { AppError } from '../../src/server/errors.js';
import type { DomainEvents } from '../../src/server/events.js';
import { createSite } from '../../src/server/sites/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { voteOnComment } from '../../src/server/votes/service.js';
import { TestClock } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
let deps: Deps;
const clock = new TestClock();
const seen: Array<{ name: keyof DomainEvents; payload: unknown }> = [];

before(async () => {
  database = await createTestDatabase();
  deps = createDeps({ db: database.db, secret: 'service-secret-123', now: clock.now });
  for (const name of ['comment.created', 'comment.updated', 'comment.deleted', 'vote.updated'] as const) {
    deps.events.on(name, (payload) => seen.push({ name, payload }));
  }
  await createSite(deps, { slug: 'svc', name: 'Service', origins: ['https://svc.example'] });
  await createSite(deps, { slug: 'closed', name: 'Members only', origins: ['https://closed.example'], guestsAllowed: false });
});
after(async () => { await database?.drop(); });

/** A view from the site's own page, as a browser there would send it. */
const thread = async (site = 'svc', key = 'page') =>
  (await resolveThread(deps, { actor: null, origin: `https://${site}.example` }, { site, key, url: `https://${site}.example/${key}` })).thread;
const anonymous: Caller = { actor: null, origin: null };
const as = (actor: Actor): Caller => ({ actor, origin: null });

const rejects = (promise: Promise<unknown>, status: number, code?: string) =>
  assert.rejects(promise, (err: unknown) => err instanceof AppError && err.status === status && (!code || err.code === code));

describe('comment service', () => {
  it('posts as a new guest whose session then acts for them', async () => {
    const t = await thread();
    const { comment, session } = await postComment(deps, anonymous, { threadId: t.id, body: 'hi', author: { name: 'Guest One' } });
    assert.ok(session);
    const actor = await resolveSession(deps, session.token);
    assert.equal(actor.isGuest, true);
    assert.equal(comment.author?.id, actor.userId);
    const second = await postComment(deps, as(actor), { threadId: t.id, body: 'again' });
    assert.equal(second.session, undefined, 'no new guest for a reader who has one');
    assert.equal(second.comment.author?.name, 'Guest One');
  });

  it('announces a change only after it commits, and a refused one never', async () => {
    const t = await thread('svc', 'events');
    seen.length = 0;
    await rejects(postComment(deps, anonymous, { threadId: t.id, body: 'x', parentId: '00000000-0000-4000-8000-000000000000', author: { name: 'A' } }), 400);
    assert.equal(seen.length, 0);
    const { comment } = await postComment(deps, anonymous, { threadId: t.id, body: 'ok', author: { name: 'A' } });
    assert.deepEqual(seen.map((e) => e.name), ['comment.created']);
    assert.equal((seen[0].payload as DomainEvents['comment.created']).comment.id, comment.id);
  });

  it('refuses guests where the site asks readers to sign in, leaving no guest behind', async () => {
    const t = await thread('closed', 'members');
    const { rows: before } = await database.pool.query('select count(*)::int as n from users');
    await rejects(postComment(deps, anonymous, { threadId: t.id, body: 'let me in', author: { name: 'G' } }), 403, 'sign_in_required');
    const { rows: afterRows } = await database.pool.query('select count(*)::int as n from users');
    assert.equal(afterRows[0].n, before[0].n);
    const elsewhere = await postComment(deps, anonymous, { threadId: (await thread()).id, body: 'guest on an open site', author: { name: 'G' } });
    const guest = await resolveSession(deps, elsewhere.session!.token);
    await rejects(postComment(deps, as(guest), { threadId: t.id, body: 'my guest token from elsewhere' }), 403);
  });

  it('closes editing and deleting after the site\'s window', async () => {
    const t = await thread('svc', 'window');
    const { comment, session } = await postComment(deps, anonymous, { threadId: t.id, body: 'v1', author: { name: 'W' } });
    const actor = await resolveSession(deps, session!.token);
    clock.advance(14 * 60_000);
    assert.equal((await editComment(deps, as(actor), { commentId: comment.id, body: 'v2' })).comment.html, '<p>v2</p>');
    clock.advance(2 * 60_000);
    try {
      await rejects(editComment(deps, as(actor), { commentId: comment.id, body: 'v3' }), 403, 'edit_window_closed');
      await rejects(deleteComment(deps, as(actor), { commentId: comment.id }), 403, 'edit_window_closed');
    } finally {
      clock.advance(-16 * 60_000);
    }
  });

  it('refuses votes on deleted comments', async () => {
    const t = await thread('svc', 'vote-deleted');
    const { comment, session } = await postComment(deps, anonymous, { threadId: t.id, body: 'gone soon', author: { name: 'D' } });
    const actor = await resolveSession(deps, session!.token);
    await deleteComment(deps, as(actor), { commentId: comment.id });
    await rejects(voteOnComment(deps, as(actor), { commentId: comment.id, value: 1 }), 404);
  });
});
