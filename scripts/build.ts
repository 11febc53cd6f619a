/**
 * Builds what changed since the last build, and only that; `npm start`, `npm test` and
 * `npm run parley` run it first, so an unchanged checkout starts at once:
 *   dist/client/   the browser side, by scripts/build-client.ts (esbuild)
 *   dist/server/   the server as plain JavaScript (with dist/shared/), by tsc with
 *                  tsconfig.build.json, plus the files it reads beside its code: what
 *                  `node dist/server/main.js` runs, with no tsx and no sources
 * Each part's inputs are hashed; dist/.build/<part> holds the hash of its last good build.
 * Run: npm run build [-- --force]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamps = join(dist, '.build');

interface Part {
  name: string;
  /** Files and folders whose content decides the output. */
  inputs: string[];
  /** A file the build leaves: when it is gone (dist cleaned by hand), the part is rebuilt. */
  output: string;
  build(): void;
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

/** Content, not mtimes: a checkout or `git stash` touches files without changing them. */
function hashOf(inputs: string[]): string {
  const hash = createHash('sha256');
  const files = inputs.flatMap((input) => filesUnder(join(root, input))).sort();
  for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Runs node with args; the exit codes in `accept` beside 0 count as success too. */
function run(args: string[], accept: number[] = []): number {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  const status = result.status ?? -1;
  if (status !== 0 && !accept.includes(status)) throw new Error(`${args.join(' ')} failed (${result.status ?? result.signal})`);
  return status;
}

/** tsc's exit code when it reported type errors but wrote every file all the same. */
const TSC_ERRORS_EMITTED = 2;

/** The server's files that are not code but read at run time next to it (the demo article). */
function copyAssets(from: string, to: string): void {
  for (const file of filesUnder(from)) {
    if (/\.tsx?$/.test(file)) continue;
    const target = join(to, relative(from, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}

/**
 * Compiled aside and then moved in place, so a server started meanwhile never finds half a
 * build. Paths resolved from a module's own URL (migrations, dist/client) lie at the same depth
 * from dist/server as from src/server, so they hold in both.
 */
function buildServer(): void {
  const staging = join(dist, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    // Type errors are `npm run typecheck`'s to report: like tsx, which runs the tests, the build
    // strips types, so a type error elsewhere in the tree stops neither a start nor a test run.
    const tsc = [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', staging];
    if (run(tsc, [TSC_ERRORS_EMITTED]) === TSC_ERRORS_EMITTED) console.error('dist/server: built despite the type errors above');
    copyAssets(join(root, 'src/server'), join(staging, 'server'));
    for (const name of ['server', 'shared']) {
      rmSync(join(dist, name), { recursive: true, force: true });
      renameSync(join(staging, name), join(dist, name));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const shared = ['src/shared', 'package-lock.json', 'scripts/build.ts'];
const parts: Part[] = [
  {
    name: 'client',
    inputs: ['src/client', 'scripts/build-client.ts', ...shared],
    output: 'dist/client/manifest.json',
    build: () => run(['--import', 'tsx', join(root, 'scripts/build-client.ts')]),
  },
  {
    name: 'server',
    inputs: ['src/server', 'tsconfig.json', 'tsconfig.build.json', ...shared],
    output: 'dist/server/main.js',
    build: buildServer,
  },
];

function buildIfChanged(part: Part, force: boolean): void {
  const stamp = join(stamps, part.name);
  const hash = hashOf(part.inputs);
  const fresh = existsSync(join(root, part.output)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
  if (fresh && !force) {
    console.error(`dist/${part.name}: up to date`);
    return;
  }
  console.error(`dist/${part.name}: building`);
  // A failed build leaves no stamp: the next run tries again.
  rmSync(stamp, { force: true });
  part.build();
  mkdirSync(stamps, { recursive: true });
  writeFileSync(stamp, hash);
}

const force = process.argv.includes('--force');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
try {
  for (const part of parts) if (only.length === 0 || only.includes(part.name)) buildIfChanged(part, force);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
