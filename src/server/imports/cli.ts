import { statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Deps } from '../deps.js';
import { exportFileOpener } from './export-file.js';
import { importComments, type ImportFormat, type ImportProgress, type ImportReport } from './service.js';

type WithDatabase = <T>(work: (deps: Deps) => Promise<T>) => Promise<T>;

/** `import disqus|wordpress FILE --site SLUG [--dry-run] [--map-url FROM=TO ...] [--report FILE]`. */
export async function importCommand(format: ImportFormat, args: string[], withDatabase: WithDatabase): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      site: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'map-url': { type: 'string', multiple: true },
      report: { type: 'string' }, 'batch-size': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || !values.site) throw new Error(`Give the export and the site: import ${format} FILE --site SLUG.`);
  const size = statSync(file).size; // a missing file is named before the database starts
  const mapUrl = (values['map-url'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--map-url takes FROM=TO, not "${pair}".`);
    return { from: pair.slice(0, at), to: pair.slice(at + 1) };
  });
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0 && batchSize <= 10_000)) throw new Error('--batch-size takes a whole number from 1 to 10000.');

  const progress = new Progress(size);
  const open = exportFileOpener(file, (n) => progress.bytes(n));
  const started = Date.now();
  let report: ImportReport;
  try {
    report = await withDatabase((deps) => importComments(deps, {
      format, siteSlug: values.site!, open, dryRun: values['dry-run'], mapUrl, batchSize, onProgress: (p) => progress.update(p),
    }));
  } finally {
    progress.stop();
  }
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(summary(report));
  console.log(`Took ${((Date.now() - started) / 1000).toFixed(1)} s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`);
}

const PASS_NAMES = { 1: 'planning', 2: 'writing', 3: 'replies set aside' } as const;

/**
 * On a terminal, one bar over the two reads of the file (bytes and posts, rate, time left);
 * otherwise (a pipe, a log) a plain line every ten seconds and at each pass's end.
 */
class Progress {
  private readonly bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({
      format: '{phase} |{bar}| {percentage}% · {mb}/{totalMb} MB · {posts} posts · {rate} posts/s · {eta_formatted} left',
      hideCursor: true, etaBuffer: 50, fps: 5, stream: process.stderr,
    }, cliProgress.Presets.shades_classic)
    : null;
  private read = 0;
  private pass: ImportProgress['pass'] = 1;
  private lastLine = 0;
  private readonly started = Date.now();
  constructor(private readonly size: number) {
    this.bar?.start(size * 2, 0, { phase: PASS_NAMES[1], mb: 0, totalMb: this.mb(size), posts: 0, rate: 0 });
  }

  private mb(bytes: number): string { return (bytes / 1e6).toFixed(0); }

  bytes(n: number): void {
    this.read += n;
    this.bar?.update(Math.min(this.read, this.size * 2), { mb: this.mb(this.read - (this.pass >= 2 ? this.size : 0)) });
  }

  update(p: ImportProgress): void {
    if (p.pass !== this.pass) this.read = (p.pass - 1) * this.size;
    this.pass = p.pass;
    const posts = p.pass === 1 ? p.postsRead : p.postsWritten;
    const rate = Math.round(p.postsRead / Math.max((Date.now() - this.started) / 1000, 0.001));
    if (this.bar) {
      this.bar.update(Math.min(this.read, this.size * 2), { phase: PASS_NAMES[p.pass], posts, rate });
      return;
    }
    const now = Date.now();
    const endOfPass = p.postsInFile !== null && p.postsRead === p.postsInFile;
    if (now - this.lastLine < 10_000 && !endOfPass) return;
    this.lastLine = now;
    const of = p.postsInFile === null ? '' : ` of ${p.postsInFile}`;
    process.stderr.write(`${PASS_NAMES[p.pass]}: ${p.postsRead}${of} posts read, ${p.postsWritten} written, ${this.mb(this.read)} MB, ${Math.round(process.memoryUsage().rss / 1e6)} MB in memory\n`);
  }

  stop(): void { this.bar?.stop(); }
}

/** The report for a reader: totals, then threads with skipped posts (the first twenty; --report holds all). */
export function summary(report: ImportReport, shown = 20): string {
  const t = report.totals;
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): ' : ''}${report.resumed ? 'Resumed an interrupted import. ' : ''}${t.postsInFile} posts in ${t.threadsInFile} threads read.`,
    `Threads: ${report.threads.length} imported (${t.threadsCreated} new), ${report.threadsSkipped.length} skipped.`,
    `Posts: ${t.imported} imported, ${t.alreadyPresent} already present, ${t.skipped} skipped${Object.keys(t.byReason).length ? ` (${Object.entries(t.byReason).map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''}.`,
  ];
  const withSkips = report.threads.filter((thread) => thread.skipped.length > 0);
  for (const thread of withSkips.slice(0, shown)) {
    const ids = thread.skipped.slice(0, 10).map((s) => `${s.id} (${s.reason})`).join(', ');
    const more = thread.skipped.length > 10 ? ` and ${thread.skipped.length - 10} more` : '';
    lines.push(`  ${thread.key}: ${thread.inFile} in file, ${thread.imported} imported, ${thread.alreadyPresent} present; skipped ${ids}${more}`);
  }
  for (const post of report.postsWithoutThread.slice(0, shown)) lines.push(`  post ${post.id}: ${post.reason} (thread ${post.threadId})`);
  const hidden = Math.max(withSkips.length - shown, 0) + Math.max(report.postsWithoutThread.length - shown, 0);
  if (hidden > 0) lines.push(`  … and ${hidden} more; --report FILE writes every one.`);
  return lines.join('\n');
}
