import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDemoPage } from '../../src/server/demo/page.js';

describe('the demo page', () => {
  const html = renderDemoPage();
  it('is the article, with the Parley widget where Disqus stood', () => {
    assert.match(html, /<h1>AQIM’s Funding Sources – Kidnapping, Ransom, and Drug Running by Gangster Jihadists<\/h1>/);
    assert.match(html, /Timothy Kustusch is an Analyst at 361Security/);
    assert.match(html, /<div id="parley-thread" data-site="demo" data-key="aqim-funding-sources"/);
    assert.match(html, /<script async src="\/embed.js"><\/script>/);
    assert.doesNotMatch(html, /powered by Disqus/i);
  });
  it('keeps the site menu with its Forums (Beta) entry', () => {
    assert.match(html, /Forums \(Beta\)/);
  });
});
