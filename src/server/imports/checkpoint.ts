import { and, eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db, Tx } from '../db/index.js';
import { importRuns } from '../db/schema.js';

/**
 * The checkpoint of an import run: which round is being written and how many of its posts
 * have committed. It moves in the transaction of each batch, so after a crash it names exactly
 * what is in the database; a run of the same file (same fingerprint) resumes after it.
 */

export interface Checkpoint {
  runId: string;
  startedAt: Date;
  round: number;
  postsDone: number;
  resumed: boolean;
  threadsCreated: number;
  /** Rows written and found present so far, per Parley thread id. */
  counts: Map<string, [imported: number, present: number]>;
}

interface StoredProgress { threadsCreated?: number; threads?: Record<string, [number, number]> }

/** Finds the unfinished run of this file on this site to resume it, or starts one from the beginning. */
export async function openRun(db: Db, siteId: string, origin: string, fingerprint: string): Promise<Checkpoint> {
  const [found] = await db.select().from(importRuns)
    .where(and(eq(importRuns.siteId, siteId), eq(importRuns.origin, origin), eq(importRuns.fingerprint, fingerprint)));
  if (found?.status === 'running') {
    const progress = found.progress as StoredProgress;
    return {
      runId: found.id, startedAt: found.startedAt, round: found.round, postsDone: found.postsDone, resumed: true,
      threadsCreated: progress.threadsCreated ?? 0, counts: new Map(Object.entries(progress.threads ?? {})),
    };
  }
  // A finished (or failed) run of the same file starts over: every post is then found present.
  const [row] = await db.insert(importRuns)
    .values({ siteId, origin, fingerprint, status: 'running' })
    .onConflictDoUpdate({
      target: [importRuns.siteId, importRuns.origin, importRuns.fingerprint],
      set: { status: 'running', round: 0, postsDone: 0, progress: {}, report: null, error: null, startedAt: sql`now()`, updatedAt: sql`now()`, finishedAt: null },
    })
    .returning();
  return { runId: row.id, startedAt: row.startedAt, round: 0, postsDone: 0, resumed: false, threadsCreated: 0, counts: new Map() };
}

/** Whether the post at `position` of `round` was committed before the run was interrupted. */
export const alreadyDone = (checkpoint: Checkpoint, round: number, position: number) =>
  checkpoint.round > round || (checkpoint.round === round && position < checkpoint.postsDone);

/** Moves the checkpoint, inside the batch's transaction; `touched` are the threads whose counts changed. */
export async function advance(tx: Tx, checkpoint: Checkpoint, round: number, postsDone: number, touched: Iterable<string>): Promise<void> {
  const delta: Record<string, [number, number]> = {};
  for (const id of touched) delta[id] = checkpoint.counts.get(id)!;
  await tx.update(importRuns).set({
    round, postsDone, updatedAt: sql`now()`,
    progress: sql`jsonb_set(${importRuns.progress}, '{threads}', coalesce(${importRuns.progress}->'threads', '{}'::jsonb) || ${JSON.stringify(delta)}::jsonb)`,
  }).where(eq(importRuns.id, checkpoint.runId));
  checkpoint.round = round;
  checkpoint.postsDone = postsDone;
}

export async function recordThreadsCreated(db: Db, checkpoint: Checkpoint, created: number): Promise<void> {
  checkpoint.threadsCreated += created;
  await db.update(importRuns).set({ progress: sql`jsonb_set(${importRuns.progress}, '{threadsCreated}', ${String(checkpoint.threadsCreated)}::jsonb)` })
    .where(eq(importRuns.id, checkpoint.runId));
}

export async function finishRun(db: Db, checkpoint: Checkpoint, report: unknown): Promise<void> {
  await db.update(importRuns).set({ status: 'done', report, finishedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(importRuns.id, checkpoint.runId));
}

/** Two keys: a space of their own, apart from Parley's one-key locks (migrations, seed). */
const IMPORT_LOCK_SPACE = 7_244_871;

/**
 * Holds a lock on the site's imports for the length of `work`: a second import into the same
 * site while one runs is refused at once, instead of both writing and moving one checkpoint.
 */
export async function withImportLock<T>(db: Db, siteId: string, work: () => Promise<T>): Promise<T> {
  const client = await (db as Db & { $client: pg.Pool }).$client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [IMPORT_LOCK_SPACE, siteId]);
    if (!rows[0].ok) throw new ImportBusyError();
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1, hashtext($2))', [IMPORT_LOCK_SPACE, siteId]);
    }
  } finally {
    client.release();
  }
}

export class ImportBusyError extends Error {
  constructor() {
    super('Another import into this site is running; wait for it to finish (or stop it) and run this one again.');
    this.name = 'ImportBusyError';
  }
}
