import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canEditComment, canVote, mustHoldForReview } from '../../src/server/comments/policy.js';
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

describe('mustHoldForReview', () => {
  const account: Actor = { ...author, isGuest: false };
  it('follows the site policy', () => {
    assert.equal(mustHoldForReview({ premoderation: 'none', guestsAllowed: true }, author), false);
    assert.equal(mustHoldForReview({ premoderation: 'guests', guestsAllowed: true }, author), true);
    assert.equal(mustHoldForReview({ premoderation: 'guests', guestsAllowed: true }, account), false);
    assert.equal(mustHoldForReview({ premoderation: 'all', guestsAllowed: true }, account), true);
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
