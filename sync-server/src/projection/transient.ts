/**
 * Postgres codes of failures that say nothing about the rows being written: the same batch may
 * well succeed when tried again (statement timeout, lock not available, deadlock, serialization,
 * the server going away). Class 08 (connection exceptions) counts whole.
 */
const TRANSIENT_CODES = new Set(['57014', '55P03', '40P01', '40001', '57P01', '57P02', '57P03']);
/** Node's socket errors, as `pg` passes them on when a connection breaks. */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN']);

/**
 * Whether a failure (or a cause of it: drizzle wraps the driver's error) is transient: such a
 * failure must roll the batch back and retry it, never quarantine a change [S1], since a
 * quarantined change gets no version rows.
 */
export function isTransient(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TRANSIENT_CODES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code)) return true;
    }
    if (/Connection terminated/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
