/**
 * What becomes of each post of an export, decided from ids, parents and flags only (a few
 * bytes a post, never a body): written, written as a "[deleted]" placeholder, or skipped and
 * why; and for the written ones their depth, root and the pass ("round") that writes them.
 * Posts are numbered in file order.
 */

export type SkipReason =
  | 'spam-imported-hidden' | 'deleted' | 'orphan-parent' | 'orphan-thread' | 'thread-deleted' | 'thread-without-key'
  | 'no-id' | 'duplicate-id' | 'bad-date' | 'pingback';

const REASONS: SkipReason[] = ['spam-imported-hidden', 'deleted', 'orphan-parent', 'orphan-thread', 'thread-deleted', 'thread-without-key', 'no-id', 'duplicate-id', 'bad-date', 'pingback'];

/** What the first pass keeps of one post: no body, no author. */
export interface PostRef { sourceId: string; threadId: string; parentId: string | null; isDeleted: boolean; badDate: boolean; isPingback: boolean }

/**
 * The first pass's record of every post, a few typed-array bytes each, so that an export of
 * millions of posts plans in tens of megabytes: a source id that is a plain number is kept as a
 * number, any other is numbered through a map (rare: Disqus and WordPress ids are numbers).
 */
export class PostTable {
  count = 0;
  private ids = new Float64Array(1024);
  private parents = new Float64Array(1024);
  private threads = new Int32Array(1024);
  private flags = new Uint8Array(1024);
  private readonly threadIndex = new Map<string, number>();
  readonly threadIds: string[] = [];
  private readonly otherIds = new Map<string, number>();
  private readonly otherNames: string[] = [];

  /** A source id as a number: itself when it is a plain integer, else a negative stand-in. */
  private numberOf(id: string): number {
    const n = Number(id);
    if (Number.isSafeInteger(n) && n >= 0 && String(n) === id) return n;
    let other = this.otherIds.get(id);
    if (other === undefined) {
      other = -(this.otherNames.push(id));
      this.otherIds.set(id, other);
    }
    return other;
  }

  nameOf(id: number): string { return id >= 0 ? String(id) : this.otherNames[-id - 1]; }

  add(post: PostRef): void {
    if (this.count === this.ids.length) this.grow();
    const i = this.count++;
    this.ids[i] = post.sourceId ? this.numberOf(post.sourceId) : NaN;
    this.parents[i] = post.parentId ? this.numberOf(post.parentId) : NaN;
    let thread = this.threadIndex.get(post.threadId);
    if (thread === undefined) {
      thread = this.threadIds.push(post.threadId) - 1;
      this.threadIndex.set(post.threadId, thread);
    }
    this.threads[i] = thread;
    this.flags[i] = (post.isDeleted ? 1 : 0) | (post.badDate ? 2 : 0) | (post.isPingback ? 4 : 0);
  }

  private grow(): void {
    const size = this.ids.length * 2;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T) => { to.set(from); return to; };
    this.ids = copy(this.ids, new Float64Array(size));
    this.parents = copy(this.parents, new Float64Array(size));
    this.threads = copy(this.threads, new Int32Array(size));
    this.flags = copy(this.flags, new Uint8Array(size));
  }

  id(i: number): number { return this.ids[i]; }
  parentId(i: number): number { return this.parents[i]; }
  thread(i: number): number { return this.threads[i]; }
  threadIdOf(i: number): string { return this.threadIds[this.threads[i]]; }
  isDeleted(i: number): boolean { return (this.flags[i] & 1) !== 0; }
  badDate(i: number): boolean { return (this.flags[i] & 2) !== 0; }
  isPingback(i: number): boolean { return (this.flags[i] & 4) !== 0; }

  /** Post numbers sorted by id, for lookups by binary search (a map of millions of keys would weigh hundreds of MB). */
  sortedById(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    const ids = this.ids;
    order.sort((a, b) => (ids[a] - ids[b]) || (a - b));
    return order;
  }
}

export interface Plan {
  count: number;
  /** Passes over the file that write: 1 when every parent comes before its replies. */
  rounds: number;
  fate(i: number): { skipped: SkipReason | null; placeholder: boolean };
  sourceId(i: number): string;
  threadSourceId(i: number): string;
  /** The parent's number, -1 for a top-level post. */
  parent(i: number): number;
  root(i: number): number;
  depth(i: number): number;
  round(i: number): number;
}

const STORED = 0, PLACEHOLDER = 1, DELETED = 2, UNSET = 3, VISITING = 4, SKIP = 10;

export function planPosts(posts: PostTable, threadProblem: (threadSourceId: string) => SkipReason | null): Plan {
  const n = posts.count;
  const own = new Uint8Array(n); // 0: none, else SKIP + reason index
  const reason = (r: SkipReason) => SKIP + REASONS.indexOf(r);
  const order = posts.sortedById();
  // The first post of an id (in file order) owns it; later ones are duplicates.
  const find = (id: number): number => {
    let lo = 0, hi = n - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = posts.id(order[mid]);
      if (at < id) lo = mid + 1;
      else { if (at === id) found = order[mid]; hi = mid - 1; }
    }
    return found;
  };
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (Number.isNaN(posts.id(i))) own[i] = reason('no-id');
    else if (k > 0 && posts.id(order[k - 1]) === posts.id(i)) own[i] = reason('duplicate-id');
  }
  const problems = posts.threadIds.map((id) => threadProblem(id));
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const parentId = posts.parentId(i);
    const found = Number.isNaN(parentId) ? -1 : find(parentId);
    // A parent missing, or in another thread, leaves the reply without its place in a tree.
    parent[i] = found === -1 && !Number.isNaN(parentId) ? -2 : found >= 0 && posts.thread(found) !== posts.thread(i) ? -2 : found;
    if (own[i]) continue;
    const problem = problems[posts.thread(i)];
    if (posts.isPingback(i)) own[i] = reason('pingback');
    else if (problem) own[i] = reason(problem);
    else if (posts.badDate(i)) own[i] = reason('bad-date');
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
      else state[k] = posts.isDeleted(k) ? DELETED : STORED;
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
        // A parent later in the file is written one round earlier.
        round[k] = p > k ? round[p] + 1 : round[p];
      }
      rounds = Math.max(rounds, round[k] + 1);
    }
  }

  return {
    count: n,
    rounds,
    fate: (i) => ({ skipped: state[i] >= SKIP ? REASONS[state[i] - SKIP] : null, placeholder: state[i] === PLACEHOLDER }),
    sourceId: (i) => posts.nameOf(posts.id(i)),
    threadSourceId: (i) => posts.threadIdOf(i),
    parent: (i) => parent[i],
    root: (i) => root[i],
    depth: (i) => depth[i],
    round: (i) => round[i],
  };
}
