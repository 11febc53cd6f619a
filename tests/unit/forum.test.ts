/** The forum's pure rules: who may start topics, topic addresses, search snippets, the demo's categories. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoCategories } from '../../src/server/forum/demo.js';
import { canStartTopic, titleSlug } from '../../src/server/forum/policy.js';
import { markedSnippet } from '../../src/server/forum/search.js';

test('who may start a topic, by the category\'s setting and the reader\'s role; never a guest', () => {
  const table: Array<['members' | 'staff' | 'nobody', boolean, 'admin' | 'moderator' | 'member' | null, boolean]> = [
    ['members', false, null, true], ['members', false, 'member', true], ['members', true, null, false],
    ['staff', false, null, false], ['staff', false, 'member', false], ['staff', false, 'moderator', true], ['staff', false, 'admin', true],
    ['staff', true, 'moderator', false],
    ['nobody', false, 'admin', false], ['nobody', false, null, false],
  ];
  for (const [startTopics, isGuest, role, expected] of table) {
    assert.equal(canStartTopic({ startTopics }, { isGuest, role }), expected, `${startTopics} ${isGuest ? 'guest' : 'member'} ${role}`);
  }
});

test('a topic\'s address words: lower case, any script, dashes between, at most 80 characters', () => {
  assert.equal(titleSlug('Elections in Nairobi!'), 'elections-in-nairobi');
  assert.equal(titleSlug('  AQIM\'s  finances — 2012  '), 'aqim-s-finances-2012');
  assert.equal(titleSlug('الأمن في المنطقة'), 'الأمن-في-المنطقة');
  assert.equal(titleSlug('<script>alert(1)</script>'), 'script-alert-1-script');
  assert.equal(titleSlug('!!!'), '');
  assert.ok(titleSlug('word '.repeat(40)).length <= 80);
  assert.doesNotMatch(titleSlug('word '.repeat(40)), /-$/);
});

test('search snippets: everything escaped, only PostgreSQL\'s marks become <mark>', () => {
  assert.equal(markedSnippet('a \u0001word\u0002 <img src=x onerror=alert(1)> & "q"'), 'a <mark>word</mark> &lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
  assert.equal(markedSnippet('line\n\n  two'), 'line two');
});

test('the demo forum: the seed site\'s menu regions with their countries one level down, Analysis, and Article discussions', () => {
  const categories = demoCategories();
  const top = categories.filter((c) => !c.parent).map((c) => c.name);
  assert.deepEqual(top, ['Global', 'Africa', 'Asia', 'Europe', 'Latin America', 'Middle East', 'Analysis', 'Article discussions']);
  assert.deepEqual(categories.filter((c) => c.parent === 'africa').map((c) => c.name), ['Kenya', 'Nigeria', 'Somalia']);
  assert.equal(categories.find((c) => c.name === 'Myanmar (Burma)')?.slug, 'myanmar');
  const articles = categories.find((c) => c.holdsArticles)!;
  assert.equal(articles.startTopics, 'nobody');
  assert.equal(new Set(categories.map((c) => c.slug)).size, categories.length, 'slugs are unique');
});
