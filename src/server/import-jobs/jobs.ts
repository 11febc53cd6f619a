/**
 * Imports uploaded on the dashboard, run in the background of this process: one at a time per
 * site, their progress told as domain events (a few a second at most), their end kept for the
 * site's import page. The import itself is imports/service.ts's, called as the CLI calls it;
 * this only feeds it the uploaded file and watches it go.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImportJobInfo, ImportJobOutcome, ImportJobProgress } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { AppError, Conflict } from '../errors.js';
import { ImportBusyError } from '../imports/checkpoint.js';
import { importComments, type ImportFormat, type ImportProgress, type ImportReport } from '../imports/service.js';
import { ImportFormatError } from '../imports/source.js';

/** Progress events a site's staff get per second, at most (the last state always follows). */
const PROGRESS_EVERY_MS = 250;
/** A dry run's file waits this long for "Import" before it is deleted. */
const PREVIEW_KEPT_MS = 60 * 60 * 1000;
/** Files left by a process that stopped without cleaning up are deleted at the next start past this age. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** An uploaded export on disk, under the jobs' directory. */
export interface UploadedFile {
  path: string;
  /** The name the browser gave (display only). */
  fileName: string;
  size: number;
  gzipped: boolean;
}

export interface ImportJobSpec {
  siteId: string;
  siteSlug: string;
  format: ImportFormat;
  dryRun: boolean;
  file: UploadedFile;
}

/** How an import ended, with its report (kept for the page; the event carries only the totals). */
export interface FinishedImport {
  outcome: ImportJobOutcome;
  report: ImportReport | null;
  finishedAt: Date;
}

interface RunningJob {
  info: ImportJobInfo;
  spec: ImportJobSpec;
  progress: ImportJobProgress;
  /** The file stream of the pass under way: destroyed to stop the job. */
  reading: Readable | null;
  done: Promise<void>;
  stopping: boolean;
}

/** A dry run's file, kept until its admin imports it for real or discards it. */
interface Preview {
  jobId: string;
  spec: ImportJobSpec;
  timer: NodeJS.Timeout;
}

/** Holding the site's one import slot, from before the upload is read until its job ends. */
export interface ImportSlot {
  readonly siteId: string;
  release(): void;
}

export class ImportJobs {
  /** Sites whose slot is taken: an upload being received, or a job running. */
  private readonly taken = new Set<string>();
  private readonly running = new Map<string, RunningJob>();
  private readonly finished = new Map<string, FinishedImport>();
  private readonly previews = new Map<string, Preview>();

  constructor(private readonly deps: Deps, readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    removeStaleUploads(dir);
  }

  /** Takes the site's slot; a second import into the site while one is received or runs is 409. */
  reserve(siteId: string): ImportSlot {
    if (this.taken.has(siteId)) throw new Conflict('An import into this site is already under way; wait for it to end.');
    this.taken.add(siteId);
    let held = true;
    return { siteId, release: () => { if (held) { held = false; this.taken.delete(siteId); } } };
  }

  current(siteId: string): ImportJobProgress | null {
    return this.running.get(siteId)?.progress ?? null;
  }

  last(siteId: string): FinishedImport | null {
    return this.finished.get(siteId) ?? null;
  }

  /** The dry run waiting for "Import", if `jobId` names it. */
  preview(siteId: string, jobId: string): ImportJobSpec | null {
    const kept = this.previews.get(siteId);
    return kept?.jobId === jobId ? kept.spec : null;
  }

  /** Forgets a kept dry run and deletes its file (or hands the file on, `keepFile`). */
  dropPreview(siteId: string, keepFile = false): void {
    const kept = this.previews.get(siteId);
    if (!kept) return;
    clearTimeout(kept.timer);
    this.previews.delete(siteId);
    if (!keepFile) rmSync(kept.spec.file.path, { force: true });
  }

