import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/server/config.js';
import { startParley, type RunningParley } from '../../src/server/runtime.js';
import { createSite } from '../../src/server/sites/service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: TestDatabase;
let dataDir: string;
before(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'parley-demo-default-'));
});
after(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Parley as `npm start` runs it, on this file's database; DEMO only when given. */
function start(env: { DEMO?: string } = {}): Promise<RunningParley> {
  return startParley(parseConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'silent',
    SESSION_SECRET: 'demo-secret-demo-secret', DATA_DIR: dataDir, ...env,
  }));
}

/** `npm run parley -- create-site ...` as an operator runs it, with DEMO only when given. */
function createSiteWithCli(slug: string, env: { DEMO?: string } = {}) {
  const { DEMO: _ignored, ...inherited } = process.env;
  const run = spawnSync(process.execPath, [
    '--import', 'tsx', 'src/server/cli.ts', 'create-site', '--slug', slug, '--name', slug, '--origin', `https://${slug}.example.org`,
  ], { cwd: root, encoding: 'utf8', env: { ...inherited, DATABASE_URL: database.url, DATA_DIR: dataDir, ...env } });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

async function demoSite(): Promise<{ enabled: boolean; allowed_origins: string[] }> {
  const { rows } = await database.pool.query('select enabled, allowed_origins from sites where slug = $1', ['demo']);
  return rows[0];
}

/** The origin CORS grants a page on `origin` asking for counts, if any. */
async function corsGrant(parley: RunningParley, origin: string): Promise<string | null> {
  const res = await fetch(`${parley.url}/api/v1/counts?key=a`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' },
  });
  await res.arrayBuffer();
  return res.headers.get('access-control-allow-origin');
}

async function demoPageStatus(parley: RunningParley): Promise<number> {
  const res = await fetch(`${parley.url}/`);
  const html = await res.text();
  if (res.status === 200) assert.match(html, /data-site="demo"/);
  return res.status;
}

describe('DEMO left unset', () => {
  let localOrigin = '';

  it('shows the demo on a first run, while it is the only site', async () => {
    const parley = await start();
    try {
      assert.equal(await demoPageStatus(parley), 200);
      const demo = await demoSite();
      assert.equal(demo.enabled, true);
      localOrigin = demo.allowed_origins.find((o) => o.startsWith('http://localhost:')) ?? '';
      assert.ok(localOrigin, `a localhost origin among ${demo.allowed_origins.join(', ')}`);
      assert.equal(await corsGrant(parley, localOrigin), localOrigin);
      await createSite(parley.deps, { slug: 'news', name: 'News', origins: ['https://news.example.org'] });
    } finally {
      await parley.stop();
    }
  });

  it('turns the demo off at the next start once a real site exists, localhost origins and all', async () => {
    const parley = await start();
    try {
      assert.equal(await demoPageStatus(parley), 404);
      assert.equal((await demoSite()).enabled, false);
      // Needs every allowlist to skip disabled sites.
      assert.equal(await corsGrant(parley, localOrigin), null, 'the demo\'s localhost origin is refused');
      assert.equal(await corsGrant(parley, 'https://news.example.org'), 'https://news.example.org');
    } finally {
      await parley.stop();
    }
  });

  it('keeps the demo on with DEMO=true, even beside real sites', async () => {
    const parley = await start({ DEMO: 'true' });
    try {
      assert.equal(await demoPageStatus(parley), 200);
      assert.equal((await demoSite()).enabled, true);
      assert.equal(await corsGrant(parley, localOrigin), localOrigin);
    } finally {
      await parley.stop();
    }
  });

  it('ends the demo when the CLI creates a site, unless DEMO=true', async () => {
    assert.doesNotMatch(createSiteWithCli('kept-demo', { DEMO: 'true' }), /demo site is now off/);
    assert.equal((await demoSite()).enabled, true);
    assert.match(createSiteWithCli('blog'), /demo site is now off/);
    assert.equal((await demoSite()).enabled, false);
  });

  it('never gives the demo\'s localhost origins to another site', async () => {
    const { rows } = await database.pool.query('select slug, allowed_origins from sites where slug <> $1', ['demo']);
    assert.equal(rows.length, 3);
    for (const { slug, allowed_origins: origins } of rows) {
      assert.deepEqual(origins.filter((o: string) => /localhost|127\.0\.0\.1/.test(o)), [], slug);
    }
  });
});
