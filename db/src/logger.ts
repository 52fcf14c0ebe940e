import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, at the top level or nested up to two levels. */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'ticket',
  'authorization',
  'cookie',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Error fields that describe a failure without carrying the values involved. */
const SAFE_FIELDS = ['code', 'severity', 'routine', 'table', 'column', 'constraint'] as const;
const MAX_CAUSES = 5;

/**
 * The `err` serializer. Database errors carry what was written: drizzle's DrizzleQueryError has
 * `params` and puts them in its message ("Failed query: …\nparams: …"), PGlite's errors carry
 * `params`, and pg's `detail` echoes key values ("Key (email)=(…) already exists"). A log line
 * keeps the type, the message without params, the SQL text (placeholders only), pg's code and
 * the names of the table, column and constraint involved, and the same for each cause.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const type = error.constructor?.name ?? error.name;
  const message = withoutParams(error.message);
  const out: Record<string, unknown> = { type, message };
  const fields = error as unknown as Record<string, unknown>;
  for (const field of SAFE_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (typeof fields.query === 'string') out.query = fields.query;
  if (error.stack) {
    const frames = error.stack.indexOf('\n    at ');
    out.stack = `${type}: ${message}${frames >= 0 ? error.stack.slice(frames) : ''}`;
  }
  if (error.cause !== undefined && depth < MAX_CAUSES)
    out.cause = serializeError(error.cause, depth + 1);
  return out;
}

const withoutParams = (message: string) => {
  const at = message.indexOf('\nparams:');
  return at >= 0 ? message.slice(0, at) : message;
};

/**
 * The one logger of a process: JSON lines on stdout (or `destination`); components take child
 * loggers. Errors are logged through `serializeError` and secrets are redacted, so no line
 * carries a password, a hash, a token or a query's parameters.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { pid: process.pid, ...base },
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
