import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/server/db/embedded.js';

interface Seen { file: string; mode: number; text: string }

/**
 * Records every small file that appears in the watched folders, with its mode and content, as
 * often as it can (on every change event, and by polling): a password file that lives only
 * while initdb runs is caught too.
 */
function watchFiles(folders: { dir: string; recursive: boolean }[]) {
  const seen = new Map<string, Seen>();
  const look = (file: string) => {
    try {
      const { mode, size } = statSync(file);
      if ((mode & 0o170000) !== 0o100000 || size > 4096) return;
      const text = readFileSync(file, 'utf8');
      seen.set(`${file}\0${mode}\0${text}`, { file, mode, text });
    } catch { /* gone already, or not ours to read */ }
  };
  const scan = () => {
    for (const { dir, recursive } of folders) {
      let names: string[] = [];
      try { names = readdirSync(dir, { recursive, encoding: 'utf8' }); } catch { continue; }
      // The cluster's own files never hold the password in clear; skipping them keeps polls fast.
      for (const name of names) if (!name.startsWith(`postgres${path.sep}`)) look(path.join(dir, name));
    }
  };
  const watchers: FSWatcher[] = folders.map(({ dir, recursive }) => watch(dir, { recursive }, (_event, name) => {
    if (name) look(path.join(dir, name.toString()));
  }));
  const timer = setInterval(scan, 5);
  return {
    stop(): Seen[] {
      clearInterval(timer);
      watchers.forEach((w) => w.close());
      scan();
      return [...seen.values()];
    },
  };
}

describe('the embedded PostgreSQL', () => {
  it('never lets another user read its password, and starts with it', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-embedded-'));
    const watcher = watchFiles([{ dir: tmpdir(), recursive: false }, { dir: dataDir, recursive: true }]);
    let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    try {
      server = await startEmbeddedPostgres({ dataDir, port: 0, database: 'parley' });
      const seen = watcher.stop();
      const password = readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
      assert.ok(password.length >= 24);
      const holding = seen.filter((s) => s.text.includes(password));
      assert.ok(holding.length > 0, 'the watcher saw the password file');
      for (const { file, mode } of holding) {
        assert.equal(mode & 0o077, 0, `${file} held the password with mode ${(mode & 0o777).toString(8)}`);
      }

      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
      await client.end();
      const wrong = new URL(server.url);
      wrong.password = 'not-the-password';
      const intruder = new pg.Client({ connectionString: wrong.toString() });
      await assert.rejects(intruder.connect(), /password authentication failed/);
      await intruder.end().catch(() => {});
    } finally {
      watcher.stop();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
