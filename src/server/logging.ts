/**
 * What Parley's logs may hold of an error: enough to find the fault, never the values a query
 * carried. drizzle's DrizzleQueryError puts the query's parameters (comment bodies, emails, IP
 * hashes) in its message, its stack and `.params`; pg's errors repeat row values in `detail`,
 * `where` and `internalQuery`. So an error is rebuilt from an allowlist, never copied.
 */

/** A logged error: the fields kept, each free of query parameters. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  severity?: string;
  constraint?: string;
  table?: string;
  cause?: LoggedError | string;
}

/** Names of PostgreSQL objects and codes, never row values: safe to keep. */
const KEPT_STRINGS = ['code', 'severity', 'constraint', 'table'] as const;
const MAX_CAUSES = 5;

/** drizzle writes `Failed query: <sql>\nparams: <values>`; the SQL has placeholders only. */
export function withoutQueryParams(text: string): string {
  const at = text.indexOf('\nparams:');
  return at === -1 ? text : text.slice(0, at);
}

/**
 * The stack repeats the message as it was when the error was made: swap in the cleaned one,
 * or, where it cannot be found, keep only the trailing frames.
 */
function cleanStack(stack: string, type: string, message: string, clean: string): string {
  if (message === clean) return stack;
  const at = stack.indexOf(message);
  if (at !== -1) return stack.slice(0, at) + clean + stack.slice(at + message.length);
  const lines = stack.split('\n');
  let first = lines.length;
  while (first > 0 && /^\s+at /.test(lines[first - 1])) first -= 1;
  return [`${type}: ${clean}`, ...lines.slice(first)].join('\n');
}

function typeOf(err: object): string {
  const constructorName = err.constructor?.name;
  if (constructorName && constructorName !== 'Error' && constructorName !== 'Object') return constructorName;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : 'Error';
}

function toLoggedError(err: object, depth: number): LoggedError {
  const source = err as Record<string, unknown>;
  const type = typeOf(err);
  const message = typeof source.message === 'string' ? source.message : '';
  const clean = withoutQueryParams(message);
  const logged: LoggedError = { type, message: clean };
  if (typeof source.stack === 'string') logged.stack = cleanStack(source.stack, type, message, clean);
  for (const key of KEPT_STRINGS) {
    if (typeof source[key] === 'string') logged[key] = source[key];
  }
  if (source.cause !== undefined && depth < MAX_CAUSES) {
    const cause = serializeError(source.cause, depth + 1);
    if (cause !== undefined) logged.cause = cause as LoggedError | string;
  }
  return logged;
}

/** pino's `err` serializer for Parley: see the top of this file. */
export function serializeError(err: unknown, depth = 0): LoggedError | string | number | boolean | undefined | null {
  if (typeof err === 'string') return withoutQueryParams(err);
  if (typeof err === 'object' && err !== null) return toLoggedError(err, depth);
  return err as number | boolean | undefined | null;
}

/**
 * Paths pino blanks whatever logs them: secrets, and personal data should any code log a
 * request body, a comment or a raw error field by mistake.
 */
export const REDACTED_PATHS = [
  'password', 'token', 'secret', 'email', 'body', 'params', 'detail', 'ip',
  '*.password', '*.token', '*.secret', '*.email', '*.body', '*.bodySource', '*.params', '*.detail', '*.ip', '*.ipHash',
  'req.headers.authorization', 'req.headers.cookie',
];
