/**
 * The frame of the forum's pages: server-rendered HTML a reader without JavaScript and a
 * crawler read whole, with each page's title, description, canonical address, Open Graph tags
 * and previous/next links. Scripts run under the response's nonce or from Parley's origin
 * (the widget and the forum's small live script); nothing else runs, nothing frames the pages.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

const styles = `
  :root { color-scheme: light dark; --ink: #1d232b; --muted: #57606a; --accent: #1a56a6; --rule: #d5dae0; --bg: #fff; --soft: #f3f5f8; --mark: #fff2a8; --err: #a3261b; }
  @media (prefers-color-scheme: dark) { :root { --ink: #e6e8eb; --muted: #a9b1bb; --accent: #8cbcf5; --rule: #3a4049; --bg: #15181c; --soft: #1e2227; --mark: #5c4d00; --err: #ff8a7e; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.55 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
  a { color: var(--accent); }
  a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  header.top { border-block-end: 1px solid var(--rule); background: var(--soft); }
  header.top .bar { max-width: 980px; margin: 0 auto; padding: 10px 20px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header.top .brand { font-weight: 700; text-decoration: none; color: var(--ink); margin-inline-end: auto; }
  header.top form { display: flex; gap: 6px; }
  main { max-width: 980px; margin: 0 auto; padding: 20px 20px 48px; }
  h1 { font-size: 26px; line-height: 1.25; margin: 8px 0 12px; }
  h2 { font-size: 18px; margin: 24px 0 8px; }
  .muted { color: var(--muted); font-size: 14px; }
  nav.crumbs ol { list-style: none; padding: 0; margin: 0; display: flex; gap: 6px; flex-wrap: wrap; font-size: 14px; }
  nav.crumbs li + li::before { content: "›"; margin-inline-end: 6px; color: var(--muted); }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: start; padding: 10px 8px; border-block-end: 1px solid var(--rule); vertical-align: top; }
  th { font-size: 13px; color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: end; white-space: nowrap; }
  tr.sub td:first-child { padding-inline-start: 28px; }
  .badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 7px; border-radius: 9px; border: 1px solid var(--rule); margin-inline-start: 6px; color: var(--ink); }
  .badge.unread { background: var(--accent); border-color: var(--accent); color: var(--bg); }
  .tabs { display: flex; gap: 8px; margin: 8px 0 12px; flex-wrap: wrap; }
  .tabs a { padding: 4px 12px; border-radius: 14px; border: 1px solid var(--rule); text-decoration: none; }
  .tabs a[aria-current] { background: var(--accent); color: var(--bg); border-color: var(--accent); }
  .pager { display: flex; justify-content: space-between; margin: 16px 0; }
  .actions { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
  button, .button { font: inherit; font-weight: 600; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary { background: transparent; color: var(--accent); }
  input[type=text], input[type=search], select, textarea { font: inherit; padding: 7px 9px; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: inherit; }
  form.stack { display: grid; gap: 12px; max-width: 720px; }
  form.stack label { display: grid; gap: 4px; font-weight: 600; }
  textarea { min-height: 180px; }
  .post { border-block-end: 1px solid var(--rule); padding: 12px 0; }
  .post .body { overflow-wrap: anywhere; }
  .post .replies { margin-inline-start: 20px; border-inline-start: 2px solid var(--rule); padding-inline-start: 14px; }
  .post header { font-size: 14px; color: var(--muted); }
  .post header strong { color: var(--ink); }
  .preview { border: 1px dashed var(--rule); padding: 8px 14px; }
  .result { padding: 10px 0; border-block-end: 1px solid var(--rule); }
  mark { background: var(--mark); color: inherit; }
  .error { color: var(--err); font-weight: 600; }
  .notice { border-inline-start: 3px solid var(--accent); padding: 6px 12px; }
  .live-note { margin: 8px 0; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

export interface ForumPageMeta {
  /** The page's own title (the site's and Parley's name follow). */
  title: string;
  siteName: string;
  description: string;
  /** Absolute canonical address. */
  canonical: string;
  prev?: string | null;
  next?: string | null;
  /** Atom feed of what the page lists. */
  feed?: { href: string; title: string };
  type?: 'website' | 'article';
  /** Scripts from Parley's origin (the widget's loader, the forum's live script), with data attributes. */
  scripts?: Array<{ src: string; module?: boolean; data?: Record<string, string> }>;
  status?: number;
  /** Only for pages nobody should index (the new-topic form, search results). */
  noindex?: boolean;
}

export function sendForumPage(res: Response, body: ComponentChildren, meta: ForumPageMeta, header: ComponentChildren): void {
  const nonce = randomBytes(16).toString('base64');
  const own = new URL(meta.canonical).origin;
  const socketOrigin = own.replace(/^http/, 'ws');
  res.set({
    // The widget styles its shadow root with a constructed sheet, or a <style> where a browser has none: inline styles stay allowed.
    'Content-Security-Policy': `default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'nonce-${nonce}'; connect-src 'self' ${socketOrigin}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
  });
  const title = `${meta.title} · ${meta.siteName} forum`;
  const html = renderToString(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={meta.description} />
        {meta.noindex && <meta name="robots" content="noindex" />}
        <link rel="canonical" href={meta.canonical} />
        {meta.prev && <link rel="prev" href={meta.prev} />}
        {meta.next && <link rel="next" href={meta.next} />}
        {meta.feed && <link rel="alternate" type="application/atom+xml" title={meta.feed.title} href={meta.feed.href} />}
        <meta property="og:type" content={meta.type ?? 'website'} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:url" content={meta.canonical} />
        <meta property="og:site_name" content={`${meta.siteName} forum`} />
        <link rel="icon" href="data:," />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: styles }} />
      </head>
      <body>
        <header class="top">{header}</header>
        <main id="main">{body}</main>
        {meta.scripts?.map((s) => (
          <script key={s.src} nonce={nonce} src={s.src} {...(s.module ? { type: 'module' } : { async: true })}
            {...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [`data-${k}`, v]))} />
        ))}
      </body>
    </html>,
  );
  res.status(meta.status ?? 200).type('html').send(`<!doctype html>${html}`);
}

/** A short plain description from a post's text: no markup, one line, at most 160 characters. */
export function describe(text: string): string {
  const line = text.replace(/[#*_`>[\]()!~|-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function formatDate(iso: string | Date | null): string {
  if (!iso) return '—';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
