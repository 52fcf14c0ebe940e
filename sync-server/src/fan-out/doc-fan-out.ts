import type { EventBus, Logger } from '@confab/db';
import { type Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import type { RoomHooks } from '../engine/ports';
import {
  type BusFrame,
  type CommittedUpdate,
  decodeBusFrame,
  encodeBusFrame,
  MAX_UPDATES_PER_FRAME,
  nodeIdPrefix,
  sentBy,
} from './bus-frames';

/** What the fan-out drives in a room (DocRoom has these). */
export interface FanOutRoom {
  applyRemoteUpdate(update: Uint8Array, seq: number): void;
  applyRemoteAwareness(update: Uint8Array): void;
  /** Reads the log and applies what the room lacks; `true`: whatever the last read was. */
  catchUpFromLog(force: boolean): Promise<boolean>;
  /** The room's awareness: a new peer is sent all of it. */
  readonly awareness: Awareness;
}

export interface FanOutNode {
  readonly nodeId: string;
  readonly bus: EventBus;
  readonly logger: Logger;
}

export const docTopic = (docName: string) => `sync.doc.${docName}`;

/** After a lost frame, the first re-announce waits this long, each next one twice as long... */
export const REANNOUNCE_FIRST_MS = 250;
/** ...up to this: a bus down for long costs one `hello` per doc this often. */
export const REANNOUNCE_MAX_MS = 8_000;

/**
 * One open doc's link to the other nodes that hold it (PROTOCOL.md "Fan-out between nodes").
 * A node publishes a doc's updates only while it knows another node holds the doc: a doc open on
 * one node costs no bus traffic at all. A node that learns of a new holder (its `hello`, or a
 * `here` answering ours) tells it the catch-up marker: the highest sequence this node committed
 * without publishing. The other reads the log once when the marker is not zero, and from then on
 * gets every update on the bus; numbered frames reveal a lost one, which a log read repairs.
 * Updates committed in one tick go out as one frame. A frame whose publish failed is repaired
 * by a re-announce (a `hello` with the peers forgotten), repeated with backoff until one goes out:
 * every peer answers, and this node's `here` in return carries the marker, raised over the lost
 * updates, and the frame number past them.
 */
export class DocFanOut {
  /** Nodes known to hold the doc, with the highest marker each announced. */
  private readonly peers = new Map<string, number>();
  /** The number of the last update frame seen from each node publishing the doc. */
  private readonly lastFrames = new Map<string, number>();
  /** Highest sequence committed here while no other node was known (0: none). */
  private marker = 0;
  /** Update frames this node published for the doc. */
  private framesSent = 0;
  private pending: CommittedUpdate[] = [];
  private flushScheduled = false;
  private unsubscribe: (() => Promise<void>) | null = null;
  private reannounceTimer: NodeJS.Timeout | null = null;
  private reannounceDelay = REANNOUNCE_FIRST_MS;
  private stopped = false;
  private readonly topic: string;
  private readonly ownPrefix: Uint8Array;

  constructor(
    private readonly docName: string,
    private readonly node: FanOutNode,
  ) {
    this.topic = docTopic(docName);
    this.ownPrefix = nodeIdPrefix(node.nodeId);
  }

  /** The room hooks of fan-out: committed updates and this node's awareness go to the peers. */
  readonly hooks: Pick<RoomHooks, 'committed' | 'awareness'> = {
    committed: (update, seq) => this.committed(update, seq),
    awareness: (update) => {
      if (this.peers.size) this.publish({ kind: 'awareness', node: this.node.nodeId, update });
    },
  };

  /** Nodes this node knows hold the doc. */
  get peerCount(): number {
    return this.peers.size;
  }

  /**
   * Subscribes, then says hello. Call before reading the log: an update committed elsewhere
   * after the subscription arrives on the bus, one committed before is in the log, and one a
   * holder committed unpublished before hearing the hello is behind the marker it answers with.
   */
  async start(room: FanOutRoom): Promise<void> {
    this.unsubscribe = await this.node.bus.subscribe(this.topic, (bytes) => {
      if (sentBy(bytes, this.ownPrefix)) return; // Redis echoes a publisher's own frames
      let frame: BusFrame;
      try {
        frame = decodeBusFrame(bytes);
      } catch (error) {
        this.node.logger.warn({ err: error, docName: this.docName }, 'bus frame dropped');
        return;
      }
      this.receive(room, frame);
    });
    this.publish({ kind: 'hello', node: this.node.nodeId });
  }

  /**
   * After the bus was cut: who holds the doc may have changed unheard, so this node forgets its
   * peers and says hello again; the holders answer with their markers (the room reads its log
   * anyway, for what was published meanwhile).
   */
  reannounce(): void {
    this.lastFrames.clear();
    this.announce();
  }

  /** Says goodbye and unsubscribes (the doc is unloaded). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reannounceTimer) clearTimeout(this.reannounceTimer);
    this.reannounceTimer = null;
    this.flush();
    this.publish({ kind: 'bye', node: this.node.nodeId });
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private committed(update: Uint8Array, seq: number): void {
    if (!this.peers.size) {
      this.marker = Math.max(this.marker, seq);
      return;
    }
    this.pending.push({ seq, update });
    if (this.pending.length >= MAX_UPDATES_PER_FRAME) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After this tick's I/O callbacks: a group commit's appends all resolve before it.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.pending.length) return;
    const updates = this.pending;
    this.pending = [];
    this.framesSent += 1;
    this.publish({ kind: 'updates', node: this.node.nodeId, frame: this.framesSent, updates });
  }

  private receive(room: FanOutRoom, frame: BusFrame): void {
    switch (frame.kind) {
      case 'updates': {
        const last = this.lastFrames.get(frame.node);
        // A gap in a node's numbering: a frame was lost (a failed publish); the log has it.
        if (last !== undefined && frame.frame !== last + 1) this.catchUp(room);
        this.lastFrames.set(frame.node, frame.frame);
        for (const { update, seq } of frame.updates) room.applyRemoteUpdate(update, seq);
        return;
      }
      case 'awareness':
        room.applyRemoteAwareness(frame.update);
        return;
      case 'hello':
        // Whatever is queued goes first, so that the marker and frame number below cover it.
        this.flush();
        this.peers.set(frame.node, this.peers.get(frame.node) ?? 0);
        this.answer();
        this.shareAwareness(room);
        return;
      case 'here': {
        const seen = this.peers.get(frame.node);
        this.peers.set(frame.node, Math.max(seen ?? 0, frame.marker));
        const last = this.lastFrames.get(frame.node);
        this.lastFrames.set(frame.node, Math.max(last ?? 0, frame.frame));
        // It did not know of us (it answered someone's hello, or ours): our marker in turn.
        if (seen === undefined) {
          this.flush();
          this.answer();
          this.shareAwareness(room);
        }
        // A higher marker: updates it committed unpublished. A frame number past the last one
        // seen: a frame of its that never arrived (the here follows its frames on the bus).
        const lostFrame = last !== undefined && frame.frame > last;
        if (frame.marker > (seen ?? 0) || lostFrame) this.catchUp(room);
        return;
      }
      case 'bye':
        this.peers.delete(frame.node);
        this.lastFrames.delete(frame.node);
        return;
    }
  }

  private answer(): void {
    this.publish({
      kind: 'here',
      node: this.node.nodeId,
      marker: this.marker,
      frame: this.framesSent,
    });
  }

  /** A new peer knows nothing of who is here: it gets the room's whole awareness. */
  private shareAwareness(room: FanOutRoom): void {
    const clients = [...room.awareness.getStates().keys()];
    if (!clients.length) return;
    const update = encodeAwarenessUpdate(room.awareness, clients);
    this.publish({ kind: 'awareness', node: this.node.nodeId, update });
  }

  private catchUp(room: FanOutRoom): void {
    // A forced read: one started before this point might not hold what the marker names.
    void room.catchUpFromLog(true);
  }

  private publish(frame: BusFrame): void {
    this.node.bus.publish(this.topic, encodeBusFrame(frame)).then(
      () => {
        if (frame.kind === 'hello') this.reannounceDelay = REANNOUNCE_FIRST_MS;
      },
      (error: unknown) => {
        this.node.logger.warn({ err: error, docName: this.docName }, 'fan-out failed');
        this.lost(frame);
      },
    );
  }

  /**
   * A publish failed, while this node's subscription may have stayed up (so no bus cut tells it).
   * Lost updates go behind the marker; lost updates, `hello` or `here` leave a peer unaware of
   * updates or of this node, which a re-announce repairs. A lost awareness frame is outdated by
   * the next one; a lost `bye` costs its peers publishes only.
   */
  private lost(frame: BusFrame): void {
    if (this.stopped || frame.kind === 'awareness' || frame.kind === 'bye') return;
    if (frame.kind === 'updates')
      for (const { seq } of frame.updates) this.marker = Math.max(this.marker, seq);
    if (this.reannounceTimer) return;
    this.reannounceTimer = setTimeout(() => {
      this.reannounceTimer = null;
      if (!this.stopped) this.announce();
    }, this.reannounceDelay);
    this.reannounceTimer.unref();
    this.reannounceDelay = Math.min(this.reannounceDelay * 2, REANNOUNCE_MAX_MS);
  }

  /**
   * Forgets the peers and says hello: each answers `here`, which, coming from a node not known,
   * this node answers with its marker and frame number (and its awareness).
   */
  private announce(): void {
    this.peers.clear();
    this.publish({ kind: 'hello', node: this.node.nodeId });
  }
}
