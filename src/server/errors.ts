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
/** The session token is unknown, expired or revoked: the client should drop it. */
export class Unauthorized extends AppError {
  constructor(message = 'This session is unknown or has expired.') { super(ErrorCodes.unauthorized, 401, message); }
}
/** The action needs a session and the request carries none. */
export class AuthRequired extends AppError {
  constructor(message = 'Sign in or give your name first.', details?: unknown) { super(ErrorCodes.authRequired, 401, message, details); }
}
/** The site refuses guests: a valid guest session stays valid, it just does not do here. */
export class SignInRequired extends AppError {
  constructor() { super(ErrorCodes.signInRequired, 403, 'This site asks readers to sign in first.'); }
}
export class InvalidCursor extends AppError {
  constructor(message = 'The cursor is not one this server issued.') { super(ErrorCodes.invalidCursor, 400, message); }
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
  constructor(status: 'locked' | 'closed' = 'closed') {
    super(ErrorCodes.threadClosed, 403, status === 'locked' ? 'This thread is locked: no new comments.' : 'This thread is closed: no new comments, edits or votes.');
  }
}
export class Unavailable extends AppError {
  constructor(message: string) { super(ErrorCodes.unavailable, 503, message); }
}

export class RateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCodes.rateLimited, 429, `Too many requests; try again in ${retryAfterSeconds} s.`);
  }
}

export class Conflict extends AppError {
  constructor(message: string) { super(ErrorCodes.conflict, 409, message); }
}
/** Wrong email or password: the message never says which. */
export class InvalidCredentials extends AppError {
  constructor() { super(ErrorCodes.invalidCredentials, 401, 'That email and password do not match an account.'); }
}
export class InvalidSso extends AppError {
  constructor(message: string) { super(ErrorCodes.invalidSso, 401, message); }
}
export class EmailNotVerified extends AppError {
  constructor() { super(ErrorCodes.emailNotVerified, 403, 'Verify your email address first: follow the link we sent you.'); }
}
export class NameTaken extends AppError {
  constructor() { super(ErrorCodes.nameTaken, 409, 'That name is (or looks like) the name of a member of this site; guests choose another.', { author: ['name belongs to a member'] }); }
}
