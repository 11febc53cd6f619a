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

describe('npm run parley -- accounts and SSO', () => {
  it('create-site --sso-secret and site-settings set the secret a site signs its users in with', async () => {
    const created = parley('create-site', '--slug', 'sso-site', '--name', 'SSO', '--origin', 'https://sso.example', '--sso-secret', 'first-secret-0123456789');
    assert.equal(created.code, 0, created.err);
    const changed = parley('site-settings', '--site', 'sso-site', '--sso-secret', 'second-secret-0123456789');
    assert.equal(changed.code, 0, changed.err);
    assert.doesNotMatch(changed.out + changed.err, /second-secret/, 'the secret is not echoed');
    const { rows } = await database.pool.query('select sso_secret from sites where slug = $1', ['sso-site']);
    assert.equal(rows[0].sso_secret, 'second-secret-0123456789');
    const short = parley('site-settings', '--site', 'sso-site', '--sso-secret', 'short');
    assert.equal(short.code, 1);
    assert.match(short.err, /at least 16 characters/);
  });

  it('create-user adds a verified account, staff of a site; create-admin promotes one', async () => {
    const user = parley('create-user', '--email', 'mod@sso.example', '--password', 'moderator password', '--name', 'Mod', '--verified', '--site', 'sso-site', '--role', 'moderator');
    assert.equal(user.code, 0, user.err);
    const plain = parley('create-user', '--email', 'boss@sso.example', '--password', 'boss password 1', '--name', 'Boss', '--verified');
    assert.equal(plain.code, 0, plain.err);
    const admin = parley('create-admin', '--site', 'sso-site', '--email', 'BOSS@sso.example');
    assert.equal(admin.code, 0, admin.err);
    const { rows } = await database.pool.query(
      `select u.display_name, u.email_verified_at is not null as verified, u.password_hash like '$argon2id$%' as argon2id, m.role
         from users u join site_members m on m.user_id = u.id join sites s on s.id = m.site_id where s.slug = 'sso-site' order by u.display_name`,
    );
    assert.deepEqual(rows, [
      { display_name: 'Boss', verified: true, argon2id: true, role: 'admin' },
      { display_name: 'Mod', verified: true, argon2id: true, role: 'moderator' },
    ]);
  });

  it('refuses a taken address, a short password and an unknown account with exit code 1', () => {
    const taken = parley('create-user', '--email', 'mod@sso.example', '--password', 'another password', '--name', 'Again');
    assert.equal(taken.code, 1);
    assert.match(taken.err, /exists already/);
    const short = parley('create-user', '--email', 'x@sso.example', '--password', 'short', '--name', 'X');
    assert.equal(short.code, 1);
    assert.match(short.err, /at least 10 characters/);
    const unknown = parley('create-admin', '--site', 'sso-site', '--email', 'nobody@sso.example');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /No account uses/);
  });
});

describe('npm run parley -- moderation settings and the audit', () => {
  it('site-settings sets the moderation policies, and refuses a bad value changing nothing', async () => {
    const run = parley('site-settings', '--site', 'sso-site', '--premoderation', 'guests', '--premoderate-new-members', '2', '--premoderate-links',
      '--banned-words', 'scam, كلمة', '--suspect-words', 'propaganda', '--flag-threshold', '4', '--max-links', '2', '--min-compose-seconds', '5',
      '--auto-close-days', '30', '--edit-window-minutes', '20');
    assert.equal(run.code, 0, run.err);
    const read = async () => (await database.pool.query(
      `select premoderation, premoderate_new_members, premoderate_links, banned_words, suspect_words, flag_threshold, max_links,
              min_compose_seconds, auto_close_days, edit_window_seconds from sites where slug = 'sso-site'`)).rows[0];
    const expected = {
      premoderation: 'guests', premoderate_new_members: 2, premoderate_links: true, banned_words: ['scam', 'كلمة'], suspect_words: ['propaganda'],
      flag_threshold: 4, max_links: 2, min_compose_seconds: 5, auto_close_days: 30, edit_window_seconds: 1200,
    };
    assert.deepEqual(await read(), expected);
    const bad = parley('site-settings', '--site', 'sso-site', '--flag-threshold', '0', '--max-links', '1');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /flagThreshold/);
    assert.deepEqual(await read(), expected);
    assert.equal(parley('site-settings', '--site', 'sso-site', '--no-auto-close', '--banned-words', '').code, 0);
    const after = await read();
    assert.deepEqual([after.auto_close_days, after.banned_words], [null, []]);
  });

  it('verify-audit says an intact chain is intact, and names the entry a hand edit changed', async () => {
    const { createDeps } = await import('../../src/server/deps.js');
    const { appendAudit } = await import('../../src/server/moderation/audit.js');
    const deps = createDeps({ db: database.db, secret: 'cli-test-secret-0123' });
    const { rows: [site] } = await database.pool.query(`select id from sites where slug = 'sso-site'`);
    for (const action of ['comment.approve', 'comment.reject', 'user.ban']) {
      await database.db.transaction((tx) => appendAudit(tx, new Date(), {
        siteId: site.id, actor: { userId: null, displayName: 'Mod' }, action, targetType: 'comment', targetId: action, before: { a: 1 }, after: { a: 2 },
      }));
    }
    const intact = parley('verify-audit', '--site', 'sso-site');
    assert.equal(intact.code, 0, intact.err);
    assert.match(intact.out, /intact: 3 entries/);
    const { rows: [second] } = await database.pool.query(`select id from audit_log where site_id = $1 order by id offset 1 limit 1`, [site.id]);
    await database.pool.query(`update audit_log set after = '{"a": 3}' where id = $1`, [second.id]);
    const tampered = parley('verify-audit', '--site', 'sso-site');
    assert.equal(tampered.code, 1);
    assert.match(tampered.err, new RegExp(`entry ${second.id} was altered`));
  });
});
