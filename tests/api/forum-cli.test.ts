/** `npm run parley -- create-category`: a real site gets its forum's categories from the command line. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const root = path.resolve(import.meta.dirname, '../..');
let database: TestDatabase;
before(async () => { database = await createTestDatabase(); });
after(async () => { await database?.drop(); });

function parley(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: path.join(root, '.tmp', 'forum-cli-test') },
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

it('adds categories nested one level, the articles\' category, and refuses a deeper one or an unknown parent', async () => {
  assert.equal(parley('create-site', '--slug', 'blog', '--name', 'Blog', '--origin', 'https://blog.example').code, 0);
  const top = parley('create-category', '--site', 'blog', '--slug', 'europe', '--name', 'Europe', '--description', 'The continent');
  assert.equal(top.code, 0, top.err);
  assert.match(top.out, /Category europe \("Europe"\) on blog\./);
  assert.equal(parley('create-category', '--site', 'blog', '--slug', 'russia', '--name', 'Russia', '--parent', 'europe', '--start', 'staff').code, 0);
  const articles = parley('create-category', '--site', 'blog', '--slug', 'articles', '--name', 'Article discussions', '--articles');
  assert.match(articles.out, /holds the site's article threads/);
  const deeper = parley('create-category', '--site', 'blog', '--slug', 'moscow', '--name', 'Moscow', '--parent', 'russia');
  assert.equal(deeper.code, 1);
  assert.match(deeper.err, /one level only/);
  const orphan = parley('create-category', '--site', 'blog', '--slug', 'x', '--name', 'X', '--parent', 'nowhere');
  assert.equal(orphan.code, 1);
  assert.match(orphan.err, /Category "nowhere" not found/);
  const { rows } = await database.pool.query(`select c.slug, c.position, c.start_topics, c.holds_articles, p.slug as parent
    from forum_categories c left join forum_categories p on p.id = c.parent_id order by c.created_at`);
  assert.deepEqual(rows, [
    { slug: 'europe', position: 0, start_topics: 'members', holds_articles: false, parent: null },
    { slug: 'russia', position: 0, start_topics: 'staff', holds_articles: false, parent: 'europe' },
    { slug: 'articles', position: 1, start_topics: 'nobody', holds_articles: true, parent: null },
  ]);
});
