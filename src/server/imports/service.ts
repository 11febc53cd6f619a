import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Tx } from '../db/index.js';
import { comments, threads } from '../db/schema.js';
import { getSiteBySlug, type Site } from '../sites/service.js';
import { threadKeyForUrl } from '../threads/keys.js';
import { hashIp } from '../limits/service.js';
import { readDisqus, type DisqusPost } from './disqus.js';
import { messageToBody } from './message.js';
import { planPosts, type Plan, type SkipReason } from './plan.js';

/**
 * The Disqus import. The file is read twice or more, never held: a first pass keeps only ids,
 * parents and flags (a few bytes a post) to decide each post's fate, depth and root; then one
 * pass per "round" writes bodies in batches. A reply that comes before its parent in the file
 * waits for the next round, so every batch inserts parents before (or with) their replies.
 */

export interface ImportDisqusInput {
  siteSlug: string;
  /** Opens the export from its start: called once per pass. */
  open: () => Readable;
  dryRun?: boolean;
  /** Old link prefixes rewritten before keys are made (another domain, http to https, a path prefix). */
  mapUrl?: Array<{ from: string; to: string }>;
  batchSize?: number;
  onProgress?: (progress: { pass: number; postsRead: number }) => void;
}

export interface ReportSkip { dsqId: string; reason: SkipReason }
export interface ThreadReport {
  key: string;
  title: string | null;
  url: string | null;
  /** Disqus thread ids merged into this thread (several links can normalise to one key). */
  dsqIds: string[];
  inFile: number;
  /** Rows written by this run (live comments and deleted placeholders; spam is counted in skipped). */
  imported: number;
  /** Posts an earlier import already wrote. */
  alreadyPresent: number;
  skipped: ReportSkip[];
}
export interface ImportReport {
  dryRun: boolean;
  threads: ThreadReport[];
  /** Threads of the file that were not imported, and why. */
  threadsSkipped: Array<{ dsqId: string; reason: 'deleted' | 'no-key' }>;
  /** Posts whose thread is missing or not imported. */
  postsWithoutThread: Array<{ dsqId: string; threadDsqId: string; reason: SkipReason }>;
  totals: {
    threadsInFile: number; threadsCreated: number; postsInFile: number; imported: number; alreadyPresent: number;
    skipped: number; byReason: Partial<Record<SkipReason, number>>;
  };
  passes: number;
}

const ORIGIN = 'disqus';

/**
 * A copy of a short string that does not share the parser's chunk: V8 keeps a slice's whole
 * parent string alive, so ids kept from every post would otherwise keep the whole file in memory.
 */
