import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: TestDatabase;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database?.drop(); });

/** `npm run parley -- ...` as an operator runs it, against this file's database. */
function parley(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: path.join(root, '.tmp', 'cli-test') },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('npm run parley -- create-site', () => {
  it('adds a site with several origins, which then serves threads', async () => {
    const run = parley('create-site', '--slug', 'field-notes', '--name', 'Field Notes', '--origin', 'https://notes.example', '--origin', 'https://www.notes.example/blog');
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /Created site "field-notes"/);
    const { rows } = await database.pool.query('select name, allowed_origins, guests_allowed from sites where slug = $1', ['field-notes']);
    assert.deepEqual(rows[0], { name: 'Field Notes', allowed_origins: ['https://notes.example', 'https://www.notes.example'], guests_allowed: true });
  });

  it('records the query parameters that name a different page', async () => {
    const run = parley('create-site', '--slug', 'old-forum', '--name', 'Old forum', '--origin', 'https://forum.example', '--query-param', 'p', '--query-param', 't');
    assert.equal(run.code, 0, run.err);
    const { rows } = await database.pool.query('select significant_query_params from sites where slug = $1', ['old-forum']);
    assert.deepEqual(rows[0].significant_query_params, ['p', 't']);
  });

  it('refuses a duplicate slug or a bad origin with a readable error and exit code 1', () => {
    const duplicate = parley('create-site', '--slug', 'field-notes', '--name', 'Again', '--origin', 'https://x.example');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.err, /exists already/);
    const bad = parley('create-site', '--slug', 'ok-slug', '--name', 'Bad', '--origin', 'ftp://files.example');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /http\(s\) origin/);
  });

  it('explains its commands when called without one', () => {
    const run = parley();
    assert.equal(run.code, 2);
    assert.match(run.err, /create-site --slug SLUG/);
  });
});
