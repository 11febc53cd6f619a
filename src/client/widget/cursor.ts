/** Live-update cursors are decimal strings of a bigint (too large for a number): compare by length, then digit by digit. */
export function compareCursors(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
