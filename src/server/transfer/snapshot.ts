import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../db/index.js';

/**
 * Runs an export in one read-only, repeatable-read transaction: every table is read as of the
 * same instant while the server goes on writing, and nothing in it can write.
 */
export async function inSnapshot<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Timestamps leave as ISO text in UTC, to the microsecond PostgreSQL keeps (a JavaScript date keeps milliseconds).
    await tx.execute(sql`set local timezone to 'UTC'`);
    return work(tx);
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

let cursors = 0;

/**
 * The rows of `query` a batch at a time through a server-side cursor: the query runs once and
 * only one batch is ever in memory, whatever the site's size.
 */
export async function* cursorBatches<Row>(tx: Tx, query: SQL, batchSize = 1000): AsyncGenerator<Row[]> {
  const name = sql.identifier(`parley_export_${++cursors}`);
  await tx.execute(sql`declare ${name} no scroll cursor for ${query}`);
  try {
    for (;;) {
      const { rows } = await tx.execute(sql`fetch forward ${sql.raw(String(batchSize))} from ${name}`);
      if (rows.length > 0) yield rows as Row[];
      if (rows.length < batchSize) break;
    }
  } finally {
    await tx.execute(sql`close ${name}`).catch(() => {});
  }
}

/** Writes a chunk, waiting while the reader is behind: a slow pipe never makes the export pile up in memory. */
export async function writeOut(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
