/**
 * A browser, as far as Parley's own pages can tell: keeps cookies, reads the hidden `_csrf`
 * field of the page it last got, posts urlencoded forms, never follows redirects (tests look
 * at where they point).
 */
import type { TestApp } from './app.js';

export interface PageResponse {
  status: number;
  text: string;
  headers: Headers;
  /** The redirect target's path and query, if any. */
  location: string | null;
}

export class OwnPagesClient {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` value of the last page read that had one. */
  csrf: string | null = null;

  constructor(private readonly app: TestApp) {}

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (expired || value === '') this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  async request(method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie ??= this.cookieHeader();
    const res = await fetch(this.app.url + path, { method, headers, body: options.body, redirect: 'manual' });
    this.keep(res);
    const text = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf.replace(/&amp;/g, '&');
    const location = res.headers.get('location');
    return { status: res.status, text, headers: res.headers, location: location && new URL(location, this.app.url).pathname + new URL(location, this.app.url).search };
  }

  get(path: string, headers?: Record<string, string>): Promise<PageResponse> {
    return this.request('GET', path, { headers });
  }

  /**
   * Posts a form. It carries the last page's CSRF token unless `csrf` says otherwise (false:
   * none, a string: that one).
   */
  post(path: string, fields: Record<string, string>, options: { csrf?: string | false; headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const body = new URLSearchParams(fields);
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token) body.set('_csrf', token);
    return this.request('POST', path, {
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    });
  }

  /** The session token in the cookie (what Parley's own pages run on). */
  get sessionToken(): string | undefined {
    return this.cookies.get('parley_session');
  }

  /** Signs in on /auth/signin as a browser does: the page first (its CSRF token), then the form. */
  async signIn(email: string, password: string, returnTo?: string): Promise<PageResponse> {
    await this.get('/auth/signin');
    const res = await this.post('/auth/signin', { email, password, ...(returnTo === undefined ? {} : { returnTo }) });
    if (res.status !== 303) throw new Error(`sign-in: ${res.status} ${res.text.slice(0, 300)}`);
    return res;
  }
}
