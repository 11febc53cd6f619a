import { and, desc, eq, lt } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { getSiteBySlug } from '../sites/service.js';
import { requireModeratorOf } from './access.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: { id: string | null; name: string };
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** A site's audit log, newest first, for its moderators; `before` pages back from an entry id. */
export async function readAudit(deps: Deps, caller: Caller, input: { site: string; before?: number; limit: number }): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const site = await getSiteBySlug(deps, input.site);
  await requireModeratorOf(deps, caller, site);
  const rows = await deps.db.select().from(auditLog)
    .where(and(eq(auditLog.siteId, site.id), input.before ? lt(auditLog.id, input.before) : undefined))
    .orderBy(desc(auditLog.id)).limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return {
    entries: page.map((r) => ({
      id: r.id, at: r.at.toISOString(), actor: { id: r.actorId, name: r.actorName }, action: r.action,
      target: { type: r.targetType, id: r.targetId }, before: r.before, after: r.after, prevHash: r.prevHash, hash: r.hash,
    })),
    nextBefore: rows.length > input.limit ? page.at(-1)!.id : null,
  };
}
