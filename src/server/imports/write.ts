import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Tx } from '../db/index.js';
import { comments } from '../db/schema.js';
import { advance, type Checkpoint } from './checkpoint.js';

/** A comment as the import writes it: plain JSON (dates as ISO strings), so that it can wait on disk. */
export interface CommentRow {
  id: string; siteId: string; threadId: string; parentId: string | null; rootId: string; depth: number;
  authorName: string; authorEmail: string | null; bodySource: string; bodyHtml: string;
  status: 'approved' | 'pending' | 'spam' | 'deleted'; ipHash: string | null;
  createdAt: string; deletedAt: string | null; importId: string;
}

interface Batch {
  siteId: string;
  origin: string;
  rows: CommentRow[];
  dryRun: boolean;
  checkpoint: Checkpoint | null;
  round: number;
  postsDone: number;
  /** Per Parley thread: rows written, rows found present (spam is in neither: the report counts it skipped). */
  counts: Map<string, [number, number]>;
}

/**
 * Writes one batch in one transaction with the thread counts and the checkpoint; a row already
 * there (an earlier import) is left as it is. Returns how many rows were new.
 */
export async function writeBatch(deps: Deps, batch: Batch): Promise<number> {
  const { rows } = batch;
  // A batch that fails fails the import; its in-memory tally dies with it, and a resumed run reads the committed one.
  let fresh: Set<string>;
  if (batch.dryRun) {
    const present = await deps.db.select({ importId: comments.importId }).from(comments)
      .where(and(eq(comments.siteId, batch.siteId), eq(comments.importOrigin, batch.origin), inArray(comments.importId, rows.map((r) => r.importId))));
    const found = new Set(present.map((r) => r.importId));
    fresh = new Set(rows.filter((r) => !found.has(r.importId)).map((r) => r.importId));
    tally(batch, fresh);
  } else {
    fresh = await deps.db.transaction(async (tx) => {
      const inserted = rows.length > 0 ? await insertRows(tx, batch.origin, rows) : [];
      const approved = new Map<string, number>();
      for (const r of inserted) if (r.status === 'approved') approved.set(r.threadId, (approved.get(r.threadId) ?? 0) + 1);
      if (approved.size > 0) {
        await tx.execute(sql`update threads t set comment_count = t.comment_count + v.n
          from unnest(${sql.param([...approved.keys()])}::uuid[], ${sql.param([...approved.values()])}::int[]) as v(id, n) where t.id = v.id`);
      }
      const ids = new Set(inserted.map((r) => r.importId));
      const touched = tally(batch, ids);
      await advance(tx, batch.checkpoint!, batch.round, batch.postsDone, touched);
      return ids;
    });
  }
  return fresh.size;
}

function tally(batch: Batch, fresh: Set<string>): Set<string> {
  const touched = new Set<string>();
  for (const row of batch.rows) {
    if (row.status === 'spam') continue;
    const entry = batch.counts.get(row.threadId) ?? [0, 0];
    entry[fresh.has(row.importId) ? 0 : 1]++;
    batch.counts.set(row.threadId, entry);
    touched.add(row.threadId);
  }
  return touched;
}

/**
 * One statement per batch, its columns as arrays (unnest): a few parameters instead of twenty
 * per row, which PostgreSQL parses several times faster than a many-row VALUES list.
 */
async function insertRows(tx: Tx, origin: string, rows: CommentRow[]): Promise<Array<{ importId: string; threadId: string; status: string }>> {
  const column = <T>(pick: (row: CommentRow) => T) => sql.param(rows.map(pick));
  const result = await tx.execute<{ import_id: string; thread_id: string; status: string }>(sql`
    insert into comments (id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, author_is_guest,
                          body_source, body_html, status, moderation_reasons, ip_hash, created_at, deleted_at, import_origin, import_id)
    select id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, true,
           body_source, body_html, status, case when status = 'spam' then array[${`${origin}-spam`}] else '{}'::text[] end,
           ip_hash, created_at, deleted_at, ${origin}, import_id
      from unnest(${column((r) => r.id)}::uuid[], ${column((r) => r.siteId)}::uuid[], ${column((r) => r.threadId)}::uuid[],
                  ${column((r) => r.parentId)}::uuid[], ${column((r) => r.rootId)}::uuid[], ${column((r) => r.depth)}::int[],
                  ${column((r) => r.authorName)}::text[], ${column((r) => r.authorEmail)}::text[], ${column((r) => r.bodySource)}::text[],
                  ${column((r) => r.bodyHtml)}::text[], ${column((r) => r.status)}::text[], ${column((r) => r.ipHash)}::text[],
                  ${column((r) => r.createdAt)}::timestamptz[], ${column((r) => r.deletedAt)}::timestamptz[], ${column((r) => r.importId)}::text[])
        as v(id, site_id, thread_id, parent_id, root_id, depth, author_name, author_email, body_source, body_html, status, ip_hash, created_at, deleted_at, import_id)
    on conflict do nothing
    returning import_id, thread_id, status`);
  return result.rows.map((r) => ({ importId: r.import_id, threadId: r.thread_id, status: r.status }));
}
