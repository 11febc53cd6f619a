import { ErrorCodes, type ErrorCode } from '../shared/errors.js';

/** An error a service throws on purpose: the HTTP layer maps it by class, never by message. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(message: string, details?: unknown) { super(ErrorCodes.badRequest, 400, message, details); }
}
export class ValidationFailed extends AppError {
  constructor(message: string, details?: unknown) { super(ErrorCodes.validation, 400, message, details); }
}
export class PayloadTooLarge extends AppError {
  constructor(message: string) { super(ErrorCodes.payloadTooLarge, 413, message); }
}
export class Unauthorized extends AppError {
  constructor(message = 'A valid session is required.') { super(ErrorCodes.unauthorized, 401, message); }
}
export class Forbidden extends AppError {
  constructor(message: string) { super(ErrorCodes.forbidden, 403, message); }
}
export class NotFound extends AppError {
  constructor(what: string) { super(ErrorCodes.notFound, 404, `${what} not found.`); }
}
export class EditWindowClosed extends AppError {
  constructor() { super(ErrorCodes.editWindowClosed, 403, 'The time to edit or delete this comment has passed.'); }
}
export class ThreadClosed extends AppError {
  constructor() { super(ErrorCodes.threadClosed, 403, 'This thread does not accept new comments.'); }
}
export class Unavailable extends AppError {
  constructor(message: string) { super(ErrorCodes.unavailable, 503, message); }
}

export class RateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCodes.rateLimited, 429, `Too many requests; try again in ${retryAfterSeconds} s.`);
  }
}
