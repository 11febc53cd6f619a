import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { api, openThread, startTestApp, type TestApp } from '../helpers/app.js';

const TOKEN = 'metrics-token-0123456789';
let app: TestApp;
before(async () => { app = await startTestApp({ metricsToken: TOKEN }); });
after(async () => { await app?.close(); });

const scrape = (token?: string) => fetch(`${app.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('GET /metrics', () => {
  it('is only for requests bearing the metrics token', async () => {
    assert.equal((await scrape()).status, 401);
    assert.equal((await scrape('wrong-token-0123456789')).status, 401);
    assert.equal((await scrape(TOKEN)).status, 200);
  });

  it('counts requests by route pattern, comments, votes and live connections', async () => {
    const thread = await openThread(app, 'metered');
    const posted = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'count me', author: { name: 'M' } } });
    await api(app, 'POST', `/api/v1/comments/${posted.json.comment.id}/vote`, { body: { value: 1, author: { name: 'Voter' } } });
    const socket = io(app.url, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    try {
      const text = await (await scrape(TOKEN)).text();
      assert.match(text, /parley_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/threads\/:id\/comments",status="201"\} 1/);
      assert.match(text, /parley_comments_total\{change="created"\} 1/);
      assert.match(text, /parley_votes_total 1/);
      assert.match(text, /parley_live_connections 1/);
      assert.doesNotMatch(text, new RegExp(thread.id), 'no label carries an id');
    } finally {
      socket.disconnect();
    }
  });

  it('does not exist without a token configured', async () => {
    const plain = await startTestApp();
    try {
      assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    } finally {
      await plain.close();
    }
  });
});
