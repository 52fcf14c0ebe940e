import { MESSAGES, postMessage } from '@confab/db/model';
import * as Y from 'yjs';
import type { BenchClient } from './clients';
import { treeCpuMs } from './process-stats';
import { percentile, round } from './stats';

const TEXT = 'Standup moved to 10:30, notes in the channel topic. Ping me if it clashes.';
const messagesOf = (client: BenchClient) => client.doc.getMap<Y.Map<unknown>>(MESSAGES);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tracks a client's sends until the server acks them as persisted. Yjs clocks grow with every
 * local change, so "committed up to clock k" acks every send whose update ended at or before k.
 */
class AckTracker {
  private readonly waiting: Array<{ end: number; sentAt: number; onAck?: () => void }> = [];
  constructor(
    private readonly client: BenchClient,
    private readonly record: (latencyMs: number, sentAt: number) => void,
  ) {
    client.onDurable?.((clock) => {
      const now = performance.now();
      while (this.waiting.length && (this.waiting[0]?.end ?? Infinity) <= clock) {
        const sent = this.waiting.shift();
        if (!sent) break;
        this.record(now - sent.sentAt, sent.sentAt);
        sent.onAck?.();
      }
    });
  }
  sent(sentAt: number, onAck?: () => void) {
    const end = Y.getState(this.client.doc.store, this.client.doc.clientID);
    this.waiting.push({ end, sentAt, onAck });
  }
}

/** Posts a chat message through the model's writer; its text starts with the send time. */
function send(client: BenchClient): { t: number; id: string } {
  const t = performance.now();
  const id = postMessage(client.doc, { author: client.author, text: `${t} ${TEXT}` });
  return { t, id };
}

export interface RelayOptions {
  ratePerSecond: number;
  seconds: number;
  warmupSeconds: number;
  /** How long to wait after the last send for every copy to arrive. */
  drainMs: number;
  /** Confab only: which of these message ids the projection has rows for. */
  projected?: (ids: string[]) => Promise<string[]>;
  /** Other measures of the same window: `begin` when it opens, `end` once the copies drained. */
  window?: { begin(): void; end(): Promise<void> | void };
}

/** Every this many messages one is followed until its row appears in the projection. */
const PROJECTION_SAMPLE = 10;

export interface RelayResult {
  sent: number;
  expectedDeliveries: number;
  delivered: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
  /** The server's process tree (worker threads and child processes included). */
  serverCpuMsPerMessage: number;
  ackedPerSecond: number | null;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  /** Send to projected row, for a sample of messages (Confab only). */
  projectedP50Ms: number | null;
  projectedP99Ms: number | null;
}

/**
 * Open-loop load: `ratePerSecond` messages spread round-robin over the clients, each delivered by
 * the server to the other clients of its doc. Latency is send-to-receive per delivered copy; the
 * server's CPU (its process tree) is read from /proc over the measured window (after warm-up,
 * until drained).
 */
