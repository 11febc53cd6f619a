import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCache } from '../../src/server/pages/page-cache.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('PageCache', () => {
  it('builds a page once for concurrent readers', async () => {
    const cache = new PageCache({ maxBytes: 1 << 20, minRebuildMs: 0, maxAgeMs: 60_000 });
    let builds = 0;
    const build = async () => { builds++; return { json: '{"comments":[]}', cursor: '5' }; };
    const pages = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', 't', build)));
    assert.equal(builds, 1);
    assert.ok(pages.every((p) => p === pages[0]));
    assert.equal(pages[0].etag, '"5"');
  });

  it('rebuilds after a change; while one reader waits for it, the others get the stale page', async () => {
    const cache = new PageCache({ maxBytes: 1 << 20, minRebuildMs: 0, maxAgeMs: 60_000 });
    await cache.get('k', 't', async () => ({ json: '"v1"', cursor: '1' }));
    cache.noteChange('t', '2');
    const slow = deferred<{ json: string; cursor: string }>();
    const waiting = cache.get('k', 't', () => slow.promise);
    const meanwhile = await cache.get('k', 't', async () => assert.fail('a second build'));
    assert.equal(meanwhile.identity.toString(), '"v1"', 'stale, not queued');
    slow.resolve({ json: '"v2"', cursor: '2' });
    assert.equal((await waiting).identity.toString(), '"v2"');
    assert.equal((await cache.get('k', 't', async () => assert.fail('fresh now'))).identity.toString(), '"v2"');
  });

  it('keeps a changed page within the rebuild floor, and never past its maximum age', async () => {
    let now = 0;
    const cache = new PageCache({ maxBytes: 1 << 20, minRebuildMs: 250, maxAgeMs: 1000, now: () => now });
    let version = 0;
    const build = async () => ({ json: `${++version}`, cursor: String(version) });
    await cache.get('k', 't', build);
    cache.noteChange('t', '9');
    now = 100;
    assert.equal((await cache.get('k', 't', build)).identity.toString(), '1');
    now = 300;
    assert.equal((await cache.get('k', 't', build)).identity.toString(), '2');
    now = 1400;
    assert.equal((await cache.get('k', 't', build)).identity.toString(), '3', 'no change seen, but too old');
  });

  it('holds no more bytes than it is given', async () => {
    const cache = new PageCache({ maxBytes: 20_000, minRebuildMs: 0, maxAgeMs: 60_000 });
    let builds = 0;
    const build = async () => { builds++; return { json: JSON.stringify('x'.repeat(4000) + Math.random()), cursor: '1' }; };
    for (let i = 0; i < 20; i++) await cache.get(`k${i}`, `t${i}`, build);
    await cache.get('k0', 't0', build);
    assert.equal(builds, 21, 'the oldest page was evicted');
  });
});
