import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { LRUCache } from 'lru-cache';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** A page as every reader gets it: the JSON once, and its compressed forms. */
export interface CachedPage {
  /** The thread's change cursor the page reflects: its ETag, and where live catch-up starts. */
  cursor: string;
  etag: string;
  builtAt: number;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export interface PageCacheOptions {
  /** Bound on the bytes held (all three forms of every page). */
  maxBytes: number;
  /** A hot thread's page is rebuilt at most this often; readers catch up through the live log. */
  minRebuildMs: number;
  /** No page is served older than this, even if a change signal from another process was lost. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Public thread pages, identical bytes for every reader, kept in memory already compressed.
 * A page is current while no change to its thread has been seen since it was built; changes
 * come from this process's domain events and, through the socket adapter, from other
 * processes (see noteChange). Concurrent misses for one page share one build.
 */
export class PageCache {
  private readonly pages: LRUCache<string, CachedPage>;
  /** The newest change cursor seen per thread (bounded: a thread forgotten here has no page either, or one within maxAgeMs). */
  private readonly latest = new LRUCache<string, bigint>({ max: 200_000 });
  private readonly building = new Map<string, Promise<CachedPage>>();
  private readonly now: () => number;

  constructor(private readonly options: PageCacheOptions) {
    this.now = options.now ?? Date.now;
    this.pages = new LRUCache<string, CachedPage>({
      maxSize: options.maxBytes,
      sizeCalculation: (p) => p.identity.length + p.gzip.length + p.br.length + 200,
    });
  }

  /** A change to a thread: its pages are stale from now on. */
  noteChange(threadId: string, cursor: string): void {
    const seen = this.latest.get(threadId);
    const next = BigInt(cursor);
    if (seen === undefined || next > seen) this.latest.set(threadId, next);
  }

  /** Forgets every page (a site setting changed what pages show, say). */
  clear(): void {
    this.pages.clear();
  }

  /**
   * The page for `key`. The first reader after a change waits for the rebuild; while it runs,
   * other readers get the stale page (younger than maxAgeMs) and catch up from its cursor:
   * under a burst of writes, reads do not queue behind them for the database.
   */
  async get(key: string, threadId: string, build: () => Promise<{ json: string; cursor: string }>): Promise<CachedPage> {
    const page = this.pages.get(key);
    if (page && this.isFresh(page, threadId)) return page;
    const running = this.building.get(key);
    if (running && page && this.now() - page.builtAt <= this.options.maxAgeMs) return page;
    if (running) return running;
    const pending = this.build(key, threadId, build).finally(() => this.building.delete(key));
    this.building.set(key, pending);
    return pending;
  }

  private isFresh(page: CachedPage, threadId: string): boolean {
    const age = this.now() - page.builtAt;
    if (age > this.options.maxAgeMs) return false;
    if (age < this.options.minRebuildMs) return true;
    const latest = this.latest.get(threadId);
    return latest === undefined || BigInt(page.cursor) >= latest;
  }

  private async build(key: string, threadId: string, build: () => Promise<{ json: string; cursor: string }>): Promise<CachedPage> {
    const builtAt = this.now();
    const { json, cursor } = await build();
    const identity = Buffer.from(json);
    const [gz, br] = await Promise.all([
      gzipAsync(identity, { level: 6 }),
      // Quality 5: most of brotli's gain at a small part of its top setting's cost.
      brotli(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    ]);
    const page: CachedPage = { cursor, etag: `"${cursor}"`, builtAt, identity, gzip: gz, br };
    this.noteChange(threadId, cursor);
    this.pages.set(key, page);
    return page;
  }
}
