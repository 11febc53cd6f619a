/** Stable error codes: the server sends them, the widget shows a message per code. */
export const ErrorCodes = {
  badRequest: 'bad_request',
  validation: 'validation_failed',
  payloadTooLarge: 'payload_too_large',
  /** 401: the request needs a session and carries none. */
  authRequired: 'auth_required',
  /** 401: the session token is unknown, expired or revoked: drop it. */
  unauthorized: 'unauthorized',
  /** 403: this site asks readers to sign in (a guest session does not do). */
  signInRequired: 'sign_in_required',
  invalidCursor: 'invalid_cursor',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  editWindowClosed: 'edit_window_closed',
  threadClosed: 'thread_closed',
  rateLimited: 'rate_limited',
  internal: 'internal_error',
  unavailable: 'unavailable',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** What the widget says to a reader for each code (English interface). */
export const errorMessages: Record<ErrorCode, string> = {
  bad_request: 'The request was not understood.',
  validation_failed: 'Please check what you entered.',
  payload_too_large: 'That comment is too long.',
  auth_required: 'Please give your name (or sign in) first.',
  unauthorized: 'Please sign in again.',
  sign_in_required: 'This site asks readers to sign in to take part.',
  invalid_cursor: 'That page is no longer available; please reload the comments.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'That comment or thread no longer exists.',
  conflict: 'That changed meanwhile; please reload.',
  edit_window_closed: 'The time to edit or delete this comment has passed.',
  thread_closed: 'This thread is closed to new comments.',
  rate_limited: 'Slow down a little and try again.',
  internal_error: 'Something went wrong on our side.',
  unavailable: 'Comments are unavailable for a moment; please try again.',
};
