import { closeSync, createReadStream, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { importDisqus, type ImportReport } from './service.js';

type WithDatabase = <T>(work: (deps: Deps) => Promise<T>) => Promise<T>;

/** `import disqus FILE --site SLUG [--dry-run] [--map-url FROM=TO ...] [--report FILE]`. */
export async function importDisqusCommand(args: string[], withDatabase: WithDatabase): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { site: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'map-url': { type: 'string', multiple: true }, report: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || !values.site) throw new Error('Give the export and the site: import disqus FILE --site SLUG.');
  statSync(file); // a missing file is named before the database starts
  const mapUrl = (values['map-url'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--map-url takes FROM=TO, not "${pair}".`);
    return { from: pair.slice(0, at), to: pair.slice(at + 1) };
  });
  // Disqus mails its exports gzipped: read .xml.gz as it is, told by its magic bytes, not its name.
  const magic = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try { readSync(fd, magic, 0, 2, 0); } finally { closeSync(fd); }
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
  const open = () => (gzipped ? createReadStream(file).pipe(createGunzip()) : createReadStream(file));
  const started = Date.now();
  const report = await withDatabase((deps) => importDisqus(deps, {
    siteSlug: values.site!, open, dryRun: values['dry-run'], mapUrl,
    onProgress: ({ pass, postsRead }) => {
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(`pass ${pass}: ${postsRead} posts read, ${Math.round(postsRead / Math.max(seconds, 0.001))} posts/s, ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`);
    },
  }));
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(summary(report));
}

export function summary(report: ImportReport): string {
  const t = report.totals;
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): ' : ''}${t.postsInFile} posts in ${t.threadsInFile} threads read.`,
    `Threads: ${report.threads.length} imported (${t.threadsCreated} new), ${report.threadsSkipped.length} skipped.`,
    `Posts: ${t.imported} imported, ${t.alreadyPresent} already present, ${t.skipped} skipped${Object.keys(t.byReason).length ? ` (${Object.entries(t.byReason).map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''}.`,
  ];
  for (const thread of report.threads) {
    if (thread.skipped.length === 0) continue;
    lines.push(`  ${thread.key}: ${thread.inFile} in file, ${thread.imported} imported, ${thread.alreadyPresent} present; skipped ${thread.skipped.map((s) => `${s.dsqId} (${s.reason})`).join(', ')}`);
  }
  for (const post of report.postsWithoutThread) lines.push(`  post ${post.dsqId}: ${post.reason} (thread ${post.threadDsqId})`);
  return lines.join('\n');
}
