import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ErrorBody } from '../../shared/errors.js';
import { ErrorCodes } from '../../shared/errors.js';
import { AppError, RateLimited } from '../errors.js';

/** body-parser's failures carry a `type`; they are the client's fault, not ours. */
function bodyParserError(err: unknown): AppError | null {
  const type = (err as { type?: string })?.type;
  if (type === 'entity.parse.failed') return new AppError(ErrorCodes.badRequest, 400, 'The body is not valid JSON.');
  if (type === 'entity.too.large') return new AppError(ErrorCodes.payloadTooLarge, 413, 'The body is too large.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError(ErrorCodes.badRequest, 415, 'The body must be UTF-8 JSON.');
  }
  return null;
}

function send(res: Parameters<ErrorRequestHandler>[2], err: AppError): void {
  const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
  res.status(err.status).json(body);
}

/** One error shape for every failure; never an HTML page or a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : bodyParserError(err);
    if (known instanceof RateLimited) res.set('Retry-After', String(known.retryAfterSeconds));
    if (known) return send(res, known);
    // The path only: a query string can carry what readers typed (emails, search terms).
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    send(res, new AppError(ErrorCodes.internal, 500, 'Something went wrong on our side.'));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  send(res, new AppError(ErrorCodes.notFound, 404, `No route for ${req.method} ${req.path}.`));
};
