/**
 * Builds the browser side into dist/client/ (served at the Parley server's root):
 *   embed.js   classic script, the loader a page includes (must stay a few KB)
 *   widget.js  ES module: the thread UI (preact), nothing else needed to render; English.
 *              widget.LANG.js: the same in each other language of src/client/widget/i18n/
 *   chunks/    live updates (socket.io-client), imported by widget.js after the thread shows
 *   count.js   classic script for "N Comments" links
 *   admin.js   ES module: the moderators' dashboard on Parley's own pages (socket.io-client
 *              included: the dashboard is live from the start)
 *   admin-import.js  the same for its import page only (upload, live progress)
 * and writes dist/client/manifest.json with each file's raw and gzip size, which the
 * size benchmark reads. Run: npm run build
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
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
  define: { ...common.define, PARLEY_LANGUAGES: JSON.stringify(languages) },
  entryPoints: [join(root, entry)],
  outfile: join(outdir, outfile),
  format: 'iife',
  target: 'es2019',
  supported: { 'dynamic-import': true },
});

/**
 * Live updates (socket.io-client) are built apart from widget.js and loaded by it with
 * import() after the thread shows. Built apart rather than with esbuild's splitting:
 * splitting puts shared runtime helpers in a chunk that widget.js would import before
 * rendering, one more round trip on the first paint.
 */
const liveChunk: BuildOptions = {
  ...common,
  entryPoints: { live: join(root, 'src/client/widget/live.ts') },
  outdir,
  format: 'esm',
  target: 'es2020',
  entryNames: 'chunks/[name]-[hash]',
};

/** The interface's languages: one file each in src/client/widget/i18n/ (lang.ts picks one). */
const i18nDir = join(root, 'src/client/widget/i18n');
const languages = readdirSync(i18nDir).filter((file) => /^[a-z]{2,3}\.ts$/.test(file)).map((file) => file.slice(0, -3)).sort();

/** The widget file of a language: widget.js for English (the default), widget.fr.js... */
const widgetFile = (lang: string) => (lang === 'en' ? 'widget' : `widget.${lang}`);

/** Builds the widget speaking `lang`: its strings replace the default ones (i18n/lang.ts). */
function speaking(lang: string): Plugin {
  return {
    name: `parley-lang-${lang}`,
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\/i18n\/lang\.js$/ }, () => ({ path: join(i18nDir, `${lang}.ts`) }));
    },
  };
}

const widget = (liveChunkFile: string, lang: string): BuildOptions => ({
  ...common,
  entryPoints: { [widgetFile(lang)]: join(root, 'src/client/widget/index.tsx') },
  outdir,
  format: 'esm',
  target: 'es2020',
  entryNames: '[name]',
  plugins: [speaking(lang)],
  // A relative specifier: import() resolves it against widget.js's own URL on the Parley origin.
  define: { ...common.define, PARLEY_LIVE_CHUNK: JSON.stringify(`./${liveChunkFile}`) },
  external: ['./chunks/*'],
});

/** The dashboard's enhancement of its server-rendered pages: one file, loaded under the page's nonce (no chunks to allow). */
const admin: BuildOptions = {
  ...common,
  // The import page's script apart: only that page loads it, so the queues' admin.js does not grow.
  entryPoints: {
    admin: join(root, 'src/client/admin/index.ts'), 'admin-import': join(root, 'src/client/admin/import.ts'),
    // The forum's live lists (socket.io-client included), on its pages only: apart from the widget.
    forum: join(root, 'src/client/forum/live.ts'),
  },
  outdir,
  format: 'esm',
  target: 'es2020',
  entryNames: '[name]',
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

function total(sizes: FileSize[]): { raw: number; gzip: number } {
  return sizes.reduce((sum, size) => ({ raw: sum.raw + size.raw, gzip: sum.gzip + size.gzip }), { raw: 0, gzip: 0 });
}

async function main() {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const buildWidget = async () => {
    const live = await build(liveChunk);
    const liveFile = Object.keys(live.metafile!.outputs).find((file) => file.endsWith('.js'))!;
    for (const lang of languages) {
      const widgetResult = await build(widget(relative(outdir, join(root, liveFile)), lang));
      const staticImports = Object.values(widgetResult.metafile!.outputs).flatMap((output) => output.imports);
      if (staticImports.some((imported) => imported.kind === 'import-statement')) {
        throw new Error('widget.js must not import other files before it renders');
      }
    }
  };
  await Promise.all([
    build(classicScript('src/client/widget/embed.ts', 'embed.js')),
    buildWidget(),
    build(classicScript('src/client/count/count.ts', 'count.js')),
    build(admin),
  ]);

  const files = listFiles(outdir).sort().map(sizeOf);
  const named = (file: string) => files.filter((size) => size.file === file);
  const manifest = {
    builtAt: new Date().toISOString(),
    files,
    bundles: {
      /** What a page downloads before the thread shows (the thread JSON comes in parallel with widget.js). */
      firstPaint: total([...named('embed.js'), ...named('widget.js')]),
      /** The same in each language: the reader downloads one of them. */
      ...Object.fromEntries(languages.filter((lang) => lang !== 'en')
        .map((lang) => [`firstPaint.${lang}`, total([...named('embed.js'), ...named(`${widgetFile(lang)}.js`)])])),
      /** Loaded after the thread is shown: socket.io-client for live updates. */
      live: total(files.filter((size) => size.file.startsWith('chunks/'))),
      count: total(named('count.js')),
      /** The moderators' dashboard (not a reader's download). */
      admin: total(named('admin.js')),
      /** The import page of the dashboard (a site's admins only). */
      adminImport: total(named('admin-import.js')),
      /** The forum's live lists (its pages only). */
      forum: total(named('forum.js')),
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
