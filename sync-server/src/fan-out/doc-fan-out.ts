import type { EventBus, Logger } from '@confab/db';
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
}

export interface FanOutNode {
  readonly nodeId: string;
  readonly bus: EventBus;
  readonly logger: Logger;
}

export const docTopic = (docName: string) => `sync.doc.${docName}`;

/**
 * One open doc's link to the other nodes that hold it (PROTOCOL.md "Fan-out between nodes").
 * A node publishes a doc's updates only while it knows another node holds the doc: a doc open on
 * one node costs no bus traffic at all. A node that learns of a new holder (its `hello`, or a
 * `here` answering ours) tells it the catch-up marker: the highest sequence this node committed
 * without publishing. The other reads the log once when the marker is not zero, and from then on
 * gets every update on the bus; numbered frames reveal a lost one, which a log read repairs.
 * Updates committed in one tick go out as one frame.
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
    this.peers.clear();
    this.lastFrames.clear();
    this.publish({ kind: 'hello', node: this.node.nodeId });
  }

  /** Says goodbye and unsubscribes (the doc is unloaded). */
  async stop(): Promise<void> {
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
        return;
      case 'here': {
        const seen = this.peers.get(frame.node);
        this.peers.set(frame.node, Math.max(seen ?? 0, frame.marker));
        this.lastFrames.set(
          frame.node,
          Math.max(this.lastFrames.get(frame.node) ?? 0, frame.frame),
        );
        // It did not know of us (it answered someone's hello, or ours): our marker in turn.
        if (seen === undefined) {
          this.flush();
          this.answer();
        }
        if (frame.marker > (seen ?? 0)) this.catchUp(room);
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

  private catchUp(room: FanOutRoom): void {
    // A forced read: one started before this point might not hold what the marker names.
    void room.catchUpFromLog(true);
  }

  private publish(frame: BusFrame): void {
    this.node.bus
      .publish(this.topic, encodeBusFrame(frame))
      .catch((error: unknown) =>
        this.node.logger.warn({ err: error, docName: this.docName }, 'fan-out failed'),
      );
  }
}
