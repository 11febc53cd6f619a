/**
 * What the widget remembers in this browser, per Parley origin: the guest's name and
 * email, and the markdown source of comments the reader posted here. The API returns
 * only rendered HTML, so the source is what the edit box starts from. Which comments
 * are the reader's is the server's word (the overlay), never this.
 */
import { readStored, storageKey, writeStored } from '../common/storage.js';

export interface GuestIdentity {
  name: string;
  email: string;
}

interface StoredSource {
  /** markdown body */
  b: string;
  /** when it was stored (ms), to forget old entries */
  t: number;
}

/** Long past any edit window; keeps storage small on sites where the reader comments a lot. */
const SOURCE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function readGuest(origin: string): GuestIdentity | null {
  return readStored<GuestIdentity>(storageKey(origin, 'guest'));
}

export function saveGuest(origin: string, guest: GuestIdentity): void {
  writeStored(storageKey(origin, 'guest'), guest);
}

function readSources(origin: string): Record<string, StoredSource> {
  return readStored<Record<string, StoredSource>>(storageKey(origin, 'sources')) ?? {};
}

export function saveSource(origin: string, commentId: string, body: string): void {
  const now = Date.now();
  const sources = readSources(origin);
  for (const id of Object.keys(sources)) {
    if (now - sources[id].t > SOURCE_TTL_MS) delete sources[id];
  }
  sources[commentId] = { b: body, t: now };
  writeStored(storageKey(origin, 'sources'), sources);
}

export function readSource(origin: string, commentId: string): string | null {
  return readSources(origin)[commentId]?.b ?? null;
}

export function forgetSource(origin: string, commentId: string): void {
  const sources = readSources(origin);
  delete sources[commentId];
  writeStored(storageKey(origin, 'sources'), sources);
}


/** Most comments one reader folds in one thread that are remembered. */
const MAX_COLLAPSED = 200;

/** The comments the reader folded away in a thread, remembered across visits. */
export function readCollapsed(origin: string, threadId: string): string[] {
  return readStored<string[]>(storageKey(origin, `collapsed:${threadId}`)) ?? [];
}

export function saveCollapsed(origin: string, threadId: string, ids: string[]): void {
  writeStored(storageKey(origin, `collapsed:${threadId}`), ids.length ? ids.slice(-MAX_COLLAPSED) : null);
}

/** What the reader was writing in a thread's comment box (or a reply box), kept across reloads. */
const draftKey = (origin: string, threadId: string, parentId: string | null) => storageKey(origin, `draft:${threadId}:${parentId ?? ''}`);

export function readDraft(origin: string, threadId: string, parentId: string | null): string {
  const draft = readStored<StoredSource>(draftKey(origin, threadId, parentId));
  return draft && Date.now() - draft.t < SOURCE_TTL_MS ? draft.b : '';
}

export function saveDraft(origin: string, threadId: string, parentId: string | null, body: string): void {
  writeStored(draftKey(origin, threadId, parentId), body.trim() ? { b: body, t: Date.now() } : null);
}
