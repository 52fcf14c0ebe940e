import { type Db, schema } from '@confab/db';
import { and, eq, lte, sql } from 'drizzle-orm';
import { type DndSchedule, isDndNow } from './expiry';

const { userStatuses } = schema;

export interface CustomStatus {
  emoji: string | null;
  text: string | null;
  expiresAt: Date | null;
}

export interface UserStatus {
  status: CustomStatus | null;
  dnd: { until: Date | null; schedule: DndSchedule | null; now: boolean };
  version: number;
}

type Row = typeof userStatuses.$inferSelect;

/**
 * What a row means at `nowMs`: a status or a manual DND whose end has passed reads as cleared,
 * even when the expiry job has not run yet (it may run late; readers must not wait for it).
 */
export function viewStatus(row: Row | undefined, nowMs: number): UserStatus {
  if (!row) return { status: null, dnd: { until: null, schedule: null, now: false }, version: 0 };
  const statusLive =
    (row.emoji !== null || row.text !== null) &&
    (row.statusExpiresAt === null || row.statusExpiresAt.getTime() > nowMs);
  const until = row.dndUntil && row.dndUntil.getTime() > nowMs ? row.dndUntil : null;
  const schedule =
    row.dndStart !== null && row.dndEnd !== null && row.dndTimeZone !== null
      ? { start: row.dndStart, end: row.dndEnd, timeZone: row.dndTimeZone }
      : null;
  return {
    status: statusLive
      ? { emoji: row.emoji, text: row.text, expiresAt: row.statusExpiresAt }
      : null,
    dnd: { until, schedule, now: isDndNow({ dndUntil: until, schedule }, nowMs) },
    version: row.version,
  };
}

export async function readStatuses(db: Db, userIds: string[], nowMs: number) {
  if (userIds.length === 0) return new Map<string, UserStatus>();
  const rows = await db
    .select()
    .from(userStatuses)
    .where(sql`${userStatuses.userId} = any(${sql.param(userIds)}::uuid[])`);
  const byUser = new Map(rows.map((row) => [row.userId, row]));
  return new Map(userIds.map((id) => [id, viewStatus(byUser.get(id), nowMs)]));
}

export async function readStatus(db: Db, userId: string, nowMs: number): Promise<UserStatus> {
  const [row] = await db.select().from(userStatuses).where(eq(userStatuses.userId, userId));
  return viewStatus(row, nowMs);
}

type Change = Partial<
  Pick<
    Row,
    'emoji' | 'text' | 'statusExpiresAt' | 'dndUntil' | 'dndStart' | 'dndEnd' | 'dndTimeZone'
  >
>;

/** Writes `change` into the user's row (made on first use), bumping its version; answers the row. */
export async function writeStatus(db: Db, userId: string, change: Change): Promise<Row> {
  const now = new Date();
  const [row] = await db
    .insert(userStatuses)
    .values({ userId, ...change, updatedAt: now })
    .onConflictDoUpdate({
      target: userStatuses.userId,
      set: { ...change, version: sql`${userStatuses.version} + 1`, updatedAt: now },
    })
    .returning();
  if (!row) throw new Error('user status upsert returned no row');
  return row;
}

export const CLEARED_STATUS: Change = { emoji: null, text: null, statusExpiresAt: null };
export const CLEARED_DND_UNTIL: Change = { dndUntil: null };

/**
 * Clears what expired, only if its end is still the one the expiry was scheduled for and has
 * passed: a status set again since (another end, or none) is left alone, and so is the other
 * part of the row. Answers whether it changed the row. Idempotent: a second run finds the part
 * cleared and does nothing.
 */
export async function expireStatus(
  db: Db,
  { userId, part, at }: { userId: string; part: 'status' | 'dnd'; at: Date },
  now: Date,
): Promise<boolean> {
  const ends = part === 'status' ? userStatuses.statusExpiresAt : userStatuses.dndUntil;
  const rows = await db
    .update(userStatuses)
    .set({
      ...(part === 'status' ? CLEARED_STATUS : CLEARED_DND_UNTIL),
      version: sql`${userStatuses.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(userStatuses.userId, userId), eq(ends, at), lte(ends, now)))
    .returning({ userId: userStatuses.userId });
  return rows.length > 0;
}
