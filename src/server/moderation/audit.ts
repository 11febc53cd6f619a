/**
 * The moderation log nobody can quietly rewrite: each entry is written in its action's
 * transaction and carries a SHA-256 over its content and the previous entry's hash on the same
 * site. Changing or removing an entry breaks every hash after it; verifyAuditChain finds the first.
 */
import { createHash } from 'node:crypto';
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { auditLog } from '../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  siteId: string;
  actor: { userId: string | null; displayName: string };
  action: string;
  targetType: 'comment' | 'thread' | 'user' | 'site';
  targetId: string;
  before: unknown;
  after: unknown;
}

/** JSON with keys sorted at every level: PostgreSQL's jsonb keeps no key order, the hash must not depend on it. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

interface Hashed {
  siteId: string; actorId: string | null; actorName: string; action: string; targetType: string; targetId: string;
  before: unknown; after: unknown; at: Date; prevHash: string;
}

export function entryHash(entry: Hashed): string {
  const content = canonicalJson({
    siteId: entry.siteId, actorId: entry.actorId, actorName: entry.actorName, action: entry.action, targetType: entry.targetType,
    targetId: entry.targetId, before: entry.before ?? null, after: entry.after ?? null, at: entry.at.toISOString(), prevHash: entry.prevHash,
  });
  return createHash('sha256').update(content).digest('hex');
}

/** Values as jsonb will give them back (dates as strings, no undefined), so that the hash verifies later. */
function asStored(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** Appends an entry; the per-site lock orders concurrent actions, so the chain never forks. */
export async function appendAudit(tx: DbOrTx, now: Date, input: AuditInput): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit:${input.siteId}`}))`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.siteId, input.siteId)).orderBy(desc(auditLog.id)).limit(1);
  // Milliseconds only: what a JavaScript date keeps, so the stored time hashes the same when read back.
  const at = new Date(Math.floor(now.getTime()));
  const entry: Hashed = {
    siteId: input.siteId, actorId: input.actor.userId, actorName: input.actor.displayName, action: input.action,
    targetType: input.targetType, targetId: input.targetId, before: asStored(input.before), after: asStored(input.after), at,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.insert(auditLog).values({ ...entry, targetType: input.targetType, hash: entryHash(entry) });
}

export type AuditVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; firstBadId: number; problem: string };

/** Recomputes a site's chain from its first entry; names the first entry altered, or after which one was removed. */
export async function verifyAuditChain(db: DbOrTx, siteId: string): Promise<AuditVerdict> {
  const rows = await db.select().from(auditLog).where(eq(auditLog.siteId, siteId)).orderBy(asc(auditLog.id));
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prevHash !== prev) {
      return { ok: false, entries: rows.length, firstBadId: row.id, problem: `entry ${row.id} does not follow the entry before it: that one was altered or removed` };
    }
    if (entryHash(row) !== row.hash) return { ok: false, entries: rows.length, firstBadId: row.id, problem: `entry ${row.id} was altered` };
    prev = row.hash;
  }
  return { ok: true, entries: rows.length };
}
