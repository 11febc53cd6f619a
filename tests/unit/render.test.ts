import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../../src/server/comments/render.js';

describe('renderMarkdown', () => {
  it('renders emphasis, links, code, quotes and lists', () => {
    const html = renderMarkdown('*soft* **loud** `x = 1` [UN](https://un.org)\n\n> quoted\n\n- one\n- two\n\n1. first');
    assert.match(html, /<em>soft<\/em>/);
    assert.match(html, /<strong>loud<\/strong>/);
    assert.match(html, /<code>x = 1<\/code>/);
    assert.match(html, /<a href="https:\/\/un.org" rel="nofollow ugc noopener noreferrer" target="_blank">UN<\/a>/);
    assert.match(html, /<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    assert.match(html, /<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    assert.match(html, /<ol>\s*<li>first<\/li>\s*<\/ol>/);
  });

  it('shows raw HTML as text and never as markup', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)><script>alert(2)</script>');
    assert.equal(html, '<p>&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;</p>');
  });

  it('drops javascript: and data: links', () => {
    for (const href of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x']) {
      const html = renderMarkdown(`[click](${href})`);
      assert.doesNotMatch(html, /href=/, href);
    }
  });

  it('keeps right-to-left text intact', () => {
    assert.equal(renderMarkdown('تحليل ممتاز'), '<p>تحليل ممتاز</p>');
  });

  it('does not render images, so comments cannot track readers', () => {
    assert.doesNotMatch(renderMarkdown('![x](https://tracker.example/p.gif)'), /<img/);
  });
});
