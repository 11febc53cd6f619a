/**
 * Builds the browser side into dist/client/ (served at the Parley server's root):
 *   embed.js   classic script, the loader a page includes (must stay a few KB)
 *   widget.js  ES module + chunks/: the thread UI; socket.io-client only in a lazy chunk
 *   count.js   classic script for "N Comments" links
 * and writes dist/client/manifest.json with each file's raw and gzip size, which the
 * size benchmark reads. Run: npm run build
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/client');

const common: BuildOptions = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

/** Classic scripts for old-fashioned <script> tags; dynamic import() is kept as written (loads widget.js). */
const classicScript = (entry: string, outfile: string): BuildOptions => ({
  ...common,
  entryPoints: [join(root, entry)],
  outfile: join(outdir, outfile),
  format: 'iife',
  target: 'es2019',
  supported: { 'dynamic-import': true },
});

const widget: BuildOptions = {
  ...common,
  entryPoints: { widget: join(root, 'src/client/widget/index.tsx') },
  outdir,
  format: 'esm',
  splitting: true,
  target: 'es2020',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
};

interface FileSize {
  file: string;
  raw: number;
  gzip: number;
}

function sizeOf(file: string): FileSize {
  const bytes = readFileSync(join(outdir, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(outdir, path)];
  });
}

/** Files widget.js needs before it can render: itself and the chunks it imports statically. */
function staticClosure(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen].map((file) => relative(outdir, join(root, file)));
}

function total(sizes: FileSize[]): { raw: number; gzip: number } {
  return sizes.reduce((sum, size) => ({ raw: sum.raw + size.raw, gzip: sum.gzip + size.gzip }), { raw: 0, gzip: 0 });
}

async function main() {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const [, widgetResult] = await Promise.all([
    build(classicScript('src/client/widget/embed.ts', 'embed.js')),
    build(widget),
    build(classicScript('src/client/count/count.ts', 'count.js')),
  ]);

  const files = listFiles(outdir).sort().map(sizeOf);
  const bySize = new Map(files.map((size) => [size.file, size]));
  const widgetOutput = relative(root, join(outdir, 'widget.js'));
  const widgetInitial = staticClosure(widgetResult.metafile!, widgetOutput).map((file) => bySize.get(file)!);
  const lazy = files.filter((size) => size.file.startsWith('chunks/') && !widgetInitial.includes(size));

  const manifest = {
    builtAt: new Date().toISOString(),
    files,
    bundles: {
      /** What a page downloads before the thread shows: loader + widget + its static chunks. */
      firstPaint: total([bySize.get('embed.js')!, ...widgetInitial]),
      embed: total([bySize.get('embed.js')!]),
      widget: { ...total(widgetInitial), files: widgetInitial.map((size) => size.file) },
      /** Loaded after the thread is shown (socket.io-client for live updates). */
      lazy: { ...total(lazy), files: lazy.map((size) => size.file) },
      count: total([bySize.get('count.js')!]),
    },
  };
  writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`.padStart(9);
  console.log(`dist/client/ (raw, gzip)`);
  for (const size of files) console.log(`  ${size.file.padEnd(36)}${kb(size.raw)}${kb(size.gzip)}`);
  for (const [name, size] of Object.entries(manifest.bundles)) {
    console.log(`  = ${name.padEnd(34)}${kb(size.raw)}${kb(size.gzip)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
