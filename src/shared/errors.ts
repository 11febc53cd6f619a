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
  /** 401: wrong email or password (never says which). */
  invalidCredentials: 'invalid_credentials',
  /** 401: an SSO payload with a bad signature, a stale timestamp, or one spent by signing out. */
  invalidSso: 'invalid_sso',
  /** 403: the password was right but the address is not verified yet. */
  emailNotVerified: 'email_not_verified',
  /** 409: a guest name that is (or looks like) a member's name on this site. */
  nameTaken: 'name_taken',
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
  invalid_credentials: 'That email and password do not match.',
  invalid_sso: 'This site\'s sign-in could not be checked; please reload the page.',
  email_not_verified: 'Please verify your email address first: follow the link we sent you.',
  name_taken: 'That name belongs to a member of this site; please choose another.',
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