  /**
   * Starts the import in the background; resolves once it has begun reading the file (the site
   * found, no other import holding it), and rejects if it could not begin (ImportBusyError is
   * 409). Its end is an `import.finished` event; the slot is released then.
   */
  start(slot: ImportSlot, spec: ImportJobSpec): Promise<ImportJobInfo> {
    if (slot.siteId !== spec.siteId) throw new Error('the slot is another site\'s');
    const info: ImportJobInfo = { jobId: randomUUID(), format: spec.format, dryRun: spec.dryRun, fileName: spec.file.fileName };
    // A new upload replaces a dry run still waiting (its file goes).
    if (this.previews.get(spec.siteId)?.spec.file.path !== spec.file.path) this.dropPreview(spec.siteId);
    else this.dropPreview(spec.siteId, true);
    const job: RunningJob = {
      info, spec, reading: null, stopping: false, done: Promise.resolve(),
      progress: { ...info, pass: 1, postsRead: 0, postsInFile: null, postsWritten: 0, bytesRead: 0, bytesTotal: spec.file.size },
    };
    this.running.set(spec.siteId, job);
    return new Promise<ImportJobInfo>((begun, refused) => {
      let started = false;
      const progress = throttled(() => this.deps.events.emit('import.progress', { siteId: spec.siteId, progress: job.progress }));
      const open = () => {
        if (!started) { started = true; begun(info); }
        return this.openFile(job, progress.soon);
      };
      const onProgress = (p: ImportProgress) => {
        job.progress = { ...job.progress, pass: p.pass, postsRead: p.postsRead, postsInFile: p.postsInFile, postsWritten: p.postsWritten };
        progress.soon();
      };
      job.done = importComments(this.deps, { format: spec.format, siteSlug: spec.siteSlug, open, dryRun: spec.dryRun, onProgress })
        .then((report) => this.end(job, progress, { report, error: null }), (error: unknown) => {
          if (started) return this.end(job, progress, { report: null, error });
          // It never began: the caller answers the request with why (409 when another import holds the site).
          this.running.delete(spec.siteId);
          progress.cancel();
          rmSync(spec.file.path, { force: true });
          slot.release();
          refused(error instanceof ImportBusyError ? new Conflict(error.message) : error);
        })
        .finally(() => { if (started) slot.release(); });
    });
  }

  /** Stops the running imports (each can be resumed by uploading its file again) and deletes kept files. */
  async stop(): Promise<void> {
    for (const job of this.running.values()) {
      job.stopping = true;
      job.reading?.destroy(new Error('Parley stopped during the import.'));
    }
    await Promise.all([...this.running.values()].map((job) => job.done.catch(() => {})));
    for (const siteId of [...this.previews.keys()]) this.dropPreview(siteId);
  }

  /** The upload as the import reads it: counted as it goes (for progress), unzipped if it is gzip. */
  private openFile(job: RunningJob, changed: () => void): Readable {
    job.progress = { ...job.progress, bytesRead: 0 };
    const raw = createReadStream(job.spec.file.path, { highWaterMark: 256 * 1024 });
    job.reading = raw;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        job.progress = { ...job.progress, bytesRead: job.progress.bytesRead + chunk.length };
        changed();
        callback(null, chunk);
      },
    });
    // pipeline passes a failure of any stage on to the last one, which the import reads.
    const done = () => {};
    return job.spec.file.gzipped ? pipeline(raw, counter, createGunzip(), done) : pipeline(raw, counter, done);
  }

  private end(job: RunningJob, progress: Throttle, result: { report: ImportReport | null; error: unknown }): void {
    const { spec, info } = job;
    progress.cancel();
    this.running.delete(spec.siteId);
    const { report, error } = result;
    const status: ImportJobOutcome['status'] = error ? (job.stopping ? 'interrupted' : 'failed') : spec.dryRun ? 'previewed' : 'done';
    if (error && !(error instanceof AppError) && !(error instanceof ImportFormatError) && !job.stopping) {
      this.deps.log.error({ err: error }, 'import failed');
    }
    const outcome: ImportJobOutcome = { ...info, status, totals: report?.totals ?? null, error: error ? failureMessage(error, job.stopping) : null };
    this.finished.set(spec.siteId, { outcome, report, finishedAt: this.deps.now() });
    if (status === 'previewed') {
      const timer = setTimeout(() => this.dropPreview(spec.siteId), PREVIEW_KEPT_MS);
      timer.unref();
      this.previews.set(spec.siteId, { jobId: info.jobId, spec, timer });
    } else {
      rmSync(spec.file.path, { force: true });
    }
    this.deps.events.emit('import.finished', { siteId: spec.siteId, outcome });
  }
}

/** What the admin reads: the file's own fault says where; ours says only that it was ours (the log has the rest). */
function failureMessage(error: unknown, stopping: boolean): string {
  if (stopping) return 'Parley stopped during the import. Upload the same file again: the import resumes where it stopped.';
  if (error instanceof ImportFormatError || error instanceof AppError) return error.message;
  return 'The import stopped on an error on Parley\'s side (it is in the server\'s log). Upload the same file again to resume it.';
}

interface Throttle {
  /** Sends now if the last was long enough ago, else once the interval has passed. */
  soon(): void;
  cancel(): void;
}

function throttled(send: () => void): Throttle {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => { timer = null; last = Date.now(); send(); };
  return {
    soon() {
      if (timer) return;
      const wait = last + PROGRESS_EVERY_MS - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() { if (timer) clearTimeout(timer); timer = null; },
  };
}

/** Uploads a process left behind (it was killed mid-upload or mid-import): gone after a day. */
function removeStaleUploads(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_UPLOAD_MS) rmSync(file, { force: true, recursive: true });
    } catch { /* gone meanwhile */ }
  }
}
