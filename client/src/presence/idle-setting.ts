import { DEFAULT_IDLE_MS } from './idle';

/** How long without input before this device says away, as the settings offer it (minutes). */
export const IDLE_CHOICES = [5, 10, 15, 30, 60] as const;

/** Per device, like the idle time itself (a `confab.` key: wiped when the session ends). */
const KEY = 'confab.away-after-minutes';

/** The chosen idle time in ms; the default (10 minutes) when none or a bad one was stored. */
export function readIdleMs(storage: Pick<Storage, 'getItem'> = localStorage): number {
  const minutes = Number(storage.getItem(KEY));
  return (IDLE_CHOICES as readonly number[]).includes(minutes) ? minutes * 60_000 : DEFAULT_IDLE_MS;
}

export function saveIdleMs(ms: number, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, String(Math.round(ms / 60_000)));
}
