import { PRESENCE_WATCH_MAX } from '@confab/db/model';

/** The server watches at most this many users per connection (a 104 naming more is refused). */
export const MAX_WATCHED = PRESENCE_WATCH_MAX;
/** Names appear and go in bursts (a channel opening, a list scrolling): one 104 per burst. */
export const WATCH_DEBOUNCE_MS = 300;

/**
 * Who this client shows: every part of the screen that shows names (sidebar DMs, the open
 * channel's authors, a member list) adds its ids while it shows them, and the union, at most
 * `MAX_WATCHED` (the first added win: the sidebar's DMs come first), goes to the server after
 * a pause, only when it changed. So the server's cost follows what is on screen.
 */
export class WatchList {
  /** Users and how many parts of the screen show them, in the order first added. */
  private readonly counts = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sent = '';

  constructor(
    private readonly onChange: (userIds: string[]) => void,
    private readonly debounceMs = WATCH_DEBOUNCE_MS,
  ) {}

  /** Shows `userIds` until the returned release is called. */
  add(userIds: readonly string[]): () => void {
    const unique = [...new Set(userIds)];
    for (const id of unique) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    this.changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of unique) {
        const count = (this.counts.get(id) ?? 1) - 1;
        if (count > 0) this.counts.set(id, count);
        else this.counts.delete(id);
      }
      this.changed();
    };
  }

  /** The list to send now (at most `MAX_WATCHED`). */
  current(): string[] {
    return [...this.counts.keys()].slice(0, MAX_WATCHED);
  }

  /** Whatever was sent was lost (a new connection): the next change, or `flush`, sends it all. */
  forget(): void {
    this.sent = '';
  }

  /** Sends the list now if it differs from the last one sent. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.current();
    const key = ids.join();
    if (key === this.sent) return;
    this.sent = key;
    this.onChange(ids);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private changed() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }
}
