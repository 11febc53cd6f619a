/** The rules of notifications and webhooks that need no database. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { retriesForADay } from '../../src/server/jobs/queue.js';
import { findMentions } from '../../src/server/notifications/mentions.js';
import { isPublished } from '../../src/server/notifications/policy.js';
import { isPublicAddress, urlProblem } from '../../src/server/webhooks/policy.js';
import { signatureHeader } from '../../src/server/webhooks/signature.js';

const people = [
  { userId: 'ana', name: 'Ana' }, { userId: 'ana-lopez', name: 'Ana Lopez' }, { userId: 'yusuf', name: 'يوسف' }, { userId: 'bo', name: 'Bo' },
];

test('mentions: the longest name wins, any script, case-insensitive, whole names only', () => {
  assert.deepEqual(findMentions('thanks @ana lopez!', people), ['ana-lopez']);
  assert.deepEqual(findMentions('@Ana and @يوسف', people).sort(), ['ana', 'yusuf']);
  assert.deepEqual(findMentions('@Bob is not @Bo', people), ['bo']);
  assert.deepEqual(findMentions('@Bob is nobody here', people), []);
  assert.deepEqual(findMentions('mail me at x@ana.example', people), [], 'an address is no mention');
  const crowd = Array.from({ length: 30 }, (_, i) => ({ userId: `u${i}`, name: `Name${i}x` }));
  assert.equal(findMentions(crowd.map((c) => `@${c.name}`).join(' '), crowd).length, 10, 'ten at most');
});

test('readers are told only of published comments that are not a shadow-banned author\'s', () => {
  assert.equal(isPublished({ status: 'approved', shadowed: false }), true);
  for (const status of ['pending', 'rejected', 'spam', 'deleted'] as const) assert.equal(isPublished({ status, shadowed: false }), false);
  assert.equal(isPublished({ status: 'approved', shadowed: true }), false);
});

test('retries last about a day at any base delay', () => {
  for (const base of [1, 10, 30, 60, 300]) {
    const k = retriesForADay(base);
    const mean = 1.5 * base * (2 ** k - 1);
    assert.ok(mean > 12 * 3600 && mean < 48 * 3600, `base ${base}s: ${k} retries, ${Math.round(mean / 3600)} h`);
  }
});

test('webhook endpoints: https, public addresses only, unless private ones are allowed', () => {
  assert.equal(urlProblem('https://hooks.example.org/x', false), null);
  for (const url of ['http://hooks.example.org/x', 'https://127.0.0.1/', 'https://10.0.0.1/', 'https://192.168.1.1/', 'https://169.254.169.254/', 'https://[::1]/', 'https://[fd00::1]/', 'https://localhost/', 'https://a.localhost/', 'https://user:pw@hooks.example.org/', 'ftp://x/', 'nonsense']) {
    assert.notEqual(urlProblem(url, false), null, url);
  }
  assert.equal(urlProblem('http://127.0.0.1:8080/x', true), null);
  assert.equal(isPublicAddress('93.184.216.34'), true);
  assert.equal(isPublicAddress('::ffff:10.0.0.1'), false);
  assert.equal(isPublicAddress('100.64.0.1'), false, 'carrier-grade NAT');
});

test('signatures are Stripe\'s: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">', () => {
  const header = signatureHeader('secret', '{"a":1}', 1_700_000_000);
  assert.equal(header, `t=1700000000,v1=${createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex')}`);
});
