import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Deps } from '../deps.js';
import { routeOf } from '../http/request-log.js';

/**
 * Prometheus metrics for operators: HTTP latency by route, live connections, and what
 * readers do (comments, votes), counted from domain events rather than by the routes.
 */
export function createMetrics(deps: Deps, liveConnections: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const duration = new Histogram({
    name: 'parley_http_request_duration_seconds', help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  new Gauge({ name: 'parley_live_connections', help: 'Open socket.io connections', registers: [registry], collect() { this.set(liveConnections()); } });
  const comments = new Counter({ name: 'parley_comments_total', help: 'Comment changes', labelNames: ['change'], registers: [registry] });
  const votes = new Counter({ name: 'parley_votes_total', help: 'Vote changes', registers: [registry] });
  const offs = [
    deps.events.on('comment.created', () => comments.inc({ change: 'created' })),
    deps.events.on('comment.updated', () => comments.inc({ change: 'updated' })),
    deps.events.on('comment.deleted', () => comments.inc({ change: 'deleted' })),
    deps.events.on('vote.updated', () => votes.inc()),
  ];

  const timeRequests: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      // The route pattern, not the URL: ids would make a label per comment.
      stop({ method: req.method, route: req.route ? routeOf(req, res) : 'unmatched', status: String(res.statusCode) });
    });
    next();
  };

  return { registry, timeRequests, close: () => offs.forEach((off) => off()) };
}

/** GET /metrics behind a bearer token: the figures are operators', not the public's. */
export function metricsEndpoint(registry: Registry, token: string): RequestHandler {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (req, res) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'The metrics token is required.' } });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  };
}
