/**
 * The reader's session token for one Parley origin. It is kept in the host page's
 * storage (no third-party cookies) and sent as `Authorization: Bearer`.
 */
import { readStored, storageKey, writeStored } from './storage.js';

export function readToken(origin: string): string | null {
  return readStored<string>(storageKey(origin, 'token'));
}

export function saveToken(origin: string, token: string | null): void {
  writeStored(storageKey(origin, 'token'), token);
}
