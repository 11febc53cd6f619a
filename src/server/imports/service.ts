import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { threads } from '../db/schema.js';
import { getSiteBySlug, type Site } from '../sites/service.js';
import { threadKeyForUrl } from '../threads/keys.js';
import { hashIp } from '../limits/service.js';
import { readDisqus } from './disqus.js';
import { readWordPress } from './wordpress.js';
import { messageToBody } from './message.js';
import { planPosts, PostTable, type Plan, type SkipReason } from './plan.js';
import { alreadyDone, openRun, recordThreadsCreated, finishRun, withImportLock, type Checkpoint } from './checkpoint.js';
import { writeBatch, type CommentRow } from './write.js';
import type { SourcePost, SourceReader, SourceThread } from './source.js';

/**
 * Imports an export file into a site. The file is read twice, never held: a first pass keeps
 * only ids, parents and flags (a few bytes a post) to decide each post's fate, depth and root;
 * a second writes bodies in batches, one transaction each, with the checkpoint that lets a killed
 * run resume. A reply that comes before its parent in the file is set aside on disk and written
 * in a later round, once its parent is in.
 */

export type ImportFormat = 'disqus' | 'wordpress';
const READERS: Record<ImportFormat, SourceReader> = { disqus: readDisqus, wordpress: readWordPress };

export interface ImportProgress {
  /** 1: planning (ids only), 2: writing, 3: writing replies that came before their parents. */
  pass: 1 | 2 | 3;
  postsRead: number;
  /** Posts in the file, once pass 1 has counted them. */
  postsInFile: number | null;
  postsWritten: number;
}

