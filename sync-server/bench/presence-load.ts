import {
  MessageType,
  PRESENCE_HEARTBEAT_MS,
  type Presence,
  type PresenceFrame,
  type ReportedPresence,
} from '@confab/db/model';
import WebSocket from 'ws';
import { exponentialMs } from './presence-plan';
import { readPresenceFrame, reportFrame, watchFrame } from './presence-wire';
import { percentile, round } from './stats';

/** How the online users behave; README "Presence benchmark" states the defaults. */
export interface ChurnShape {
  /** Users connected at once (each with one user-doc socket). */
  online: number;
  /** Mean time between two presence changes of one online user. */
  meanChangeMs: number;
  /** Shares of the changes that reconnect (back within `reconnectMs`) and that go offline. */
  reconnectShare: number;
  offlineShare: number;
  reconnectMs: readonly [number, number];
  warmupSeconds: number;
  seconds: number;
  /** After the window: how long a change sent in it may take to arrive and still count. */
  drainMs: number;
  /** Copies later than this count as late; a watcher leaving or a newer change this soon excuses a miss. */
  lateMs: number;
}

export interface LoadPorts {
  /** Member ids; index < pool are the people who connect. */
  memberIds: readonly string[];
  pool: number;
  /** Per pool index, the member indexes that user watches. */
  watching: readonly (readonly number[])[];
  /** A fresh URL (with a new ticket) for pool member `index`'s own user doc. */
  connectUrl(index: number): Promise<string>;
  /** Marks the start and end of the measured window (CPU is read there). */
  onWindow(edge: 'start' | 'end'): void;
}

