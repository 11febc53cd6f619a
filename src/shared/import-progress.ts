/**
 * How an import's progress reads, the same on the server-rendered import page and in its
 * script as the socket's events arrive.
 */
import type { ImportJobOutcome, ImportJobProgress } from './api.js';

const number = (n: number) => n.toLocaleString('en');
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB`;

/** Of 100: the file is read twice (planning, then writing), each half of the way. */
export function importPercent(p: ImportJobProgress): number {
  if (p.pass === 3) return 99;
  const ofPass = p.bytesTotal > 0 ? Math.min(p.bytesRead / p.bytesTotal, 1) : 0;
  return Math.floor((p.pass === 1 ? 0 : 50) + ofPass * 50);
}

export function describeImportProgress(p: ImportJobProgress): string {
  const of = p.postsInFile === null ? '' : ` of ${number(p.postsInFile)}`;
  const bytes = `${megabytes(p.bytesRead)} of ${megabytes(p.bytesTotal)}`;
  const written = p.dryRun ? 'nothing written (dry run)' : `${number(p.postsWritten)} written`;
  if (p.pass === 1) return `Reading the file (1 of 2): ${number(p.postsRead)} posts read, ${bytes}.`;
  if (p.pass === 2) return `${p.dryRun ? 'Checking' : 'Writing'} (2 of 2): ${number(p.postsRead)}${of} posts read, ${written}, ${bytes}.`;
  return `${p.dryRun ? 'Checking' : 'Writing'} replies that came before their parents: ${number(p.postsRead)} read, ${written}.`;
}

/** One sentence for how an import ended: the page's heading of its report and what the script announces. */
export function outcomeSentence(outcome: Pick<ImportJobOutcome, 'status' | 'totals' | 'error'>): string {
  const t = outcome.totals;
  const counts = t ? `${number(t.imported)} comments ${outcome.status === 'previewed' ? 'would be imported' : 'imported'}, ${number(t.alreadyPresent)} already present, ${number(t.skipped)} skipped.` : '';
  switch (outcome.status) {
    case 'done': return `Import finished: ${counts}`;
    case 'previewed': return `Dry run finished, nothing written: ${counts}`;
    case 'interrupted': return `Import interrupted. ${outcome.error ?? ''}`.trim();
    default: return `Import failed. ${outcome.error ?? ''}`.trim();
  }
}
