/**
 * Where a sign-in flow may send the reader afterwards: a path on Parley's own origin, nothing
 * else. "//evil.example", "/\\evil.example", "https://evil.example" and "javascript:" all fail,
 * so no link of ours can be made to redirect off-site.
 */
export function safeReturnTo(value: unknown, ownOrigin: string): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  try {
    const url = new URL(value, ownOrigin);
    return url.origin === ownOrigin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}
