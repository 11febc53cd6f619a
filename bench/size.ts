/**
 * Size benchmark: builds the client and prints what a reader downloads, raw and gzipped.
 * `npm run bench:size`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-client.ts'], { cwd: root, stdio: 'ignore' });
interface Size { raw: number; gzip: number }
const manifest = JSON.parse(readFileSync(path.join(root, 'dist/client/manifest.json'), 'utf8')) as {
  files: Array<Size & { file: string }>;
  bundles: { firstPaint: Size; live: Size };
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const find = (prefix: string) => manifest.files.find((f) => f.file.startsWith(prefix))!;
const embed = find('embed.js');
const widget = find('widget.js');
const live = find('chunks/live');
const count = find('count.js');
const admin = find('admin.js');
const adminImport = find('admin-import.js');

console.log('\nParley client sizes (minified; gzip -9)');
for (const f of [embed, widget, live, count]) console.log(`${f.file.padEnd(28)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);
const { firstPaint, live: liveBundle } = manifest.bundles;
console.log(`${'first paint (embed + widget)'.padEnd(28)} ${kb(firstPaint.raw).padStart(10)} raw ${kb(firstPaint.gzip).padStart(10)} gzip`);
console.log(`${'with live updates'.padEnd(28)} ${kb(firstPaint.raw + liveBundle.raw).padStart(10)} raw ${kb(firstPaint.gzip + liveBundle.gzip).padStart(10)} gzip`);
console.log(`${'moderators\' dashboard'.padEnd(28)} ${kb(admin.raw).padStart(10)} raw ${kb(admin.gzip).padStart(10)} gzip (admin.js, with socket.io-client)`);
console.log(`${'dashboard\'s import page'.padEnd(28)} ${kb(adminImport.raw).padStart(10)} raw ${kb(adminImport.gzip).padStart(10)} gzip (admin-import.js, with socket.io-client; only on /admin/SITE/import)`);
// The widget in each other language (the reader downloads one), and the issue's budgets.
const bundles = manifest.bundles as unknown as Record<string, Size>;
const languages = Object.keys(bundles).filter((name) => name.startsWith('firstPaint.')).map((name) => name.slice('firstPaint.'.length));
for (const lang of languages) {
  const file = find(`widget.${lang}.js`);
  console.log(`${file.file.padEnd(28)} ${kb(file.raw).padStart(10)} raw ${kb(file.gzip).padStart(10)} gzip; first paint ${kb(bundles[`firstPaint.${lang}`].gzip)} gzip`);
}
const largest = Math.max(manifest.bundles.firstPaint.gzip, ...languages.map((lang) => bundles[`firstPaint.${lang}`].gzip));
const BUDGET = { show: 15 * 1024, everything: 30 * 1024 };
const verdict = (size: number, budget: number) => `${kb(size)} of ${kb(budget)}: ${size <= budget ? 'within' : `OVER by ${kb(size - budget)}`}`;
console.log(`budget, script and style to show a thread (largest language): ${verdict(largest, BUDGET.show)}`);
console.log(`budget, everything the widget ever loads (largest language + live chunk): ${verdict(largest + manifest.bundles.live.gzip, BUDGET.everything)}`);
console.log('requests from the script tag to a visible thread: 2 (widget.js, or widget.LANG.js, and the thread JSON, in parallel); 3 for a reader with a session (their overlay /threads/:id/me, after the thread JSON)');
