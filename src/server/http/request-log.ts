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

/**
 * Notes where the router handling a request is mounted. Read at the end instead, it would be
 * lost on errors: the router resets req.baseUrl before the app's error handler answers. A
 * plain res.locals field, not a property trap on req (which would slow every access to req).
 */
export const rememberMount: RequestHandler = (req, res, next) => {
  res.locals.mount = req.baseUrl;
  next();
};

/**
 * The route pattern, never the URL: ids and query strings (which can hold what readers typed)
 * stay out. A file served from dist/client has no route; its path is one of ours, not a reader's.
 */
export function routeOf(req: Request, res: ServerResponse & { locals?: Record<string, unknown> }): string {
  if (req.route) return `${String(res.locals?.mount ?? req.baseUrl)}${String(req.route.path)}`;
  return res.statusCode < 400 && req.path ? req.path : 'unmatched';
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
