/**
 * The webhook job: POSTs one delivery's body, signed, to its endpoint. The delivery's row is
 * locked while it goes out and its outcome (and the attempt) is committed before the job ends:
 * a second worker holding the same job (one whose first holder was taken for dead) waits on the
 * lock, then finds it delivered. A failed attempt is recorded, then the job fails so that the
 * queue retries it with backoff; after the last retry the delivery is marked failed.
 */
import http from 'node:http';
import https from 'node:https';
import { eq } from 'drizzle-orm';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { webhookAttempts, webhookDeliveries, webhooks } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { retriesForADay } from '../jobs/queue.js';
import type { Job } from '../jobs/runner.js';
import { signatureHeader } from './signature.js';

const TIMEOUT_MS = 10_000;
/** Enough of a receiver's answer to show in the log. */
const ERROR_TEXT_MAX = 300;

export class DeliveryFailed extends Error {}

// Connections to private, loopback and link-local addresses are refused when they are made,
// after DNS: a name that resolves to a public address when registered and to 127.0.0.1 now
// (DNS rebinding) is refused too.
const filtering = { http: new RequestFilteringHttpAgent({ keepAlive: true }), https: new RequestFilteringHttpsAgent({ keepAlive: true }) };
const open = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

interface Outcome { statusCode: number | null; error: string | null; ms: number }

function post(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<Outcome> {
  const started = Date.now();
  const target = new URL(url);
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const agent = (allowPrivate ? open : filtering)[scheme];
  const request = scheme === 'https' ? https.request : http.request;
  return new Promise((resolve) => {
    const done = (statusCode: number | null, error: string | null) => resolve({ statusCode, error, ms: Date.now() - started });
    const req = request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (text.length < ERROR_TEXT_MAX) text += chunk; });
      res.on('end', () => {
        const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
        done(res.statusCode ?? null, ok ? null : `HTTP ${res.statusCode}${text ? `: ${text.slice(0, ERROR_TEXT_MAX)}` : ''}`);
      });
      res.on('error', (err) => done(res.statusCode ?? null, err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => done(null, err.message));
    req.end(body);
  });
}

export async function deliverWebhook(deps: Deps, job: Job<{ deliveryId: string }>): Promise<void> {
  const lastTry = job.retryCount >= retriesForADay(deps.jobs.settings.retryBaseSeconds);
  const failure = await deps.db.transaction(async (tx) => {
    const [found] = await tx.select({ delivery: webhookDeliveries, hook: webhooks }).from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .where(eq(webhookDeliveries.id, job.data.deliveryId)).for('update', { of: webhookDeliveries }).limit(1);
    if (!found || found.delivery.status !== 'pending') return null;
    const { delivery, hook } = found;
    if (!hook.active) {
      await tx.update(webhookDeliveries).set({ status: 'failed', lastError: 'the endpoint is disabled' }).where(eq(webhookDeliveries.id, delivery.id));
      return null;
    }
    const now = deps.now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Parley-Webhooks/1',
      'x-parley-event': delivery.event,
      'x-parley-delivery': delivery.id,
      'x-parley-signature': signatureHeader(hook.secret, delivery.body, Math.floor(now.getTime() / 1000)),
    };
    const outcome = await post(hook.url, headers, delivery.body, deps.notify.webhooksAllowPrivate);
    const delivered = outcome.error === null;
    await tx.insert(webhookAttempts).values({ deliveryId: delivery.id, at: now, statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.ms });
    await tx.update(webhookDeliveries).set({
      status: delivered ? 'delivered' : lastTry ? 'failed' : 'pending',
      attempts: delivery.attempts + 1, lastStatusCode: outcome.statusCode, lastError: outcome.error, lastAttemptAt: now,
      deliveredAt: delivered ? now : null,
    }).where(eq(webhookDeliveries.id, delivery.id));
    return delivered || lastTry ? null : outcome.error;
  });
  // Committed first, so the log shows the attempt; failing the job then schedules the retry.
  if (failure) throw new DeliveryFailed(failure);
}