export async function runRelayPhase(
  docs: readonly (readonly BenchClient[])[],
  serverPid: number,
  options: RelayOptions,
): Promise<RelayResult> {
  const clients = docs.flat();
  const start = performance.now();
  const measuredFrom = start + options.warmupSeconds * 1000;
  const sendUntil = measuredFrom + options.seconds * 1000;
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let measuredSent = 0;
  let expectedDeliveries = 0;
  let delivered = 0;

  for (const group of docs) {
    for (const client of group) {
      const messages = messagesOf(client);
      messages.observe((event) => {
        if (event.transaction.local) return;
        const now = performance.now();
        for (const [id, change] of event.changes.keys) {
          if (change.action !== 'add') continue;
          const sentAt = Number.parseFloat(String(messages.get(id)?.get('text')));
          if (sentAt < measuredFrom) continue;
          delivered++;
          latencies.push(now - sentAt);
        }
      });
    }
  }
  const trackers = clients.map(
    (client) =>
      new AckTracker(client, (latency, sentAt) => {
        if (sentAt >= measuredFrom) ackLatencies.push(latency);
      }),
  );
  const peersOf = new Map<BenchClient, number>();
  for (const group of docs) for (const client of group) peersOf.set(client, group.length - 1);

  // A poller follows sampled messages until the projection has their rows.
  const following = new Map<string, number>();
  const projectedLatencies: number[] = [];
  let polling = true;
  void (async () => {
    while (polling && options.projected) {
      const ids = [...following.keys()];
      if (ids.length) {
        const now = performance.now();
        for (const id of await options.projected(ids)) {
          projectedLatencies.push(now - (following.get(id) ?? now));
          following.delete(id);
        }
      }
      await sleep(5);
    }
  })();
  let cpuBefore = 0;
  let total = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (cpuBefore === 0 && now >= measuredFrom) {
        cpuBefore = treeCpuMs(serverPid);
        options.window?.begin();
      }
      const due = Math.min(
        Math.floor(((Math.min(now, sendUntil) - start) / 1000) * options.ratePerSecond),
        Math.round(((sendUntil - start) / 1000) * options.ratePerSecond),
      );
      for (; total < due; total++) {
        const index = total % clients.length;
        const client = clients[index] as BenchClient;
        const { t: sentAt, id } = send(client);
        trackers[index]?.sent(sentAt);
        if (sentAt >= measuredFrom) {
          if (options.projected && measuredSent % PROJECTION_SAMPLE === 0)
            following.set(id, sentAt);
          measuredSent++;
          expectedDeliveries += peersOf.get(client) ?? 0;
        }
      }
      if (now >= sendUntil) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const drainDeadline = performance.now() + options.drainMs;
  while ((delivered < expectedDeliveries || following.size) && performance.now() < drainDeadline)
    await sleep(10);
  polling = false;
  const cpuUsed = treeCpuMs(serverPid) - cpuBefore;
  await options.window?.end();
  const hasAcks = clients.some((client) => client.onDurable);
  return {
    sent: measuredSent,
    expectedDeliveries,
    delivered,
    latencyP50Ms: round(percentile(latencies, 0.5)),
    latencyP99Ms: round(percentile(latencies, 0.99)),
    latencyMaxMs: round(percentile(latencies, 1)),
    serverCpuMsPerMessage: round(cpuUsed / measuredSent, 3) ?? 0,
    ackedPerSecond: hasAcks ? round(ackLatencies.length / options.seconds, 1) : null,
    ackP50Ms: round(percentile(ackLatencies, 0.5)),
    ackP99Ms: round(percentile(ackLatencies, 0.99)),
    projectedP50Ms: round(percentile(projectedLatencies, 0.5)),
    projectedP99Ms: round(percentile(projectedLatencies, 0.99)),
  };
}

export interface ThroughputResult {
  writers: number;
  acked: number;
  ackedPerSecond: number;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
}

/**
 * Closed loop: every writer sends its next message as soon as the previous one is acked as
 * persisted, so the rate is what the server can make durable, not what the benchmark offers.
 */
export async function runThroughputPhase(
  writers: readonly BenchClient[],
  seconds: number,
): Promise<ThroughputResult> {
  const ackLatencies: number[] = [];
  let running = true;
  const trackers = writers.map(
    (client) => new AckTracker(client, (latency) => ackLatencies.push(latency)),
  );
  writers.forEach((client, index) => {
    const next = () => {
      if (!running) return;
      trackers[index]?.sent(send(client).t, next);
    };
    next();
  });
  await sleep(seconds * 1000);
  running = false;
  return {
    writers: writers.length,
    acked: ackLatencies.length,
    ackedPerSecond: round(ackLatencies.length / seconds, 1) ?? 0,
    ackP50Ms: round(percentile(ackLatencies, 0.5)),
    ackP99Ms: round(percentile(ackLatencies, 0.99)),
  };
}
