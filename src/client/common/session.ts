/**
 * The reader's session token for one Parley origin. It is kept in the host page's
 * storage (no third-party cookies) and sent as `Authorization: Bearer`.
 */
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
