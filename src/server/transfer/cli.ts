import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { DEMO_SITE } from '../demo/page.js';
import { setSiteEnabled } from '../sites/service.js';
import { exportDisqus } from './export-disqus.js';
import { exportJson } from './export-json.js';
import { importJson, type ImportJsonReport } from './import-json.js';
import { exportOutput } from './stdout.js';
import { exportFileOpener } from '../imports/export-file.js';

type WithDatabase = <T>(work: (deps: Deps, config: Config) => Promise<T>) => Promise<T>;

/** `export json|disqus --site SLUG`: the export on stdout and nothing else; what it did on stderr. */
export async function exportCommand(args: string[], withDatabase: WithDatabase): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { site: { type: 'string' } } });
  const format = positionals[0];
  if ((format !== 'json' && format !== 'disqus') || !values.site || positionals.length > 1) {
    throw new Error('Give the format and the site: export json --site SLUG > FILE, or export disqus --site SLUG > FILE.');
  }
  const siteSlug = values.site;
  const summary = await withDatabase(async (deps) => {
    const out = exportOutput();
    const done = format === 'json' ? await exportJson(deps, { siteSlug, out }) : await exportDisqus(deps, { siteSlug, out });
    await new Promise<void>((resolve, reject) => out.write('', (err) => (err ? reject(err) : resolve())));
    return done;
  });
  process.stderr.write(`Exported "${siteSlug}": ${Object.entries(summary).map(([kind, n]) => `${kind} ${n}`).join(', ')}.\n`);
}

/** `import json FILE` (gzipped too, told by its magic bytes). */
export async function importJsonCommand(args: string[], withDatabase: WithDatabase): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new Error('Give the export: import json FILE.');
  statSync(file); // a missing file is named before the database starts
  const open = exportFileOpener(file);
  const report = await withDatabase(async (deps, config) => {
    const imported = await importJson(deps, { open });
    // As create-site does: a real site ends the demo at once (its localhost origins leave the allowlist), unless DEMO=true.
    if (imported.site.slug !== DEMO_SITE && config.demo !== true) await setSiteEnabled(deps, DEMO_SITE, false);
    return imported;
  });
  console.log(summary(report));
}

export function summary(report: ImportJsonReport): string {
  const kinds = Object.entries(report.counts).filter(([, c]) => c.inFile > 0);
  const lines = [
    report.created
      ? `Imported site "${report.site.slug}" (${report.site.id}).`
      : `Site "${report.site.slug}" (${report.site.id}) was here already: only what was missing was added.`,
    `Added: ${kinds.map(([kind, c]) => `${kind} ${c.added}${c.added !== c.inFile ? ` of ${c.inFile}` : ''}`).join(', ') || 'nothing but the site'}.`,
  ];
  if (report.usersMerged > 0) lines.push(`${report.usersMerged} users of the file are accounts here already (same account email): their rows are theirs.`);
  if (report.ssoSecretSet) lines.push(`The site signed its users in with SSO: give it its secret again (site-settings --site ${report.site.slug} --sso-secret ...).`);
  if (report.counts.user.added > 0) lines.push('Accounts come without passwords: their owners sign in by mailed link or reset their password.');
  return lines.join('\n');
}
