/** How long a custom status lasts: the server's presets, a date, or until cleared. */
export type ExpiryChoice = '30m' | '1h' | '4h' | 'today' | 'this_week' | 'date' | 'never';

export const EXPIRY_CHOICES: ReadonlyArray<{ value: ExpiryChoice; label: string }> = [
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '4h', label: '4 hours' },
  { value: 'today', label: 'Today' },
  { value: 'this_week', label: 'This week' },
  { value: 'date', label: 'Choose date and time' },
  { value: 'never', label: "Don't clear" },
];

/** Slack's common statuses, offered in one click. */
export const STATUS_PRESETS: ReadonlyArray<{ emoji: string; text: string; expiry: ExpiryChoice }> =
  [
    { emoji: '📅', text: 'In a meeting', expiry: '1h' },
    { emoji: '🚌', text: 'Commuting', expiry: '30m' },
    { emoji: '🤒', text: 'Out sick', expiry: 'today' },
    { emoji: '🌴', text: 'Vacationing', expiry: 'never' },
    { emoji: '🏠', text: 'Working remotely', expiry: 'today' },
  ];

/**
 * A `datetime-local` value ("2026-12-01T15:30", the user's wall clock) as an ISO instant with an
 * offset, which the server wants; null when empty or not a date.
 */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A `datetime-local` value for an instant (the input's `min`, its default). */
export function isoToLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** What a body of `PUT /api/me/status` says of the expiry; null when the date is missing. */
export function expiryFor(choice: ExpiryChoice, dateInput: string): string | null | undefined {
  if (choice === 'never') return null;
  if (choice === 'date') return localInputToIso(dateInput) ?? undefined;
  return choice;
}

/** "until 15:30", "until Tue 09:00", "until 12 Dec" for a status or DND end. */
export function untilLabel(iso: string, now = Date.now()): string {
  const end = new Date(iso);
  const days = (end.getTime() - now) / 86_400_000;
  const time = end.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (end.toDateString() === new Date(now).toDateString()) return `until ${time}`;
  if (days < 6) return `until ${end.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
  return `until ${end.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}`;
}

/** Do-not-disturb for a while: an end instant from a choice. */
export const DND_CHOICES: ReadonlyArray<{ label: string; end: (now: number) => number }> = [
  { label: '30 minutes', end: (now) => now + 30 * 60_000 },
  { label: '1 hour', end: (now) => now + 60 * 60_000 },
  { label: '2 hours', end: (now) => now + 2 * 60 * 60_000 },
  { label: 'Until tomorrow 9:00', end: (now) => nextMorning(now) },
];

/** 09:00 local time on the day after `now`. */
export function nextMorning(now: number): number {
  const date = new Date(now);
  date.setDate(date.getDate() + 1);
  date.setHours(9, 0, 0, 0);
  return date.getTime();
}
