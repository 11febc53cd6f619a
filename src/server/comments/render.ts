import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// Raw HTML off: a comment's markup comes from markdown only; sanitize-html then enforces the allowlist.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
markdown.disable(['image', 'table', 'heading', 'lheading', 'hr']);

const allowlist: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 's', 'del', 'a', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href', 'rel', 'target'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    // Links in comments are the commenter's, not the site's: no referrer, no SEO weight.
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow ugc noopener noreferrer', target: '_blank' }),
  },
};

/** The one sanitizer every piece of user markup goes through. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, allowlist);
}

/** Markdown source to the HTML stored beside it. */
export function renderMarkdown(source: string): string {
  return sanitize(markdown.render(source)).trim();
}
