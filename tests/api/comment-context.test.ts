/** GET /api/v1/comments/:id/context: a permalink's comment with its whole top-level tree, public like the pages. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

const fromSite = { origin: SITE_ORIGIN };
async function post(threadId: string, body: string, parentId?: string): Promise<string> {
  const created = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { headers: fromSite, body: { body, parentId, author: { name: 'Writer' } } });
  assert.equal(created.status, 201, created.text);
  return created.json.comment.id;
}

describe('GET /api/v1/comments/:id/context', () => {
  it('answers a deep reply with its top-level comment and every reply under it', async () => {
    const thread = await openThread(app, 'context-1');
    const top = await post(thread.id, 'Top of the branch');
    const middle = await post(thread.id, 'In the middle', top);
    const deep = await post(thread.id, 'Deep down', middle);
    await post(thread.id, 'Another branch altogether');
    const res = await api(app, 'GET', `/api/v1/comments/${deep}/context`, { headers: fromSite });
    assert.equal(res.status, 200);
    assert.equal(res.json.threadId, thread.id);
    assert.equal(res.json.comment.id, top);
    assert.equal(res.json.comment.replies[0].id, middle);
    assert.equal(res.json.comment.replies[0].replies[0].id, deep);
    assert.match(res.headers.get('cache-control') ?? '', /public/);
    // The widget on the site's page may read when to try again after a 429.
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/i);
  });

  it('is refused to another site\'s pages, and finds neither unknown ids nor comments nobody else may see', async () => {
    const thread = await openThread(app, 'context-2');
    const id = await post(thread.id, 'Published');
    await createSite(app.deps, { slug: 'other-context', name: 'Other', origins: ['https://other-context.example'] });
    const foreign = await api(app, 'GET', `/api/v1/comments/${id}/context`, { headers: { origin: 'https://other-context.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error.code, 'forbidden');

    const unknown = await api(app, 'GET', '/api/v1/comments/00000000-0000-4000-8000-000000000000/context');
    assert.equal(unknown.status, 404);
    const bad = await api(app, 'GET', '/api/v1/comments/not-an-id/context');
    assert.equal(bad.status, 400);

    await app.database.pool.query(`update comments set status = 'pending' where id = $1`, [id]);
    const held = await api(app, 'GET', `/api/v1/comments/${id}/context`, { headers: fromSite });
    assert.equal(held.status, 404, 'a comment under review is nobody else\'s to read');
  });
});
