import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

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

/** What one line says of a request: no body, no address, no header, no query string. */
function summary(req: IncomingMessage, res: ServerResponse, ms: number) {
  return { method: req.method, route: routeOf(req, res), status: res.statusCode, ms };
}

/** One log line per request, with its id, which is also returned as X-Request-Id. */
export function requestLog(log: Logger): RequestHandler {
  const logRequest = pinoHttp({
    logger: log,
    genReqId: requestId,
    customAttributeKeys: { reqId: 'requestId' },
    // Only the request id is bound to the request's logger: no serialized req or res objects.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      return PROBES.has((req as Request).path) ? 'debug' : 'info';
    },
    customSuccessObject: (req, res, value) => summary(req, res, value.responseTime as number),
    customErrorObject: (req, res, _err, value) => summary(req, res, value.responseTime as number),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
  });
  return (req, res, next) => {
    trackRoute(req);
    logRequest(req, res, next);
  };
}