export interface ImportInput {
  format: ImportFormat;
  siteSlug: string;
  /** Opens the export from its start: called once per pass. */
  open: () => Readable;
  dryRun?: boolean;
  /** Old link prefixes rewritten before keys are made (another domain, http to https, a path prefix). */
  mapUrl?: Array<{ from: string; to: string }>;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ReportSkip { id: string; reason: SkipReason }
export interface ThreadReport {
  key: string;
  title: string | null;
  url: string | null;
  /** The source's thread ids merged into this thread (several links can normalise to one key). */
  sourceIds: string[];
  inFile: number;
  /** Rows written by this run (live comments and deleted placeholders; spam is counted in skipped). */
  imported: number;
  /** Posts an earlier import already wrote. */
  alreadyPresent: number;
  skipped: ReportSkip[];
}
export interface ImportReport {
  format: ImportFormat;
  dryRun: boolean;
  /** This run took up an interrupted run of the same file where it stopped. */
  resumed: boolean;
  threads: ThreadReport[];
  /** Threads of the file that were not imported, and why. */
  threadsSkipped: Array<{ id: string; reason: 'deleted' | 'no-key' }>;
  /** Posts whose thread is missing or not imported. */
  postsWithoutThread: Array<{ id: string; threadId: string; reason: SkipReason }>;
  totals: {
    threadsInFile: number; threadsCreated: number; postsInFile: number; imported: number; alreadyPresent: number;
    skipped: number; byReason: Partial<Record<SkipReason, number>>;
  };
  /** Rounds of writing: 1 when every parent comes before its replies in the file. */
  rounds: number;
}

/** The same source post on the same site always gets the same row id: parents are known before they are written. */
export function importedCommentId(siteId: string, origin: string, sourceId: string): string {
  const h = createHash('sha256').update(`${siteId}\0${origin}\0${sourceId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function rewriteLink(link: string, mapUrl: ImportInput['mapUrl'] = []): string {
  for (const { from, to } of mapUrl) if (link.startsWith(from)) return to + link.slice(from.length);
  return link;
}

function keyFor(identifier: string, link: string, site: Site): string | null {
  if (identifier) return identifier;
  if (!/^https?:\/\//i.test(link)) return null;
  try { return threadKeyForUrl(link, site.significantQueryParams); } catch { return null; }
}

type ThreadInfo = Omit<SourceThread, 'kind' | 'sourceId' | 'identifier' | 'link'> & { key: string | null; url: string };

/** Pass 1: threads whole (few), posts as ids and flags; and the fingerprint of the bytes read. */
async function planFile(input: ImportInput, site: Site, report: (p: ImportProgress) => void) {
  const threadInfo = new Map<string, ThreadInfo>();
  const posts = new PostTable();
  const hash = createHash('sha256').update(`${input.format}\0${JSON.stringify(input.mapUrl ?? [])}\0`);
  const hashing = new PassThrough();
  hashing.on('data', (chunk: Buffer) => hash.update(chunk));
  const source = input.open();
  source.on('error', (err) => hashing.destroy(err));
  for await (const item of READERS[input.format](source.pipe(hashing), { bodies: false })) {
    if (item.kind === 'thread') {
      if (threadInfo.has(item.sourceId)) continue;
      const url = rewriteLink(item.link, input.mapUrl);
      threadInfo.set(item.sourceId, { key: keyFor(item.identifier, url, site), title: item.title, url, createdAt: item.createdAt, isClosed: item.isClosed, isDeleted: item.isDeleted });
    } else {
      posts.add({ sourceId: item.sourceId, threadId: item.threadId, parentId: item.parentId, isDeleted: item.isDeleted, badDate: item.createdAt === null, isPingback: item.isPingback ?? false });
      if (posts.count % 10_000 === 0) report({ pass: 1, postsRead: posts.count, postsInFile: null, postsWritten: 0 });
    }
  }
  report({ pass: 1, postsRead: posts.count, postsInFile: posts.count, postsWritten: 0 });
  const plan = planPosts(posts, (threadId) => {
    const t = threadInfo.get(threadId);
    if (!t) return 'orphan-thread';
    if (t.isDeleted) return 'thread-deleted';
    return t.key ? null : 'thread-without-key';
  });
  return { threadInfo, plan, fingerprint: hash.digest('hex') };
}

export async function importComments(deps: Deps, input: ImportInput): Promise<ImportReport> {
  const site = await getSiteBySlug(deps, input.siteSlug);
  if (input.dryRun) return runImport(deps, input, site);
  return withImportLock(deps.db, site.id, () => runImport(deps, input, site));
}

async function runImport(deps: Deps, input: ImportInput, site: Site): Promise<ImportReport> {
  const dryRun = input.dryRun ?? false;
  const batchSize = input.batchSize ?? 1000;
  const origin = input.format;
  const onProgress = input.onProgress ?? (() => {});
  const { threadInfo, plan, fingerprint } = await planFile(input, site, onProgress);
  const checkpoint = dryRun ? null : await openRun(deps.db, site.id, origin, fingerprint);

  const report: ImportReport = {
    format: origin, dryRun, resumed: checkpoint?.resumed ?? false, threads: [], threadsSkipped: [], postsWithoutThread: [],
    totals: { threadsInFile: threadInfo.size, threadsCreated: checkpoint?.threadsCreated ?? 0, postsInFile: plan.count, imported: 0, alreadyPresent: 0, skipped: 0, byReason: {} },
    rounds: Math.max(plan.rounds, 1),
  };
  const threadsOut = await writeThreads(deps, input, site, threadInfo, report, checkpoint, batchSize);
  const { byKey, keyOfSourceThread, threadIdOfKey } = threadsOut;
  const reportOfThreadId = new Map([...threadIdOfKey].map(([key, id]) => [id, byKey.get(key)!]));
  const counts = checkpoint?.counts ?? new Map<string, [number, number]>();

  const skip = (id: string, threadSourceId: string, reason: SkipReason) => {
    report.totals.skipped++;
    report.totals.byReason[reason] = (report.totals.byReason[reason] ?? 0) + 1;
    const key = keyOfSourceThread.get(threadSourceId);
    if (key) byKey.get(key)!.skipped.push({ id, reason });
    else report.postsWithoutThread.push({ id, threadId: threadSourceId, reason });
  };

  // One batch in flight while the next is read and sanitized: the database and the parser overlap.
  let inFlight: Promise<void> = Promise.resolve();
  let written = 0;
  const flush = async (rows: CommentRow[], round: number, postsDone: number) => {
    await inFlight;
    // An empty batch only moves the checkpoint, and never back (a resumed run passes rounds it finished).
    if (rows.length === 0 && (!checkpoint || alreadyDone(checkpoint, round, postsDone - 1))) return;
    inFlight = writeBatch(deps, { siteId: site.id, origin, rows, dryRun, checkpoint, round, postsDone, counts }).then((n) => { written += n; });
  };

  const deletedAt = checkpoint?.startedAt ?? deps.now();
  const rowOf = (post: SourcePost, i: number): CommentRow => commentRow(deps, site, origin, post, plan, i, threadIdOfKey.get(keyOfSourceThread.get(post.threadId)!)!, deletedAt);

  // Pass 2: every post's tally, round 0 written, later rounds set aside on disk in file order.
  const spill = new Spill();
  try {
    let batch: CommentRow[] = [];
    let index = 0;
    for await (const item of READERS[input.format](input.open(), { bodies: true })) {
      if (item.kind !== 'post') continue;
      const i = index++;
      if (i % 10_000 === 0) onProgress({ pass: 2, postsRead: i, postsInFile: plan.count, postsWritten: written });
      const fate = plan.fate(i);
      const key = keyOfSourceThread.get(item.threadId);
      if (key) byKey.get(key)!.inFile++;
      if (fate.skipped) { skip(plan.sourceId(i), item.threadId, fate.skipped); continue; }
      if (item.isSpam && !fate.placeholder) skip(plan.sourceId(i), item.threadId, 'spam-imported-hidden');
      const round = plan.round(i);
      if (round > 0) {
        if (!checkpoint || checkpoint.round <= round) await spill.add(round, rowOf(item, i));
        continue;
      }
      if (checkpoint && alreadyDone(checkpoint, 0, i)) continue;
      batch.push(rowOf(item, i));
      if (batch.length >= batchSize) { await flush(batch, 0, i + 1); batch = []; }
    }
    await flush(batch, 0, plan.count);
    await inFlight;
    onProgress({ pass: 2, postsRead: index, postsInFile: plan.count, postsWritten: written });

    for (let round = 1; round < plan.rounds; round++) {
      batch = [];
      let position = 0;
      for await (const row of spill.read(round)) {
        const at = position++;
        if (checkpoint && alreadyDone(checkpoint, round, at)) continue;
        batch.push(row);
        if (batch.length >= batchSize) { await flush(batch, round, at + 1); batch = []; }
      }
      await flush(batch, round, position);
      await inFlight;
      onProgress({ pass: 3, postsRead: position, postsInFile: plan.count, postsWritten: written });
    }
    await inFlight;
  } finally {
    await inFlight.catch(() => {});
    spill.remove();
  }

  for (const [threadId, [imported, present]] of counts) {
    const entry = reportOfThreadId.get(threadId);
    if (!entry) continue;
    entry.imported = imported;
    entry.alreadyPresent = present;
    report.totals.imported += imported;
    report.totals.alreadyPresent += present;
  }
  report.threads = [...byKey.values()];
  if (checkpoint) await finishRun(deps.db, checkpoint, report);
  return report;
}

/** One Parley thread per key (several source threads may share one), created unless present. */
async function writeThreads(
  deps: Deps, input: ImportInput, site: Site, threadInfo: Map<string, ThreadInfo>, report: ImportReport, checkpoint: Checkpoint | null, batchSize: number,
) {
  const byKey = new Map<string, ThreadReport>();
  const keyOfSourceThread = new Map<string, string>();
  const wanted: Array<typeof threads.$inferInsert> = [];
  for (const [sourceId, t] of threadInfo) {
    if (t.isDeleted || !t.key) { report.threadsSkipped.push({ id: sourceId, reason: t.isDeleted ? 'deleted' : 'no-key' }); continue; }
    keyOfSourceThread.set(sourceId, t.key);
    const existing = byKey.get(t.key);
    if (existing) { existing.sourceIds.push(sourceId); continue; }
    byKey.set(t.key, { key: t.key, title: t.title || null, url: t.url || null, sourceIds: [sourceId], inFile: 0, imported: 0, alreadyPresent: 0, skipped: [] });
    wanted.push({
      siteId: site.id, key: t.key, url: t.url || null, title: t.title || null, status: t.isClosed ? 'closed' : 'open',
      createdAt: t.createdAt ?? undefined, importOrigin: input.format, importId: sourceId,
    });
  }
  threadInfo.clear();
  const threadIdOfKey = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += batchSize) {
    const chunk = wanted.slice(i, i + batchSize);
    const keys = chunk.map((t) => t.key);
    if (checkpoint) {
      const created = await deps.db.insert(threads).values(chunk).onConflictDoNothing().returning({ id: threads.id });
      if (created.length > 0) await recordThreadsCreated(deps.db, checkpoint, created.length);
    }
    const rows = await deps.db.select({ id: threads.id, key: threads.key }).from(threads).where(and(eq(threads.siteId, site.id), inArray(threads.key, keys)));
    for (const row of rows) threadIdOfKey.set(row.key, row.id);
    if (!checkpoint) {
      report.totals.threadsCreated += chunk.length - rows.length;
      for (const key of keys) if (!threadIdOfKey.has(key)) threadIdOfKey.set(key, `dry-run:${key}`);
    }
  }
  if (checkpoint) report.totals.threadsCreated = checkpoint.threadsCreated;
  return { byKey, keyOfSourceThread, threadIdOfKey };
}

function commentRow(deps: Deps, site: Site, origin: string, post: SourcePost, plan: Plan, i: number, threadId: string, deletedAt: Date): CommentRow {
  const placeholder = plan.fate(i).placeholder;
  const body = placeholder ? { source: '', html: '' } : messageToBody(post.message, { paragraphsByBlankLines: post.paragraphsByBlankLines });
  const parent = plan.parent(i);
  return {
    id: importedCommentId(site.id, origin, post.sourceId), siteId: site.id, threadId,
    parentId: parent === -1 ? null : importedCommentId(site.id, origin, plan.sourceId(parent)),
    rootId: importedCommentId(site.id, origin, plan.sourceId(plan.root(i))),
    depth: plan.depth(i),
    authorName: post.author.name || post.author.username || 'Anonymous',
    authorEmail: post.author.email,
    bodySource: body.source, bodyHtml: body.html,
    status: placeholder ? 'deleted' : post.isSpam ? 'spam' : post.isApproved ? 'approved' : 'pending',
    ipHash: post.ipAddress ? hashIp(deps.secret, post.ipAddress) : null,
    createdAt: post.createdAt!.toISOString(),
    deletedAt: placeholder ? deletedAt.toISOString() : null,
    importId: post.sourceId,
  };
}

/** Rows of later rounds, one JSON line each in a file per round, read back in the order written. */
class Spill {
  private dir: string | null = null;
  private readonly files = new Map<number, WriteStream>();

  async add(round: number, row: CommentRow): Promise<void> {
    this.dir ??= mkdtempSync(path.join(tmpdir(), 'parley-import-'));
    let file = this.files.get(round);
    if (!file) { file = createWriteStream(path.join(this.dir, `round-${round}.jsonl`)); this.files.set(round, file); }
    if (!file.write(`${JSON.stringify(row)}\n`)) await once(file, 'drain');
  }

  async *read(round: number): AsyncGenerator<CommentRow> {
    const file = this.files.get(round);
    if (!file || !this.dir) return;
    if (!file.writableFinished) { file.end(); await once(file, 'finish'); }
    const lines = createInterface({ input: createReadStream(path.join(this.dir, `round-${round}.jsonl`)), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield JSON.parse(line) as CommentRow;
  }

  remove(): void {
    for (const file of this.files.values()) file.destroy();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The Disqus import, as the tests and the first CLI call it. */
export const importDisqus = (deps: Deps, input: Omit<ImportInput, 'format'>) => importComments(deps, { ...input, format: 'disqus' });