export interface LoadResult {
  toggles: number;
  reconnects: number;
  wentOffline: number;
  cameOnline: number;
  /** Frames 105 (any) and their bytes (WebSocket payload) delivered to clients in the window. */
  frames: number;
  bytes: number;
  snapshotFrames: number;
  /** Users named in the window's 105 frames other than watch snapshots (a frame may name several). */
  entries: number;
  framesPerSecond: number;
  bytesPerSecond: number;
  /**
   * Toggles (active/away reports) made in the window: copies due to watchers that had their
   * snapshot; arrived; arrived later than `lateMs`; not arrived but excused (the watcher
   * disconnected, or the user changed just before or after, within `lateMs`: a server that
   * coalesces sends nothing for a change undone at once); missing without excuse.
   */
  expectedCopies: number;
  deliveredCopies: number;
  lateCopies: number;
  excusedCopies: number;
  missedCopies: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
  /** Connect to watchers seeing "active", for users coming back after being offline. */
  onlineP50Ms: number | null;
  onlineP95Ms: number | null;
  unexpectedCloses: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A change whose copies are timed: an active/away report, or a user coming back online. */
interface TimedChange {
  state: Presence;
  /** When it was made: the report sent, or the connect started. */
  at: number;
  kind: 'toggle' | 'online';
  /** Toggles: the watchers that had their snapshot when it was made, so are owed a copy. */
  due: ReadonlySet<number> | null;
  seen: Set<number>;
}

/** Timed changes kept per user: copies of older ones are not matched any more. */
const KEPT_CHANGES = 4;

/**
 * Runs the churn against one server set-up and counts what the clients receive. All clients
 * live in this process; each is one raw `ws` socket to `user:<own id>` with `acks=1`, speaking
 * only the presence frames (everything else the server sends, such as sync steps, is ignored).
 */
export async function runPresenceLoad(
  ports: LoadPorts,
  shape: ChurnShape,
  random: () => number,
): Promise<LoadResult> {
  const { memberIds, watching } = ports;
  const indexOf = new Map(memberIds.map((id, index) => [id, index]));
  const watchSets = watching.map((list) => new Set(list));
  const watchersOf = new Map<number, number[]>();
  watching.forEach((list, watcher) => {
    for (const watched of list) {
      const watchers = watchersOf.get(watched) ?? [];
      watchers.push(watcher);
      watchersOf.set(watched, watchers);
    }
  });

  const sockets = new Map<number, WebSocket>();
  const ready = new Set<number>();
  const state = new Map<number, ReportedPresence>();
  const changesOf = new Map<number, TimedChange[]>();
  const measuredToggles: Array<{ user: number; change: TimedChange }> = [];
  /** When each user changed (any kind) and when each watcher's socket was closed by the churn. */
  const changedAt = new Map<number, number[]>();
  const leftAt = new Map<number, number[]>();
  const note = (times: Map<number, number[]>, index: number, at: number) => {
    const list = times.get(index) ?? [];
    list.push(at);
    times.set(index, list);
  };
  const timeChange = (user: number, change: TimedChange) => {
    const list = changesOf.get(user) ?? [];
    list.push(change);
    if (list.length > KEPT_CHANGES) list.shift();
    changesOf.set(user, list);
    note(changedAt, user, change.at);
  };
  const offlineQueue: number[] = [];
  const unexpectedCloses: Record<string, number> = {};
  const latencies: number[] = [];
  const onlineLatencies: number[] = [];
  let measuredFrom = Number.POSITIVE_INFINITY;
  let measuredUntil = Number.POSITIVE_INFINITY;
  const inWindow = (t: number) => t >= measuredFrom && t < measuredUntil;
  const counts = {
    toggles: 0,
    reconnects: 0,
    wentOffline: 0,
    cameOnline: 0,
    frames: 0,
    bytes: 0,
    snapshotFrames: 0,
    entries: 0,
    expectedCopies: 0,
  };

  const isSnapshot = (watcher: number, users: Record<string, unknown>) => {
    const list = watching[watcher] ?? [];
    return list.length > 0 && list.every((index) => (memberIds[index] ?? '') in users);
  };

  function received(watcher: number, data: Uint8Array) {
    const now = performance.now();
    const message = readPresenceFrame(data);
    if (message?.type !== MessageType.presence) return;
    if (inWindow(now)) {
      counts.frames++;
      counts.bytes += data.byteLength;
    }
    const users = (message.body as PresenceFrame).users ?? {};
    if (!ready.has(watcher) && isSnapshot(watcher, users)) {
      ready.add(watcher);
      if (inWindow(now)) counts.snapshotFrames++;
      return;
    }
    if (inWindow(now)) counts.entries += Object.keys(users).length;
    for (const [id, seenState] of Object.entries(users)) {
      const watched = indexOf.get(id);
      if (watched === undefined || !watchSets[watcher]?.has(watched)) continue;
      // The newest change this copy can be a copy of.
      const change = (changesOf.get(watched) ?? []).findLast(
        (candidate) =>
          candidate.state === seenState &&
          !candidate.seen.has(watcher) &&
          (candidate.due === null || candidate.due.has(watcher)),
      );
      if (!change || change.at < measuredFrom) continue;
      change.seen.add(watcher);
      (change.kind === 'toggle' ? latencies : onlineLatencies).push(now - change.at);
    }
  }

  let stopped = false;
  async function connect(index: number) {
    const url = await ports.connectUrl(index);
    // A reconnect due after the run ended stays away.
    if (stopped) return;
    const userState = state.get(index) ?? 'active';
    const socket = new WebSocket(url);
    socket.binaryType = 'nodebuffer';
    sockets.set(index, socket);
    let heartbeat: NodeJS.Timeout | undefined;
    socket.on('open', () => {
      socket.send(reportFrame(userState));
      socket.send(watchFrame((watching[index] ?? []).map((i) => memberIds[i] ?? '')));
      // Heartbeats at a random phase, so they do not arrive all at once.
      setTimeout(() => {
        heartbeat = setInterval(
          () => socket.send(reportFrame(state.get(index) ?? 'active')),
          PRESENCE_HEARTBEAT_MS,
        );
      }, random() * PRESENCE_HEARTBEAT_MS);
    });
    socket.on('message', (data: Buffer) => received(index, data));
    socket.on('close', (code) => {
      clearInterval(heartbeat);
      if (sockets.get(index) !== socket) return;
      sockets.delete(index);
      ready.delete(index);
      unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + 1;
    });
    socket.on('error', () => {});
  }

  const disconnect = (index: number) => {
    note(leftAt, index, performance.now());
    const socket = sockets.get(index);
    sockets.delete(index);
    ready.delete(index);
    socket?.close(1000);
  };

  // Start: the first `online` of the pool connect, a few at a time.
  for (let index = 0; index < ports.pool; index++) {
    if (index >= shape.online) offlineQueue.push(index);
    else state.set(index, 'active');
  }
  const starting = [...state.keys()];
  for (let i = 0; i < starting.length; i += 50)
    await Promise.all(starting.slice(i, i + 50).map(connect));
  const readyBy = performance.now() + 60_000;
  while (ready.size < starting.length && performance.now() < readyBy) await sleep(50);
  if (ready.size < starting.length)
    throw new Error(
      `only ${ready.size} of ${starting.length} clients got their snapshot; closes ${JSON.stringify(unexpectedCloses)}`,
    );

  function change() {
    const candidates = [...ready];
    const index = candidates[Math.floor(random() * candidates.length)];
    if (index === undefined) return;
    const now = performance.now();
    const roll = random();
    if (roll < shape.reconnectShare) {
      counts.reconnects += inWindow(now) ? 1 : 0;
      disconnect(index);
      const [min, max] = shape.reconnectMs;
      setTimeout(() => void connect(index), min + random() * (max - min));
    } else if (roll < shape.reconnectShare + shape.offlineShare) {
      if (inWindow(now)) {
        counts.wentOffline++;
        counts.cameOnline++;
      }
      disconnect(index);
      state.delete(index);
      note(changedAt, index, now);
      offlineQueue.push(index);
      // Someone who has been away longest comes back, so `online` stay connected.
      const back = offlineQueue.shift();
      if (back === undefined) return;
      state.set(back, 'active');
      timeChange(back, { state: 'active', at: now, kind: 'online', due: null, seen: new Set() });
      void connect(back);
    } else {
      const next = state.get(index) === 'active' ? 'away' : 'active';
      state.set(index, next);
      const due = new Set((watchersOf.get(index) ?? []).filter((w) => ready.has(w)));
      const toggle: TimedChange = { state: next, at: now, kind: 'toggle', due, seen: new Set() };
      timeChange(index, toggle);
      if (inWindow(now)) {
        counts.toggles++;
        counts.expectedCopies += due.size;
        measuredToggles.push({ user: index, change: toggle });
      }
      sockets.get(index)?.send(reportFrame(next));
    }
  }

  // Open loop: changes arrive as a Poisson process over all online users.
  const start = performance.now();
  measuredFrom = start + shape.warmupSeconds * 1000;
  const churnUntil = measuredFrom + shape.seconds * 1000;
  let nextChange = start;
  let windowStarted = false;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (!windowStarted && now >= measuredFrom) {
        windowStarted = true;
        ports.onWindow('start');
      }
      while (nextChange <= Math.min(now, churnUntil)) {
        change();
        nextChange += exponentialMs(shape.meanChangeMs / shape.online, random);
      }
      if (now >= churnUntil) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  measuredUntil = churnUntil;
  ports.onWindow('end');
  await sleep(shape.drainMs);
  stopped = true;
  for (const index of [...sockets.keys()]) disconnect(index);

  const soon = (times: readonly number[] | undefined, after: number) =>
    (times ?? []).some((t) => t > after && t <= after + shape.lateMs);
  // A change undone before the server reads it may reach no one: the watchers' view is right.
  const justBefore = (times: readonly number[] | undefined, at: number) =>
    (times ?? []).some((t) => t < at && t >= at - shape.lateMs);
  let excusedCopies = 0;
  let missedCopies = 0;
  for (const { user, change } of measuredToggles)
    for (const watcher of change.due ?? []) {
      if (change.seen.has(watcher)) continue;
      const changes = changedAt.get(user);
      if (
        soon(leftAt.get(watcher), change.at) ||
        soon(changes, change.at) ||
        justBefore(changes, change.at)
      )
        excusedCopies++;
      else missedCopies++;
    }

  return {
    ...counts,
    framesPerSecond: round(counts.frames / shape.seconds, 1) ?? 0,
    bytesPerSecond: Math.round(counts.bytes / shape.seconds),
    deliveredCopies: latencies.length,
    lateCopies: latencies.filter((ms) => ms > shape.lateMs).length,
    excusedCopies,
    missedCopies,
    latencyP50Ms: round(percentile(latencies, 0.5)),
    latencyP95Ms: round(percentile(latencies, 0.95)),
    latencyMaxMs: round(percentile(latencies, 1)),
    onlineP50Ms: round(percentile(onlineLatencies, 0.5)),
    onlineP95Ms: round(percentile(onlineLatencies, 0.95)),
    unexpectedCloses,
  };
}
