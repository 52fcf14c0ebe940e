import { MessageType, PRESENCE_HEARTBEAT_MS } from '@confab/db/model';
import * as encoding from 'lib0/encoding';
import { IdleDetector, type ReportedState, watchPage } from './idle';
import { PresenceStore, parsePresenceFrame } from './presence-store';
import { WatchList } from './watch-list';

/** One frame of ours: the message type, then the JSON as one varstring. */
export function presenceFrame(type: number, payload: unknown): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarString(encoder, JSON.stringify(payload));
  return encoding.toUint8Array(encoder);
}

export interface PresenceLinkOptions {
  /** Away after this long without input (default 10 minutes). */
  idleMs?: number;
  /** Watched users whose custom status or DND changed: their statuses are read again. */
  onStatuses(userIds: string[]): void;
  /** The page whose input and visibility tell whether the user is here. */
  page?: Document;
}

/**
 * Presence over the user doc's socket (sync-server/PROTOCOL.md "Presence"): reports this
 * device's state (103) on connecting, on every change and every `PRESENCE_HEARTBEAT_MS`; sends
 * the watch list (104) on connecting and whenever what is on screen changes; reads 105 frames
 * into the store. Outlives the socket: on a new connection everything is said again, as the
 * server keeps nothing of a closed one.
 */
export class PresenceLink {
  readonly store = new PresenceStore();
  readonly watch: WatchList;
  private idle: IdleDetector | null = null;
  private stopPage = () => {};
  private send: ((frame: Uint8Array) => void) | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private idleMs: number | undefined;

  constructor(private readonly options: PresenceLinkOptions) {
    this.idleMs = options.idleMs;
    this.watch = new WatchList((users) =>
      this.send?.(presenceFrame(MessageType.presenceWatch, { users })),
    );
  }

  /** Follows the page's input and visibility (until `stop`). */
  start(): void {
    this.stop();
    const page = this.options.page ?? document;
    const idle = new IdleDetector({
      idleMs: this.idleMs,
      hidden: () => page.hidden,
      onChange: () => this.report(),
    });
    this.idle = idle;
    this.stopPage = watchPage(idle, page);
    this.report();
  }

  /** A new idle time (the user's setting): counted afresh from now. */
  setIdleMs(ms: number): void {
    this.idleMs = ms;
    if (this.idle) this.start();
  }

  /** What this device reports now. */
  get state(): ReportedState {
    return this.idle?.state ?? 'active';
  }

  /** The socket is open: `send` writes one frame on it. */
  connected(send: (frame: Uint8Array) => void): void {
    this.send = send;
    this.report();
    this.watch.forget();
    this.watch.flush();
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.report(), PRESENCE_HEARTBEAT_MS);
  }

  /** The socket closed: nothing is sent until the next one opens. */
  disconnected(): void {
    this.send = null;
    clearInterval(this.heartbeat);
  }

  /** A 105 frame's payload. */
  receive(json: string): void {
    const frame = parsePresenceFrame(json);
    this.store.apply(frame.users);
    if (frame.statuses.length) this.options.onStatuses(frame.statuses);
  }

  /** Stops following the page (the socket's part stops with `disconnected`). */
  stop(): void {
    this.stopPage();
    this.stopPage = () => {};
    this.idle?.stop();
    this.idle = null;
  }

  private report() {
    this.send?.(presenceFrame(MessageType.presenceReport, { state: this.state }));
  }
}
