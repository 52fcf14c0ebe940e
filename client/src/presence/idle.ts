import type { ReportedPresence } from '@confab/db/model';

/** What this device says of its user: active, or away (idle, or the tab hidden). */
export type ReportedState = ReportedPresence;

/** Away after this long without input (the default; `IdleOptions.idleMs` changes it). */
export const DEFAULT_IDLE_MS = 10 * 60_000;

export interface IdleOptions {
  idleMs?: number;
  /** Whether the tab is hidden now (`document.hidden`). */
  hidden(): boolean;
  /** Called with the new state each time it changes. */
  onChange(state: ReportedState): void;
  now?: () => number;
}

/**
 * Whether the user is at this device: away once `idleMs` passed without input or while the tab
 * is hidden, active again on the next input in a visible tab (or when the tab shows again after
 * recent input). One timer at a time, checked against the last input's time when it fires, so a
 * stream of pointer moves costs an assignment each, not a timer each.
 */
export class IdleDetector {
  private lastInput: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private current: ReportedState;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(private readonly options: IdleOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.now = options.now ?? Date.now;
    this.lastInput = this.now();
    this.current = options.hidden() ? 'away' : 'active';
    this.schedule(this.idleMs);
  }

  get state(): ReportedState {
    return this.current;
  }

  /** The user did something (a key, a click, a pointer move, a scroll, a touch). */
  input(): void {
    this.lastInput = this.now();
    if (this.current === 'away' && !this.options.hidden()) this.set('active');
  }

  /** The tab was hidden or shown. */
  visibilityChanged(): void {
    if (this.options.hidden()) this.set('away');
    // Coming back to a tab is input: the user is looking at it.
    else this.input();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check() {
    const idle = this.now() - this.lastInput;
    if (idle >= this.idleMs) {
      this.set('away');
      this.schedule(this.idleMs);
    } else this.schedule(this.idleMs - idle);
  }

  private set(state: ReportedState) {
    if (state === this.current) return;
    this.current = state;
    this.options.onChange(state);
  }
}

const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Feeds a detector from the page's input and visibility events; returns the unsubscribe. */
export function watchPage(detector: IdleDetector, page: Document = document): () => void {
  const input = () => detector.input();
  const visibility = () => detector.visibilityChanged();
  const options = { passive: true, capture: true };
  for (const name of INPUT_EVENTS) page.addEventListener(name, input, options);
  page.addEventListener('visibilitychange', visibility);
  return () => {
    for (const name of INPUT_EVENTS) page.removeEventListener(name, input, options);
    page.removeEventListener('visibilitychange', visibility);
  };
}
