import type { Db, EventBus } from '@confab/db';

/** What a command writes to: the database, and the bus it announces committed changes on. */
export interface CommandDeps {
  db: Db;
  bus: EventBus;
}

/** A Postgres unique violation (23505), as thrown by either driver. */
export function isUniqueViolation(error: unknown): boolean {
  const code =
    (error as { code?: string; cause?: { code?: string } }).code ??
    (error as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}
