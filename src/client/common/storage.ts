/**
 * localStorage that never throws: storage can be disabled, full, or blocked in a
 * third-party context (Safari private mode, strict cookie settings), and the widget
 * must keep working without it.
 */

export function readStored<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage unavailable: the value lives only as long as the page */
  }
}

/** Keys are namespaced by the Parley origin: one host page may embed two Parley servers. */
export function storageKey(origin: string, name: string): string {
  return `parley:${origin}:${name}`;
}
