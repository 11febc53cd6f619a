import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, entryHash, GENESIS_HASH } from '../../src/server/moderation/audit.js';
import { bansPhase, linksPhase, spamSignalsPhase, suspectWordsPhase, type NewComment } from '../../src/server/moderation/phases.js';
import { canModerate, commentActionApplies } from '../../src/server/moderation/policy.js';
import { countLinks, wordsFound } from '../../src/server/moderation/words.js';
import type { Site } from '../../src/server/sites/service.js';
import { acceptsChanges, acceptsNewComments, effectiveThreadStatus } from '../../src/server/threads/policy.js';

const site = { id: 's', bannedWords: [], suspectWords: ['spam'], maxLinks: 1, premoderateLinks: false, minComposeSeconds: 3 } as unknown as Site;
const comment = (over: Partial<NewComment> = {}): NewComment => ({
  site, authorId: 'u', isGuest: true, body: 'hello', ipHash: null, standing: { role: null, trusted: false, ban: null }, now: new Date(), ...over,
});
const db = {} as never;

describe('word lists', () => {
  it('match whole words whatever the case, accents or Arabic diacritics', () => {
    assert.deepEqual(wordsFound('A SCÁM, clearly', ['scam']), ['scam']);
    assert.deepEqual(wordsFound('scamper', ['scam']), []);
    assert.deepEqual(wordsFound('هذه كَلِمَـة', ['كلمة']), ['كلمة']);
    assert.deepEqual(wordsFound('buy cheap pills now', ['cheap pills']), ['cheap pills']);
  });
  it('count links a reader could follow', () => {
    assert.equal(countLinks('see https://a.example, http://b.example and www.c.example/x'), 3);
    assert.equal(countLinks('no links, just a.b'), 0);
  });
});

describe('phases', () => {
  it('refuse a ban and a suspension, and shadow a shadow-ban', () => {
    assert.throws(() => bansPhase(comment({ standing: { role: null, trusted: false, ban: { kind: 'ban', until: null } } }), db), /banned/);
    assert.throws(() => bansPhase(comment({ standing: { role: null, trusted: false, ban: { kind: 'suspend', until: new Date('2030-01-01T00:00:00Z') } } }), db), /2030-01-01 00:00/);
    assert.deepEqual(bansPhase(comment({ standing: { role: null, trusted: false, ban: { kind: 'shadowban', until: null } } }), db), { shadow: true });
  });
  it('hold robots\' signs, suspect words and links, but never a moderator\'s comment', () => {
    assert.deepEqual(spamSignalsPhase(comment({ hp: 'x' }), db), { hold: 'honeypot' });
    assert.deepEqual(spamSignalsPhase(comment({ composeMs: 2999 }), db), { hold: 'too-fast' });
    assert.equal(spamSignalsPhase(comment({ composeMs: 3000 }), db), null);
    assert.deepEqual(suspectWordsPhase(comment({ body: 'Spam!' }), db), { hold: 'suspect-word:spam' });
    assert.deepEqual(linksPhase(comment({ body: 'https://a.example https://b.example' }), db), { hold: 'links' });
    const moderator = { role: 'moderator' as const, trusted: false, ban: null };
    assert.equal(spamSignalsPhase(comment({ hp: 'x', standing: moderator }), db), null);
    assert.equal(suspectWordsPhase(comment({ body: 'spam', standing: moderator }), db), null);
  });
});

describe('roles and thread status', () => {
  it('let moderators and admins moderate, nobody else', () => {
    assert.deepEqual((['admin', 'moderator', 'member', null] as const).map(canModerate), [true, true, false, false]);
  });
  it('close a thread by age, and tell what locked and closed allow', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    assert.equal(effectiveThreadStatus({ status: 'open', createdAt: created }, { autoCloseDays: 10 }, new Date('2026-01-12T00:00:00Z')), 'closed');
    assert.equal(effectiveThreadStatus({ status: 'open', createdAt: created }, { autoCloseDays: null }, new Date('2030-01-01T00:00:00Z')), 'open');
    assert.equal(effectiveThreadStatus({ status: 'locked', createdAt: created }, { autoCloseDays: 10 }, new Date('2026-02-01T00:00:00Z')), 'locked');
    assert.deepEqual([acceptsNewComments('locked'), acceptsChanges('locked'), acceptsChanges('closed')], [false, true, false]);
  });
});

describe('the audit chain', () => {
  it('hashes content independent of key order, and any change of a field changes the hash', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }), '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const entry = {
      siteId: 's', actorId: 'u', actorName: 'Mod', action: 'comment.reject', targetType: 'comment', targetId: 'c',
      before: { status: 'approved' }, after: { status: 'rejected' }, at: new Date('2026-01-01T00:00:00Z'), prevHash: GENESIS_HASH,
    };
    const hash = entryHash(entry);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(entryHash({ ...entry, after: { status: 'rejected' } }), hash);
    for (const changed of [{ actorName: 'Other' }, { after: { status: 'approved' } }, { prevHash: '1'.repeat(64) }, { at: new Date('2026-01-01T00:00:01Z') }]) {
      assert.notEqual(entryHash({ ...entry, ...changed }), hash);
    }
  });
});

describe('which actions apply to a comment', () => {
  const c = (over: object = {}) => ({ status: 'approved', parentId: null, pinned: false, flagCount: 0, shadowed: false, ...over });
  it('offers only what means something: the service refuses the rest and the dashboard hides it', () => {
    assert.equal(commentActionApplies('approve', c()), false);
    assert.equal(commentActionApplies('approve', c({ flagCount: 2 })), true);
    assert.equal(commentActionApplies('approve', c({ status: 'pending' })), true);
    assert.equal(commentActionApplies('pin', c({ parentId: 'p' })), false);
    assert.deepEqual([commentActionApplies('pin', c({ pinned: true })), commentActionApplies('unpin', c({ pinned: true }))], [false, true]);
    assert.deepEqual([commentActionApplies('restore', c({ status: 'spam' })), commentActionApplies('restore', c({ status: 'deleted' }))], [true, false]);
    for (const action of ['approve', 'reject', 'spam', 'delete', 'edit', 'pin'] as const) assert.equal(commentActionApplies(action, c({ status: 'deleted' })), false, action);
  });
});
