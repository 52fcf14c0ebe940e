import type { InstantRange } from './query';

/**
 * Local calendar periods (a day, a month, a year, the current week) turned into UTC instant
 * ranges in an IANA time zone, with `Intl` only. A period starts at the first instant whose local
 * date is its first day, so days that start inside a DST gap (zones that spring forward at
 * midnight) and days of 23 or 25 hours come out right.
 */

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone name this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localDateAt(instantMs: number, timeZone: string): LocalDate {
  const date: LocalDate = { year: 0, month: 0, day: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type === 'year') date.year = Number(part.value);
    else if (part.type === 'month') date.month = Number(part.value);
    else if (part.type === 'day') date.day = Number(part.value);
  }
  return date;
}

const dateKey = (date: LocalDate) => date.year * 10_000 + date.month * 100 + date.day;

/** UTC offsets stay within ±15 h (Pacific/Kiritimati is +14); the search window leaves room. */
const SEARCH_WINDOW_SECONDS = 26 * 3600;

/** The first instant (ms) whose local date in `timeZone` is `date` or later. */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  const target = dateKey(date);
  const naiveSeconds = Date.UTC(date.year, date.month - 1, date.day) / 1000;
  // Invariant: the local date at `low` is before `date`, at `high` it is `date` or later.
  let low = naiveSeconds - SEARCH_WINDOW_SECONDS;
  let high = naiveSeconds + SEARCH_WINDOW_SECONDS;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (dateKey(localDateAt(middle * 1000, timeZone)) >= target) high = middle;
    else low = middle;
  }
  return high * 1000;
}

/** Calendar arithmetic on local dates (no time zone involved): `date` plus `days` days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

/** The local period [first, end) (end exclusive, both local dates) as UTC instants. */
export function localPeriod(first: LocalDate, end: LocalDate, timeZone: string): InstantRange {
  return {
    from: new Date(startOfLocalDay(first, timeZone)).toISOString(),
    to: new Date(startOfLocalDay(end, timeZone)).toISOString(),
  };
}

export function isValidLocalDate(date: LocalDate): boolean {
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  const daysInMonth = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
  return date.day <= daysInMonth;
}

/**
 * The local period a date operator's value names, or undefined when the value is not a date.
 * `value` is lower-case: `2026-11-30`, `2026-11`, `2026`, `today`, `yesterday`, `week` (the
 * current ISO week, from Monday), `month`, `year` (current ones, relative to `nowMs`).
 */
export function resolvePeriod(
  value: string,
  timeZone: string,
  nowMs: number,
): InstantRange | undefined {
  const today = localDateAt(nowMs, timeZone);
  switch (value) {
    case 'today':
      return localPeriod(today, addDays(today, 1), timeZone);
    case 'yesterday':
      return localPeriod(addDays(today, -1), today, timeZone);
    case 'week': {
      const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay();
      const monday = addDays(today, -((weekday + 6) % 7));
      return localPeriod(monday, addDays(monday, 7), timeZone);
    }
    case 'month':
      return monthPeriod(today.year, today.month, timeZone);
    case 'year':
      return yearPeriod(today.year, timeZone);
  }
  // Fixed-width shapes only (YYYY, YYYY-MM, YYYY-MM-DD): bounded, no backtracking.
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < 1970) return undefined;
  if (match[2] === undefined) return yearPeriod(year, timeZone);
  const month = Number(match[2]);
  if (match[3] === undefined) {
    return month >= 1 && month <= 12 ? monthPeriod(year, month, timeZone) : undefined;
  }
  const day: LocalDate = { year, month, day: Number(match[3]) };
  if (!isValidLocalDate(day)) return undefined;
  return localPeriod(day, addDays(day, 1), timeZone);
}

function monthPeriod(year: number, month: number, timeZone: string): InstantRange {
  const next =
    month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 };
  return localPeriod({ year, month, day: 1 }, next, timeZone);
}

function yearPeriod(year: number, timeZone: string): InstantRange {
  return localPeriod({ year, month: 1, day: 1 }, { year: year + 1, month: 1, day: 1 }, timeZone);
}
