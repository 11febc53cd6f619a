/**
 * The frame of Parley's own pages (sign-in, account, profiles): server-rendered, no script but
 * what a page brings with its nonce, and a policy that lets nothing else run or frame them.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

const styles = `
  :root { color-scheme: light dark; --ink: #1d232b; --muted: #5b6470; --accent: #1a56a6; --rule: #d5dae0; --bg: #fff; --err: #a3261b; }
  @media (prefers-color-scheme: dark) { :root { --ink: #e6e8eb; --muted: #a3abb5; --accent: #7fb0f0; --rule: #3a4049; --bg: #15181c; --err: #ff8a7e; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
  main { max-width: 420px; margin: 0 auto; padding: 28px 20px 48px; }
  main.wide { max-width: 760px; }
  h1 { font-size: 22px; margin: 0 0 16px; }
  h2 { font-size: 17px; margin: 28px 0 8px; }
  form { display: grid; gap: 10px; margin: 0 0 16px; }
  label { display: grid; gap: 4px; font-weight: 600; font-size: 14px; }
  input[type=email], input[type=password], input[type=text] { font: inherit; padding: 9px 10px; border: 1px solid var(--rule); border-radius: 6px; background: transparent; color: inherit; }
  button, .button { font: inherit; font-weight: 600; padding: 9px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; text-align: center; }
  button.secondary, .button.secondary { background: transparent; color: var(--accent); }
  a { color: var(--accent); }
  .muted { color: var(--muted); font-size: 14px; }
  .error { color: var(--err); font-weight: 600; }
  .notice { border-left: 3px solid var(--accent); padding: 6px 12px; }
  .or { text-align: center; color: var(--muted); margin: 16px 0; font-size: 14px; }
  .providers { display: grid; gap: 8px; }
  ul.plain { list-style: none; padding: 0; }
  ul.plain li { border-bottom: 1px solid var(--rule); padding: 10px 0; }
  .avatar { width: 48px; height: 48px; border-radius: 50%; vertical-align: middle; }
`;

export interface PageOptions {
  title: string;
  wide?: boolean;
  /** A script the page needs (the popup's hand-off): runs under this response's nonce only. */
  script?: string;
  /**
   * A bundle of Parley's client (the dashboard's), loaded as a module under the nonce; the page
   * may then also reach Parley itself (fetch, its socket): `connect` lists those origins.
   */
  bundle?: { src: string; connect: string[] };
  /** The page's own styles, after the common ones. */
  styles?: string;
  status?: number;
}

/** Sends one of Parley's own pages. */
export function sendOwnPage(res: Response, body: ComponentChildren, options: PageOptions): void {
  const nonce = randomBytes(16).toString('base64');
  res.set({
    'Content-Security-Policy': `default-src 'none'; img-src 'self' data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';${
      options.bundle ? ` connect-src ${options.bundle.connect.join(' ')};` : ''} form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  });
  const html = renderToString(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${options.title} · Parley`}</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: styles + (options.styles ?? '') }} />
      </head>
      <body>
        <main class={options.wide ? 'wide' : undefined}>{body}</main>
        {options.script && <script nonce={nonce} dangerouslySetInnerHTML={{ __html: options.script }} />}
        {options.bundle && <script type="module" nonce={nonce} src={options.bundle.src} />}
      </body>
    </html>,
  );
  res.status(options.status ?? 200).type('html').send(`<!doctype html>${html}`);
}

/** JSON for inside a <script>: nothing in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The hidden CSRF field every form of these pages carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A refusal on one of these pages is a page too (the reason, with its status), not JSON. */
export function ownPageErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (!(err instanceof AppError)) { next(err); return; }
  sendOwnPage(res, (
    <>
      <h1>Something is not right</h1>
      <div role="status"><p class="error">{err.message}</p></div>
    </>
  ), { title: 'Something is not right', status: err.status });
}
