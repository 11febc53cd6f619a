import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An id a proxy in front set (nginx's $request_id): kept so both logs tell of one request. */
const FORWARDED_ID = /^[\w.-]{8,64}$/;
/** Probes answer every few seconds: at info level they would drown the requests that matter. */
const PROBES = new Set(['/healthz', '/readyz']);

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && FORWARDED_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

const PATTERN = Symbol('route pattern');
type Tracked = Request & { [PATTERN]?: string };

/**
 * Notes the full route pattern when the router matches one. Read at the end instead, it would
 * miss the router's mount point on errors: the router resets req.baseUrl before the app's
 * error handler answers.
 */
function trackRoute(req: IncomingMessage): void {
  const tracked = req as Tracked;
  let route: unknown;
  Object.defineProperty(tracked, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value) tracked[PATTERN] = `${tracked.baseUrl}${String(value.path)}`;
    },
  });
}

/**
 * The route pattern, never the URL: ids and query strings (which can hold what readers typed)
 * stay out. A file served from dist/client has no route; its path is one of ours, not a reader's.
 */
function routeOf(req: IncomingMessage, res: ServerResponse): string {
  const { path, [PATTERN]: pattern } = req as Tracked;
  if (pattern) return pattern;
  return res.statusCode < 400 && path ? path : 'unmatched';
}

/**
 * One log line per request, with its id, which is also returned as X-Request-Id. Written
 * straight to the process's logger when the response finishes: no per-request child logger
 * or serializers, which cost more than the request itself on a cached page.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = requestId(req, res);
    trackRoute(req);
    res.once('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      const line = { requestId: id, method: req.method, route: routeOf(req, res), status: res.statusCode, ms };
      if (res.statusCode >= 500) log.error(line, 'request failed');
      else if (PROBES.has(req.path)) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}
