import { isKnownTimeZone, isValidLocalDate, resolvePeriod } from '../search/zoned-dates';

/**
 * When a custom status ends, and whether a do-not-disturb schedule holds now: pure functions of
 * an instant and an IANA zone, so that the server (not a client's clock) decides, and tests can
 * fix the clock.
 */

export const EXPIRY_PRESETS = ['30m', '1h', '4h', 'today', 'this_week'] as const;
export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number];

/** A status set further ahead than this is refused: "a date" means this year, not forever. */
export const MAX_EXPIRY_MS = 366 * 24 * 3600 * 1000;

const PRESET_DURATIONS_MS: Partial<Record<ExpiryPreset, number>> = {
  '30m': 30 * 60_000,
  '1h': 3600_000,
  '4h': 4 * 3600_000,
};

/** A full date-time with seconds optional and a Z or numeric offset; nothing looser. */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

export type ExpiryResult = { ok: true; expiresAt: Date | null } | { ok: false; reason: string };

/**
 * The instant a status set at `nowMs` with `expiry` ends: a preset (`today` is the next local
 * midnight, `this_week` the local midnight that starts next Monday, so both follow DST), an
 * ISO date-time with an offset (in the future, within MAX_EXPIRY_MS), or null for never.
 */
export function resolveExpiry(
  expiry: ExpiryPreset | string | null,
  timeZone: string,
  nowMs: number,
): ExpiryResult {
  if (expiry === null) return { ok: true, expiresAt: null };
  if (!isKnownTimeZone(timeZone)) return { ok: false, reason: 'unknown time zone' };
  const duration = PRESET_DURATIONS_MS[expiry as ExpiryPreset];
  if (duration !== undefined) return { ok: true, expiresAt: new Date(nowMs + duration) };
  if (expiry === 'today' || expiry === 'this_week') {
    const period = resolvePeriod(expiry === 'today' ? 'today' : 'week', timeZone, nowMs);
    if (!period) return { ok: false, reason: 'no such period' };
    return { ok: true, expiresAt: new Date(period.to) };
  }
  const match = ISO_INSTANT.exec(expiry);
  if (!match) {
    return { ok: false, reason: 'expiry is not a preset or an ISO date-time with an offset' };
  }
  // Date.parse rolls 2026-02-30 over into March: the calendar date is checked first.
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const at = Date.parse(expiry);
  if (!isValidLocalDate(date) || Number.isNaN(at)) {
    return { ok: false, reason: 'expiry is not a valid date-time' };
  }
  if (at <= nowMs) return { ok: false, reason: 'expiry is in the past' };
  if (at - nowMs > MAX_EXPIRY_MS) return { ok: false, reason: 'expiry is more than a year ahead' };
  return { ok: true, expiresAt: new Date(at) };
}

/** A daily do-not-disturb window in local wall-clock time ("22:00" to "07:00" spans midnight). */
export interface DndSchedule {
  start: string;
  end: string;
  timeZone: string;
}

export const LOCAL_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

const minuteFormatters = new Map<string, Intl.DateTimeFormat>();

function localMinuteOfDay(instantMs: number, timeZone: string): number {
  let formatter = minuteFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      numberingSystem: 'latn',
    });
    minuteFormatters.set(timeZone, formatter);
  }
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(instantMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Whether the local wall clock at `nowMs` is inside the schedule: start inclusive, end
 * exclusive; equal start and end is an empty window. Local time is read each time, so a DST
 * change moves the window with the wall clock.
 */
export function isInSchedule(schedule: DndSchedule, nowMs: number): boolean {
  const now = localMinuteOfDay(nowMs, schedule.timeZone);
  const start = minutesOf(schedule.start);
  const end = minutesOf(schedule.end);
  if (start <= end) return now >= start && now < end;
  return now >= start || now < end;
}

export interface DndState {
  dndUntil: Date | null;
  schedule: DndSchedule | null;
}

/** Do-not-disturb is on now: a manual end time still ahead, or the daily schedule holds. */
export function isDndNow(state: DndState, nowMs: number): boolean {
  if (state.dndUntil && state.dndUntil.getTime() > nowMs) return true;
  return state.schedule !== null && isInSchedule(state.schedule, nowMs);
}
