/**
 * The reader's session token for one Parley origin. It is kept in the host page's
 * storage (no third-party cookies) and sent as `Authorization: Bearer`.
 */
import { ApiError, requestJson, type RequestOptions } from './http.js';
import { readStored, storageKey, writeStored } from './storage.js';

export function readToken(origin: string): string | null {
  return readStored<string>(storageKey(origin, 'token'));
}

const listeners = new Set<() => void>();

export function saveToken(origin: string, token: string | null): void {
  const changed = readToken(origin) !== token;
  writeStored(storageKey(origin, 'token'), token);
  if (changed) listeners.forEach((listener) => listener());
}

/** Live updates reconnect under a new identity (a guest's first post) to get its private events. */
export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A request as the reader: their token goes along; a guest session the answer carries is
 * kept; a token the server no longer knows is dropped and the request made again as a stranger.
 */
export async function requestAsReader<T>(origin: string, url: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
  const token = readToken(origin);
  try {
    const result = await requestJson<T>(url, { ...options, token });
    const session = (result as { session?: { token?: string } } | null)?.session;
    if (session?.token) saveToken(origin, session.token);
    return result;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401 && token)) throw error;
    saveToken(origin, null);
    return requestAsReader<T>(origin, url, options);
  }
}
