import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/server/runtime.js';
import { api, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

/** Every line the app logs, as main.ts would write it to a pipe. */
const lines: string[] = [];
let app: TestApp;

before(async () => {
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => { lines.push(line); } });
  app = await startTestApp({ logger });
});
after(async () => { await app?.close(); });

const requestLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' || l.msg === 'request failed');

describe('request logs', () => {
  it('hold one line per request: method, route pattern, status, ms and the id also sent as X-Request-Id; no body, query, email or address', async () => {
    const email = 'reader-q8w7@mail.example';
    const body = 'Qz8 a personal comment body Wx7';
    const opened = await api(app, 'GET', `/api/v1/threads?site=news&key=log-line&url=${encodeURIComponent(`${SITE_ORIGIN}/log-line`)}`, {
      headers: { origin: SITE_ORIGIN },
    });
    assert.equal(opened.status, 200, opened.text);
    lines.length = 0;

    const res = await api(app, 'POST', `/api/v1/threads/${opened.json.thread.id}/comments?email=${encodeURIComponent(email)}`, {
      body: { body, author: { name: 'Reader', email } }, headers: { origin: SITE_ORIGIN },
    });
    assert.equal(res.status, 201, res.text);
    const id = res.headers.get('x-request-id');
    assert.ok(id, 'the response names its request id');

    const logged = requestLines();
    assert.equal(logged.length, 1, `one line:\n${lines.join('')}`);
    const line = logged[0];
    assert.deepEqual(
      { method: line.method, route: line.route, status: line.status, requestId: line.requestId, level: line.level },
      { method: 'POST', route: '/api/v1/threads/:id/comments', status: 201, requestId: id, level: 30 },
    );
    assert.equal(typeof line.ms, 'number');
    const text = lines.join('');
    for (const absent of [email, 'q8w7', body, 'Qz8', '127.0.0.1', '::1', 'remoteAddress', 'headers', opened.json.thread.id]) {
      assert.equal(text.includes(absent), false, `the log holds ${absent}:\n${text}`);
    }
  });

  it('give a failed request its route pattern, and keep a request id a proxy set', async () => {
    lines.length = 0;
    const res = await api(app, 'PATCH', '/api/v1/comments/00000000-0000-4000-8000-000000000000', {
      body: { body: 'x' }, headers: { 'x-request-id': 'nginx-0123456789abcdef' },
    });
    assert.ok(res.status >= 400);
    assert.equal(res.headers.get('x-request-id'), 'nginx-0123456789abcdef');
    const [line] = requestLines();
    assert.equal(line.route, '/api/v1/comments/:id', 'the mount point is kept on errors');
    assert.equal(line.requestId, 'nginx-0123456789abcdef');
    assert.equal(line.status, res.status);
  });

  it('leave /healthz and /readyz out at info level, while still sending their request id', async () => {
    lines.length = 0;
    for (const probe of ['/healthz', '/readyz']) {
      const res = await fetch(`${app.url}${probe}`);
      assert.equal(res.status, 200);
      assert.ok(res.headers.get('x-request-id'));
    }
    assert.deepEqual(requestLines(), []);
  });
});
