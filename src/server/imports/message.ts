import { sanitize } from '../comments/render.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const BASIC: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** The text of sanitized HTML as markdown-ish source: paragraphs, line breaks, links as [text](href). */
export function htmlToSource(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|blockquote|pre|li|ul|ol)>/gi, '\n\n')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_, href: string, text: string) => (text === href ? text : `[${text}](${href})`))
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, name: string) => BASIC[name])
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const BLOCK = /^<(p|blockquote|ul|ol|pre|h[1-6]|div|table)[\s>]/i;

/**
 * WordPress's stored comment: HTML whose paragraphs are blank lines and whose line breaks are
 * newlines (what its `wpautop` turns into `<p>` and `<br>` when showing it).
 */
function autoParagraphs(text: string): string {
  return text.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
    .map((p) => (BLOCK.test(p) ? p : `<p>${p.replace(/\n/g, '<br>')}</p>`)).join('');
}

/**
 * A Disqus message (HTML, or plain text) into Parley's stored pair: the HTML through the one
 * sanitizer, and its text as the source an edit would start from.
 */
export function messageToBody(message: string, options: { paragraphsByBlankLines?: boolean } = {}): { source: string; html: string } {
  const isHtml = /<[a-z][^>]*>/i.test(message);
  const raw = options.paragraphsByBlankLines ? autoParagraphs(message)
    : isHtml ? message
    : message.split(/\n{2,}/).filter((p) => p.trim()).map((p) => `<p>${escape(p.trim()).replace(/\n/g, '<br>')}</p>`).join('');
  const html = sanitize(raw).trim();
  return { source: htmlToSource(html), html };
}
