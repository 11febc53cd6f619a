import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/server/runtime.js';
import { api, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

/** Everything the app logs, as main.ts would write it to stdout. */
const logged: string[] = [];
let app: TestApp;

before(async () => {
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => { logged.push(line); } });
  app = await startTestApp({ logger });
});
after(async () => { await app?.close(); });

/** Makes every comment insert fail inside PostgreSQL, after its values were sent as parameters. */
async function refuseCommentInserts(): Promise<void> {
  await app.database.pool.query(`
    create function refuse_comment() returns trigger language plpgsql as $$
    begin raise exception 'comment inserts are refused by the test'; end $$;
    create trigger refuse_comment before insert on comments for each row execute function refuse_comment();
  `);
}

describe('logs of a failing request', () => {
  it('say what failed, but hold no comment body, email, query string or query parameters', async () => {
    const opened = await api(app, 'GET', `/api/v1/threads?site=news&key=log-test&url=${encodeURIComponent(`${SITE_ORIGIN}/log-test`)}`, {
      headers: { origin: SITE_ORIGIN },
    });
    assert.equal(opened.status, 200, opened.text);
    await refuseCommentInserts();
    const body = 'Zq7 my very personal comment text Xk9';
    const email = 'reader-zq7xk9@mail.example';
    const res = await api(app, 'POST', `/api/v1/threads/${opened.json.thread.id}/comments?ref=query-zq7xk9`, {
      body: { body, author: { name: 'Reader', email } }, headers: { origin: SITE_ORIGIN },
    });

    assert.equal(res.status, 500);
    assert.deepEqual(res.json, { error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
    const log = logged.join('');
    const line = logged.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    assert.ok(line, `an 'unhandled error' line in:\n${log}`);
    for (const secret of [body, 'Zq7', email, 'zq7xk9', 'params']) {
      assert.equal(log.includes(secret), false, `the log holds ${secret}:\n${log}`);
    }
    // Still enough to find the fault: which request, which query, what PostgreSQL said.
    assert.equal(line.path, `/api/v1/threads/${opened.json.thread.id}/comments`);
    assert.match(line.err.message, /Failed query: (with .* )?insert into "comments"/s);
    assert.match(JSON.stringify(line.err.cause), /comment inserts are refused by the test/);
  });
});

describe('mail without SMTP_URL', () => {
  it('is written to the log with its link, never with the password or the whole address', async () => {
    const before = logged.length;
    const password = 'Zq7-secret-password-Xk9';
    const res = await api(app, 'POST', '/api/v1/auth/signup', { body: { email: 'logged.reader@mail.example', password, displayName: 'Logged Reader' } });
    assert.equal(res.status, 202);
    let line: string | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = logged.slice(before).find((l) => l.includes('no SMTP_URL'));
      if (!line) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(line, 'the mail reaches the log');
    const entry = JSON.parse(line);
    assert.match(entry.mail.text, new RegExp(`${app.url}/auth/verify\\?token=[\\w-]{43}`));
    assert.equal(entry.mail.to, 'l***@mail.example');
    const log = logged.slice(before).join('');
    assert.doesNotMatch(log, /Zq7-secret-password/);
    assert.doesNotMatch(log, /logged\.reader@/);
  });
});
