import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { api, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    assert.equal((await api(app, 'GET', '/healthz')).status, 200);
    const ready = await api(app, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
  });

  it('answers /readyz with 503 once the database is gone, while /healthz still answers', async () => {
    const other = await startTestApp();
    const admin = new pg.Client({ connectionString: process.env.PARLEY_TEST_ADMIN_URL });
    try {
      await admin.connect();
      const name = new URL(other.database.url).pathname.slice(1);
      await admin.query(`alter database ${admin.escapeIdentifier(name)} with allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      const ready = await api(other, 'GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json.error.code, 'unavailable');
      assert.equal((await api(other, 'GET', '/healthz')).status, 200);
    } finally {
      await admin.end();
      await other.close();
    }
  });

  it('describes the API in an OpenAPI document', async () => {
    const doc = await api(app, 'GET', '/api/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.json.openapi, '3.1.0');
    for (const p of ['/threads', '/threads/{id}/comments', '/threads/{id}/me', '/comments/{id}', '/comments/{id}/vote', '/counts']) assert.ok(doc.json.paths[p], p);
    assert.ok(doc.json.components.schemas.ReaderOverlay.properties.pending, 'the reader overlay is described');
    const postSchema = doc.json.paths['/threads/{id}/comments'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(postSchema.required, ['body']);
    assert.equal(postSchema.properties.body.maxLength, 10_000);
  });
});

describe('cross-origin access', () => {
  it('lets a site\'s own pages call the API, and nobody else\'s', async () => {
    const allowed = await fetch(`${app.url}/api/v1/counts?site=news&keys=a`, { headers: { origin: SITE_ORIGIN } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), SITE_ORIGIN);
    const preflight = await fetch(`${app.url}/api/v1/comments/x/vote`, {
      method: 'OPTIONS', headers: { origin: SITE_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    const denied = await fetch(`${app.url}/api/v1/counts?site=news&keys=a`, { headers: { origin: 'https://evil.example' } });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
  });

  it('serves the widget scripts to any page', async () => {
    const res = await fetch(`${app.url}/embed.js`);
    assert.equal(res.status, 200, 'run `npm run build` first');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    const widget = await fetch(`${app.url}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(widget.headers.get('content-encoding'), 'gzip', 'the widget travels compressed');
  });
});
