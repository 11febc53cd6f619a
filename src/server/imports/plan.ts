/**
 * What becomes of each post of an export, decided from ids, parents and flags only (a few
 * bytes a post, never a body): written, written as a "[deleted]" placeholder, or skipped and
 * why; and for the written ones their depth, root and the pass ("round") that writes them.
 * Posts are numbered in file order.
 */

export type SkipReason =
  | 'spam-imported-hidden' | 'deleted' | 'orphan-parent' | 'orphan-thread' | 'thread-deleted' | 'thread-without-key'
  | 'no-id' | 'duplicate-id' | 'bad-date';

const REASONS: SkipReason[] = ['spam-imported-hidden', 'deleted', 'orphan-parent', 'orphan-thread', 'thread-deleted', 'thread-without-key', 'no-id', 'duplicate-id', 'bad-date'];

export interface PostRef { dsqId: string; threadId: string; parentId: string | null; isDeleted: boolean; badDate: boolean }

export interface Plan {
  count: number;
  /** Passes over the file that write: 1 when every parent comes before its replies. */
  rounds: number;
  fate(i: number): { skipped: SkipReason | null; placeholder: boolean };
  dsqId(i: number): string;
  /** The parent's number, -1 for a top-level post. */
  parent(i: number): number;
  root(i: number): number;
  depth(i: number): number;
  round(i: number): number;
}

const STORED = 0, PLACEHOLDER = 1, DELETED = 2, UNSET = 3, VISITING = 4, SKIP = 10;

export function planPosts(posts: PostRef[], threadProblem: (threadDsqId: string) => SkipReason | null): Plan {
  const n = posts.length;
  const index = new Map<string, number>();
  const dsqIds: string[] = new Array(n);
  const own = new Uint8Array(n); // 0: none, else SKIP + reason index
  const reason = (r: SkipReason) => SKIP + REASONS.indexOf(r);
  for (let i = 0; i < n; i++) {
    const p = posts[i];
    dsqIds[i] = p.dsqId;
    if (!p.dsqId) own[i] = reason('no-id');
    else if (index.has(p.dsqId)) own[i] = reason('duplicate-id');
    else index.set(p.dsqId, i);
  }
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = posts[i];
    const found = p.parentId ? index.get(p.parentId) : -1;
    // A parent missing, or in another thread, leaves the reply without its place in a tree.
    parent[i] = found === undefined || (found >= 0 && posts[found].threadId !== p.threadId) ? -2 : found;
    if (own[i]) continue;
    const problem = threadProblem(p.threadId);
    if (problem) own[i] = reason(problem);
    else if (p.badDate) own[i] = reason('bad-date');
    else if (parent[i] === -2) own[i] = reason('orphan-parent');
  }

  // Tentative states, ancestors first (iteratively: a chain may be deep, or a cycle).
  const state = new Uint8Array(n).fill(UNSET);
  const chain: number[] = [];
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j >= 0 && state[j] === UNSET) { state[j] = VISITING; chain.push(j); j = parent[j]; }
    let above = j >= 0 ? state[j] : STORED; // VISITING here means a cycle
    while (chain.length > 0) {
      const k = chain.pop()!;
      if (own[k]) state[k] = own[k];
      else if (above >= SKIP || above === VISITING) state[k] = reason('orphan-parent');
      else state[k] = posts[k].isDeleted ? DELETED : STORED;
      above = state[k];
    }
  }
  // A deleted post stays, as a placeholder, when something written hangs below it.
  for (let i = 0; i < n; i++) {
    if (state[i] !== STORED) continue;
    for (let p = parent[i]; p >= 0 && state[p] === DELETED; p = parent[p]) state[p] = PLACEHOLDER;
  }
  for (let i = 0; i < n; i++) if (state[i] === DELETED) state[i] = reason('deleted');

  const depth = new Int32Array(n), root = new Int32Array(n), round = new Int32Array(n).fill(-1);
  let rounds = 0;
  for (let i = 0; i < n; i++) {
    if (state[i] >= SKIP) continue;
    let j = i;
    while (j >= 0 && round[j] === -1) { chain.push(j); j = parent[j]; }
    while (chain.length > 0) {
      const k = chain.pop()!;
      const p = parent[k];
      if (p < 0) { depth[k] = 0; root[k] = k; round[k] = 0; } else {
        depth[k] = depth[p] + 1; root[k] = root[p];
        // A parent later in the file is written one pass earlier.
        round[k] = p > k ? round[p] + 1 : round[p];
      }
      rounds = Math.max(rounds, round[k] + 1);
    }
  }

  return {
    count: n,
    rounds,
    fate: (i) => ({ skipped: state[i] >= SKIP ? REASONS[state[i] - SKIP] : null, placeholder: state[i] === PLACEHOLDER }),
    dsqId: (i) => dsqIds[i],
    parent: (i) => parent[i],
    root: (i) => root[i],
    depth: (i) => depth[i],
    round: (i) => round[i],
  };
}