const detach = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/** The same Disqus post on the same site always gets the same row id: parents are known before they are written. */
export function importedCommentId(siteId: string, dsqId: string): string {
  const h = createHash('sha256').update(`${siteId}\0${ORIGIN}\0${dsqId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function rewriteLink(link: string, mapUrl: ImportDisqusInput['mapUrl'] = []): string {
  for (const { from, to } of mapUrl) if (link.startsWith(from)) return to + link.slice(from.length);
  return link;
}

function keyFor(identifier: string, link: string, site: Site): string | null {
  if (identifier) return identifier;
  if (!/^https?:\/\//i.test(link)) return null;
  try { return threadKeyForUrl(link, site.significantQueryParams); } catch { return null; }
}

export async function importDisqus(deps: Deps, input: ImportDisqusInput): Promise<ImportReport> {
  const site = await getSiteBySlug(deps, input.siteSlug);
  const dryRun = input.dryRun ?? false;
  const batchSize = input.batchSize ?? 1000;
  const progress = input.onProgress ?? (() => {});

  // Pass 1: threads whole (few), posts as ids and flags only.
  const threadInfo = new Map<string, { key: string | null; title: string; url: string; createdAt: Date | null; isClosed: boolean; isDeleted: boolean }>();
  const postRefs: Array<Pick<DisqusPost, 'dsqId' | 'threadId' | 'parentId' | 'isDeleted' | 'isSpam'> & { badDate: boolean }> = [];
  let read = 0;
  for await (const item of readDisqus(input.open(), { bodies: false })) {
    if (item.kind === 'thread') {
      const url = rewriteLink(item.link, input.mapUrl);
      if (!threadInfo.has(item.dsqId)) {
        threadInfo.set(item.dsqId, { key: keyFor(item.identifier, url, site), title: item.title, url, createdAt: item.createdAt, isClosed: item.isClosed, isDeleted: item.isDeleted });
      }
    } else if (item.kind === 'post') {
      postRefs.push({
        dsqId: detach(item.dsqId), threadId: detach(item.threadId), parentId: item.parentId === null ? null : detach(item.parentId),
        isDeleted: item.isDeleted, isSpam: item.isSpam, badDate: item.createdAt === null,
      });
      if (++read % 50_000 === 0) progress({ pass: 1, postsRead: read });
    }
  }
  progress({ pass: 1, postsRead: read });

  const threadOk = (dsqId: string): SkipReason | null => {
    const t = threadInfo.get(dsqId);
    if (!t) return 'orphan-thread';
    if (t.isDeleted) return 'thread-deleted';
    return t.key ? null : 'thread-without-key';
  };
  const plan = planPosts(postRefs, threadOk);
  postRefs.length = 0;

  // Threads: one Parley thread per key (several Disqus threads may share one).
  const report: ImportReport = {
    dryRun, threads: [], threadsSkipped: [], postsWithoutThread: [],
    totals: { threadsInFile: threadInfo.size, threadsCreated: 0, postsInFile: plan.count, imported: 0, alreadyPresent: 0, skipped: 0, byReason: {} },
    passes: 1 + Math.max(plan.rounds, 1),
  };
  const byKey = new Map<string, ThreadReport>();
  const keyOfDsqThread = new Map<string, string>();
  const wanted: Array<typeof threads.$inferInsert> = [];
  for (const [dsqId, t] of threadInfo) {
    if (t.isDeleted || !t.key) { report.threadsSkipped.push({ dsqId, reason: t.isDeleted ? 'deleted' : 'no-key' }); continue; }
    keyOfDsqThread.set(dsqId, t.key);
    const existing = byKey.get(t.key);
    if (existing) { existing.dsqIds.push(dsqId); continue; }
    byKey.set(t.key, { key: t.key, title: t.title || null, url: t.url || null, dsqIds: [dsqId], inFile: 0, imported: 0, alreadyPresent: 0, skipped: [] });
    wanted.push({
      siteId: site.id, key: t.key, url: t.url || null, title: t.title || null, status: t.isClosed ? 'closed' : 'open',
      createdAt: t.createdAt ?? undefined, importOrigin: ORIGIN, importId: dsqId,
    });
  }
  threadInfo.clear();
  const threadIdOfKey = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += batchSize) {
    const chunk = wanted.slice(i, i + batchSize);
    const keys = chunk.map((t) => t.key);
    if (!dryRun) {
      const created = await deps.db.insert(threads).values(chunk).onConflictDoNothing().returning({ id: threads.id });
      report.totals.threadsCreated += created.length;
    }
    const rows = await deps.db.select({ id: threads.id, key: threads.key }).from(threads).where(and(eq(threads.siteId, site.id), inArray(threads.key, keys)));
    for (const row of rows) threadIdOfKey.set(row.key, row.id);
    if (dryRun) {
      report.totals.threadsCreated += chunk.length - rows.length;
      for (const key of keys) if (!threadIdOfKey.has(key)) threadIdOfKey.set(key, `dry-run:${key}`);
    }
  }
  const reportOfThreadId = new Map([...threadIdOfKey].map(([key, id]) => [id, byKey.get(key)!]));

  const skip = (post: { dsqId: string; threadId: string }, reason: SkipReason) => {
    report.totals.skipped++;
    report.totals.byReason[reason] = (report.totals.byReason[reason] ?? 0) + 1;
    const key = keyOfDsqThread.get(post.threadId);
    if (key) byKey.get(key)!.skipped.push({ dsqId: post.dsqId, reason });
    else report.postsWithoutThread.push({ dsqId: post.dsqId, threadDsqId: post.threadId, reason });
  };

  // Passes 2..: bodies, in rounds, in batches of one transaction each.
  let batch: Array<typeof comments.$inferInsert> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const ids = rows.map((r) => r.importId!);
    let written: Array<{ importId: string | null; threadId: string; status: string }>;
    if (dryRun) {
      const present = new Set((await deps.db.select({ importId: comments.importId }).from(comments)
        .where(and(eq(comments.siteId, site.id), eq(comments.importOrigin, ORIGIN), inArray(comments.importId, ids)))).map((r) => r.importId));
      written = rows.filter((r) => !present.has(r.importId!)).map((r) => ({ importId: r.importId!, threadId: r.threadId, status: r.status }));
    } else {
      written = await deps.db.transaction(async (tx) => {
        const inserted = await insertRows(tx, rows);
        const counts = new Map<string, number>();
        for (const r of inserted) if (r.status === 'approved') counts.set(r.threadId, (counts.get(r.threadId) ?? 0) + 1);
        if (counts.size > 0) {
          await tx.execute(sql`update threads t set comment_count = t.comment_count + v.n
            from unnest(${sql.param([...counts.keys()])}::uuid[], ${sql.param([...counts.values()])}::int[]) as v(id, n) where t.id = v.id`);
        }
        return inserted;
      });
    }
    const fresh = new Set(written.map((r) => r.importId));
    for (const row of rows) {
      const entry = reportOfThreadId.get(row.threadId)!;
      if (!fresh.has(row.importId!)) { entry.alreadyPresent++; report.totals.alreadyPresent++; continue; }
      if (row.status === 'spam') { skip({ dsqId: row.importId!, threadId: entry.dsqIds[0] }, 'spam-imported-hidden'); continue; }
      entry.imported++;
      report.totals.imported++;
    }
  };

  // With nothing to write, one pass still counts and reports every post.
  for (let round = 0; round < Math.max(plan.rounds, 1); round++) {
    let index = 0;
    for await (const item of readDisqus(input.open(), { bodies: plan.rounds > 0 })) {
      if (item.kind !== 'post') continue;
      const i = index++;
      if ((i + 1) % 50_000 === 0) progress({ pass: round + 2, postsRead: i + 1 });
      const fate = plan.fate(i);
      if (round === 0) {
        const key = keyOfDsqThread.get(item.threadId);
        if (key) byKey.get(key)!.inFile++;
        if (fate.skipped) skip(item, fate.skipped);
      }
      if (fate.skipped || plan.round(i) !== round) continue;
      batch.push(rowOf(deps, site, item, plan, i, threadIdOfKey.get(keyOfDsqThread.get(item.threadId)!)!));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    progress({ pass: round + 2, postsRead: index });
  }
  report.threads = [...byKey.values()];
  return report;
}

/**
 * One statement per batch, its columns as arrays (unnest): a few parameters instead of twenty
 * per row, which PostgreSQL parses several times faster than a many-row VALUES list.
 */
async function insertRows(tx: Tx, rows: Array<typeof comments.$inferInsert>): Promise<Array<{ importId: string | null; threadId: string; status: string }>> {
  const column = <T>(pick: (row: typeof comments.$inferInsert) => T) => sql.param(rows.map(pick));
  const result = await tx.execute<{ import_id: string; thread_id: string; status: string }>(sql`
    insert into comments (id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, author_is_guest,
                          body_source, body_html, status, moderation_reasons, ip_hash, created_at, deleted_at, import_origin, import_id)
    select id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, true,
           body_source, body_html, status, case when status = 'spam' then array['disqus-spam'] else '{}'::text[] end,
           ip_hash, created_at, deleted_at, ${ORIGIN}, import_id
      from unnest(${column((r) => r.id)}::uuid[], ${column((r) => r.siteId)}::uuid[], ${column((r) => r.threadId)}::uuid[],
                  ${column((r) => r.parentId ?? null)}::uuid[], ${column((r) => r.rootId)}::uuid[], ${column((r) => r.depth)}::int[],
                  ${column((r) => r.authorName)}::text[], ${column((r) => r.authorEmail ?? null)}::text[], ${column((r) => r.bodySource)}::text[],
                  ${column((r) => r.bodyHtml)}::text[], ${column((r) => r.status)}::text[], ${column((r) => r.ipHash ?? null)}::text[],
                  ${column((r) => r.createdAt)}::timestamptz[], ${column((r) => r.deletedAt ?? null)}::timestamptz[], ${column((r) => r.importId)}::text[])
        as v(id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, body_source, body_html, status, ip_hash, created_at, deleted_at, import_id)
    on conflict do nothing
    returning import_id, thread_id, status`);
  return result.rows.map((r) => ({ importId: r.import_id, threadId: r.thread_id, status: r.status }));
}

function rowOf(deps: Deps, site: Site, post: DisqusPost, plan: Plan, i: number, threadId: string): typeof comments.$inferInsert {
  const placeholder = plan.fate(i).placeholder;
  const body = placeholder ? { source: '', html: '' } : messageToBody(post.message);
  const parent = plan.parent(i);
  const id = importedCommentId(site.id, post.dsqId);
  return {
    id, siteId: site.id, threadId,
    parentId: parent === -1 ? null : importedCommentId(site.id, plan.dsqId(parent)),
    rootId: importedCommentId(site.id, plan.dsqId(plan.root(i))),
    depth: plan.depth(i),
    authorName: post.author.name || post.author.username || 'Anonymous',
    authorEmail: post.author.email, authorIsGuest: true,
    bodySource: body.source, bodyHtml: body.html,
    status: placeholder ? 'deleted' : post.isSpam ? 'spam' : post.isApproved ? 'approved' : 'pending',
    moderationReasons: post.isSpam && !placeholder ? ['disqus-spam'] : [],
    ipHash: post.ipAddress ? hashIp(deps.secret, post.ipAddress) : null,
    createdAt: post.createdAt!,
    deletedAt: placeholder ? deps.now() : null,
    importOrigin: ORIGIN, importId: post.dsqId,
  };
}
