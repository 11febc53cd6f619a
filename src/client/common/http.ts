/** JSON requests to the Parley API with its `{ error: { code, message } }` error shape. */

/** Thrown for any failed request; `code` is an ErrorCode, or 'network_error' when the server could not be reached. */
export class ApiError extends Error {
  // `declare` fields: plain assignments, so esbuild adds no class-field helper to the bundles.
  declare readonly code: string;
  declare readonly status: number;
  /** Seconds to wait before trying again, when the server said (429's Retry-After). */
  declare readonly retryAfter: number | undefined;

  constructor(code: string, message: string, status: number, retryAfter?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
}

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Identity travels in the Authorization header only: no third-party cookies.
      credentials: 'omit',
      // Pages may be cached (ETag): ask the server every time, a 304 costs nothing. A copy the
      // browser served stale would show a thread older than the live updates already applied.
      cache: 'no-cache',
    });
  } catch {
    throw new ApiError('network_error', 'Could not reach the comment server.', 0);
  }
  const data = response.status === 204 ? {} : await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && (data as { error?: { code?: string; message?: string } }).error;
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    throw new ApiError(error?.code ?? 'internal_error', error?.message ?? response.statusText, response.status, retryAfter);
  }
  return data as T;
}

/** Builds `path?k=v&...`, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = Object.keys(params)
    .filter((name) => params[name] !== undefined && params[name] !== null && params[name] !== '')
    .map((name) => `${name}=${encodeURIComponent(String(params[name]))}`)
    .join('&');
  return query ? `${path}?${query}` : path;
}
