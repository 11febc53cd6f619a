import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanBody, cleanName, isolateBidi } from '../../src/server/text.js';
import { threadKeyForUrl } from '../../src/server/threads/keys.js';
import { scopeAllows } from '../../src/server/auth/policy.js';
import { approvedBelow, keepsPlace } from '../../src/server/comments/placeholders.js';

describe('user text', () => {
  it('takes NUL and other controls out of bodies and names, keeping tabs and line breaks', () => {
    assert.equal(cleanBody('a\u0000b\u0007c\td\r\ne'), 'abc\td\ne');
    assert.equal(cleanName(' Ann\u0000 '), 'Ann');
  });

  it('removes every bidi override and isolate from names, so a name cannot display reversed', () => {
    assert.equal(cleanName('moc.elgoog\u202E'), 'moc.elgoog');
    assert.equal(cleanName('\u2066x\u2069\u202Dy\u202C'), 'xy');
  });

  it('turns overrides in bodies into isolates closed on their own line', () => {
    assert.equal(isolateBidi('a\u202Eb\nc'), 'a\u2067b\u2069\nc');
    assert.equal(isolateBidi('\u202Dx\u202Cy'), '\u2066x\u2069y', 'a closed override stays closed once');
    assert.equal(isolateBidi('\u202Cstray'), 'stray', 'a closer without opener is dropped');
    assert.equal(isolateBidi('نص عربي with English'), 'نص عربي with English', 'plain mixed text untouched');
  });
});

describe('thread keys of pages without an identifier', () => {
  it('make every way of linking one page one key', () => {
    const key = 'https://example.org/2024/story';
    for (const url of [
      'https://example.org/2024/story', 'https://www.example.org/2024/story/', 'http://example.org/2024/story/index.html',
      'https://example.org/2024/story?utm_source=x&fbclid=y', 'https://EXAMPLE.org/2024/story#comments',
    ]) assert.equal(threadKeyForUrl(url), key, url);
  });

  it('keep the query parameters the site names, sorted', () => {
    assert.equal(threadKeyForUrl('https://f.example/t?x=1&p=2&a=3', ['p', 'a']), 'https://f.example/t?a=3&p=2');
    assert.equal(threadKeyForUrl('https://f.example/?p=1', ['p']), 'https://f.example?p=1');
  });
});

describe('session scopes', () => {
  it('let an embed token take part but not manage the account or a site', () => {
    for (const action of ['comment', 'vote', 'edit-own', 'delete-own', 'flag'] as const) assert.equal(scopeAllows('embed', action), true);
    for (const action of ['manage-account', 'manage-site'] as const) {
      assert.equal(scopeAllows('embed', action), false);
      assert.equal(scopeAllows('full', action), true);
    }
  });
});

describe('the placeholder rule', () => {
  it('keeps a deleted comment only while an approved comment stands somewhere below it', () => {
    const nodes = [
      { id: 'a', parentId: null, status: 'deleted' }, { id: 'b', parentId: 'a', status: 'deleted' }, { id: 'c', parentId: 'b', status: 'approved' },
      { id: 'd', parentId: null, status: 'deleted' }, { id: 'e', parentId: 'd', status: 'pending' },
    ];
    const below = approvedBelow(nodes);
    assert.deepEqual(nodes.map((n) => keepsPlace(n, below)), [true, true, true, false, true]);
  });

  it('treats a comment a moderator removed as a deleted one, but keeps a rejection with a public reason to show it', () => {
    const nodes = [
      { id: 'r', parentId: null, status: 'rejected', moderationNote: 'Off-topic' }, { id: 's', parentId: null, status: 'spam' },
      { id: 'q', parentId: null, status: 'rejected', moderationNote: null }, { id: 'q1', parentId: 'q', status: 'approved' },
    ];
    const below = approvedBelow(nodes);
    assert.deepEqual(nodes.map((n) => keepsPlace(n, below)), [true, false, true, true]);
  });
});
