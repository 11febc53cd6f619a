/** What a thread's status lets readers do: pure rules, unit-tested. */
import type { ThreadStatus } from '../../shared/api.js';

/**
 * The status readers live by: a site that closes threads after N days closes them at that age,
 * whatever the stored status says (no job needs to run for it).
 */
export function effectiveThreadStatus(thread: { status: ThreadStatus; createdAt: Date }, site: { autoCloseDays: number | null }, now: Date): ThreadStatus {
  if (thread.status === 'open' && site.autoCloseDays !== null && now.getTime() - thread.createdAt.getTime() > site.autoCloseDays * 86_400_000) return 'closed';
  return thread.status;
}

/** Locked: no new comments (replies included). Closed: that, and no edits, deletions or votes either. */
export function acceptsNewComments(status: ThreadStatus): boolean {
  return status === 'open';
}

export function acceptsChanges(status: ThreadStatus): boolean {
  return status !== 'closed';
}
