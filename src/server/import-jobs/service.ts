/**
 * Importing a site's comments from the dashboard: only the site's admins may (a moderator may
 * not, whatever the page shows), checked here for every step, per site. The upload's bytes
 * are the routes' business; the running is jobs.ts's; the import itself is imports/service.ts's.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ImportJobInfo, ImportJobProgress, ImportTotals } from '../../shared/api.js';
import { roleOn } from '../auth/accounts.js';
import { assertCallerOnSite, requireActor } from '../auth/service.js';
import { importRuns } from '../db/schema.js';
import type { Actor, Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { Forbidden, NotFound } from '../errors.js';
import type { ImportFormat, ImportReport } from '../imports/service.js';
import { canManageSite } from '../sites/policy.js';
import { getSiteBySlug, type Site } from '../sites/service.js';
import type { FinishedImport, ImportJobs, ImportSlot, UploadedFile } from './jobs.js';

export const IMPORT_FORMATS = ['disqus', 'wordpress'] as const satisfies readonly ImportFormat[];
/** Runs the import page lists, newest first. */
const RUNS_SHOWN = 10;

/** The caller, when they are an admin of the site, on Parley's own pages (a full session). */
export async function requireImporterOf(deps: Deps, caller: Caller, slug: string): Promise<{ actor: Actor; site: Site }> {
  const actor = requireActor(caller, 'manage-site', 'Sign in first.');
  const site = await getSiteBySlug(deps, slug);
  assertCallerOnSite(caller, site, ownOrigin(deps));
  if (!canManageSite(await roleOn(deps.db, site.id, actor.userId))) throw new Forbidden('Only an admin of this site may import comments into it.');
  return { actor, site };
}

/** Leave to receive one upload for the site: its admin, and no other import under way there. */
export interface ImportTicket {
  site: Site;
  slot: ImportSlot;
}

/** Asked before the upload's bytes are read: a refusal costs no disk. */
export async function reserveImport(deps: Deps, jobs: ImportJobs, caller: Caller, slug: string): Promise<ImportTicket> {
  const { site } = await requireImporterOf(deps, caller, slug);
  return { site, slot: jobs.reserve(site.id) };
}

/** Runs the uploaded file's import in the background; answers once it has begun. */
export function startImport(jobs: ImportJobs, ticket: ImportTicket, input: { format: ImportFormat; dryRun: boolean; file: UploadedFile }): Promise<ImportJobInfo> {
  return jobs.start(ticket.slot, { siteId: ticket.site.id, siteSlug: ticket.site.slug, ...input });
}

/** After a dry run: imports the same file for real. */
export async function confirmImport(deps: Deps, jobs: ImportJobs, caller: Caller, input: { site: string; jobId: string }): Promise<ImportJobInfo> {
  const { site } = await requireImporterOf(deps, caller, input.site);
  const spec = jobs.preview(site.id, input.jobId);
  if (!spec) throw new NotFound('That dry run\'s file (it is kept for an hour, until another upload, or until Parley restarts)');
  return jobs.start(jobs.reserve(site.id), { ...spec, dryRun: false });
}

/** After a dry run: deletes the file instead. */
export async function discardImport(deps: Deps, jobs: ImportJobs, caller: Caller, input: { site: string; jobId: string }): Promise<void> {
  const { site } = await requireImporterOf(deps, caller, input.site);
  if (!jobs.preview(site.id, input.jobId)) throw new NotFound('That dry run\'s file');
  jobs.dropPreview(site.id);
}

/** A row of import_runs, as the page lists it. */
export interface ImportRunView {
  id: string;
  format: string;
  /** `interrupted`: it stopped before the end and nothing runs it now; the same file uploaded again resumes it. */
  status: 'running' | 'done' | 'failed' | 'interrupted';
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Posts of the pass under way committed (the checkpoint), while not done. */
  postsDone: number;
  totals: ImportTotals | null;
}

export interface ImportsView {
  site: Site;
  /** The import running now in this process, if any. */
  current: ImportJobProgress | null;
  /** The last import uploaded here since this process started, with its report. */
  last: FinishedImport | null;
  /** Without a `last`: the report of the newest finished run in the database (it outlives restarts). */
  stored: { report: ImportReport; finishedAt: Date } | null;
  /** The last runs recorded (each import's checkpoint): what was interrupted shows here after a restart. */
  runs: ImportRunView[];
  /** `last` was a dry run whose file still waits for "Import". */
  previewKept: boolean;
}

export async function readImports(deps: Deps, jobs: ImportJobs, caller: Caller, slug: string, options: { withReport: boolean }): Promise<ImportsView> {
  const { site } = await requireImporterOf(deps, caller, slug);
  const current = jobs.current(site.id);
  const rows = await deps.db.select({
    id: importRuns.id, format: importRuns.origin, status: importRuns.status, startedAt: importRuns.startedAt, updatedAt: importRuns.updatedAt,
    finishedAt: importRuns.finishedAt, postsDone: importRuns.postsDone, totals: sql<ImportTotals | null>`${importRuns.report}->'totals'`,
  }).from(importRuns).where(eq(importRuns.siteId, site.id)).orderBy(desc(importRuns.updatedAt)).limit(RUNS_SHOWN);
  // A run left `running` that no job here is running was cut short (a crash, a restart): the checkpoint waits for its file.
  // The job running now has its row once it writes (pass 2 on): the newest one left running.
  const live = current && current.pass > 1 ? rows.find((r) => r.status === 'running') : undefined;
  const runs = rows.map((r) => ({ ...r, status: r.status === 'running' && r !== live ? 'interrupted' as const : r.status }));
  const last = jobs.last(site.id);
  let stored: ImportsView['stored'] = null;
  if (!last && options.withReport && runs.some((r) => r.status === 'done')) {
    const [row] = await deps.db.select({ report: importRuns.report, finishedAt: importRuns.finishedAt }).from(importRuns)
      .where(and(eq(importRuns.siteId, site.id), eq(importRuns.status, 'done'))).orderBy(desc(importRuns.finishedAt)).limit(1);
    if (row?.report && row.finishedAt) stored = { report: row.report as ImportReport, finishedAt: row.finishedAt };
  }
  const previewKept = last?.outcome.status === 'previewed' && jobs.preview(site.id, last.outcome.jobId) !== null;
  return { site, current, last: options.withReport ? last : last && { ...last, report: null }, stored, runs, previewKept };
}
