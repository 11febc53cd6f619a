import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canEditComment, canVote } from '../../src/server/comments/policy.js';
import { premoderationPhase, type NewComment } from '../../src/server/moderation/phases.js';
import type { Site } from '../../src/server/sites/service.js';
import { canManageSite } from '../../src/server/sites/policy.js';
import type { Actor } from '../../src/server/deps.js';

const author: Actor = { userId: 'u1', displayName: 'A', isGuest: true, scope: 'embed', siteId: 's1' };
const other: Actor = { ...author, userId: 'u2' };
const created = new Date('2026-01-01T12:00:00Z');
const comment = { authorId: 'u1', createdAt: created, status: 'approved' };
const site = { editWindowSeconds: 900 };
const at = (minutes: number) => new Date(created.getTime() + minutes * 60_000);

describe('canEditComment', () => {
  it('lets the author edit within the window', () => {
    assert.equal(canEditComment(author, comment, site, at(14)), true);
    assert.equal(canEditComment(author, comment, site, at(15)), true);
  });
  it('closes after the window', () => {
    assert.equal(canEditComment(author, comment, site, at(15.01)), false);
  });
  it('refuses anyone else, and nobody', () => {
    assert.equal(canEditComment(other, comment, site, at(1)), false);
    assert.equal(canEditComment(null, comment, site, at(1)), false);
    assert.equal(canEditComment(author, { ...comment, authorId: null }, site, at(1)), false);
  });
  it('refuses a deleted comment', () => {
    assert.equal(canEditComment(author, { ...comment, status: 'deleted' }, site, at(1)), false);
  });
});

describe('pre-moderation', () => {
  const held = async (premoderation: 'none' | 'guests' | 'all', isGuest: boolean, standing: NewComment['standing'] = { role: null, trusted: false, ban: null }) =>
    (await premoderationPhase({
      site: { premoderation, premoderateNewMembers: 0 } as Site, authorId: 'u', isGuest, body: 'x', ipHash: null, standing, now: new Date(),
    }, {} as never)) !== null;
  it('follows the site policy; trusted readers and staff skip it', async () => {
    assert.deepEqual([await held('none', true), await held('guests', true), await held('guests', false), await held('all', false)], [false, true, false, true]);
    assert.equal(await held('all', false, { role: null, trusted: true, ban: null }), false);
    assert.equal(await held('all', false, { role: 'moderator', trusted: false, ban: null }), false);
  });
});

describe('canVote', () => {
  it('allows votes on published comments only', () => {
    assert.equal(canVote({ status: 'approved' }), true);
    for (const status of ['pending', 'deleted', 'rejected', 'spam']) assert.equal(canVote({ status }), false);
  });
});

describe('site roles', () => {
  it('let only an admin change a site\'s settings', () => {
    assert.equal(canManageSite('admin'), true);
    for (const role of ['moderator', 'member', null] as const) assert.equal(canManageSite(role), false);
  });
});
