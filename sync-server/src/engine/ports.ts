/**
 * What the engine needs from the world, and nothing more: the engine (DocRoom, the protocol, the
 * update limits) imports no adapter. Postgres, PGlite and in-memory adapters live in
 * `persistence/`; projection, receipts, fan-out, compaction and presence plug in through these.
 */
import type { ReportedPresence, ValidationContext } from '@confab/db/model';

/** One client's socket, as the engine sees it. */
export interface SyncConnection {
  readonly userId: string;
  readonly sessionId: string;
  readonly readOnly: boolean;
  /** Which changes the validator lets through; refreshed when memberships change. */
  may: ValidationContext['may'];
  /** Whether the client asked for Confab's persisted acks (stock providers do not). */
  readonly wantsAcks: boolean;
  /**
   * Set only on a user's own doc opened with acks (the client's always-open socket): where its
   * presence reports and watches go. Elsewhere a 103 or 104 is malformed.
   */
  presence?: PresenceSession;
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** A connection's presence, handed to the engine for its 103 and 104 frames. */
export interface PresenceSession {
  /** A 103 report: also the connection's heartbeat. */
  report(state: ReportedPresence): void;
  /** A 104 watch (ids already well-formed): replaces the set; answered with one 105. */
  watch(userIds: readonly string[]): Promise<void>;
  /** The connection closed. */
  close(): void;
}

export interface LogEntry {
  docName: string;
  update: Uint8Array;
  /** The Yjs client id that wrote the update (0 when it only deletes). */
  clientId: number;
  userId: string | null;
  /** Messages the update creates, claimed across nodes in the same step that logs it. */
  claim?: { messageIds: string[]; token: string };
}

/** Another update (on this node or another) already created one of these message ids. */
export class MessageIdTaken extends Error {
  constructor() {
    super('a message id this update creates is taken');
  }
}

export interface AttachmentQuery {
  channelId: string;
  userId: string;
  fileIds: readonly string[];
}

/**
 * Which of `fileIds` the user may attach to a message in the channel: files they uploaded for
 * it, promoted (`ready`) and not deleted. Asked afresh for each update that references new files,
 * never cached, so a file deleted a moment ago is refused at once.
 */
export type AttachableFiles = (query: AttachmentQuery) => Promise<Set<string>>;

/** Where a doc's accepted updates live [S1]: loaded at open, appended before any ack. */
export interface DocLog {
  /** The doc's latest snapshot (if any) followed by every update logged after it, in log order. */
  load(docName: string): Promise<Uint8Array[]>;
  /**
   * Resolves with the entry's sequence once it is durable; rejects with `MessageIdTaken` when
   * another entry with a different token claimed one of its message ids first.
   */
  append(entry: LogEntry): Promise<number>;
  /** Waits for every append already asked for. */
  flush(): Promise<void>;
  /**
   * Which files may be attached, read from the same store (so embedded mode has it too): the
   * validator's question about files new messages and edits name, asked before they are logged.
   */
  readonly attachableFiles: AttachableFiles;
}

export interface ClientIdOwner {
  userId: string;
  barred: boolean;
}

/** Ownership of Yjs client ids per doc [S3], shared by every node. */
export interface ClientIdRegistry {
  /** Every owned client id of a doc (loaded with the doc, and again when an owner is unknown). */
  owners(docName: string): Promise<Map<number, ClientIdOwner>>;
  /** Claims unowned ids for `userId` (the first writer wins) and returns every id's owner. */
  claim(docName: string, clientIds: number[], userId: string): Promise<Map<number, ClientIdOwner>>;
  /** Bars client ids in a doc for good, after a rejected update. */
  bar(docName: string, clientIds: number[]): Promise<void>;
}

/** A message sent to a recipient's device (DMs and group DMs keep these). */
export interface Receipt {
  messageId: string;
  userId: string;
  /** The message's author, told when a receipt is new (their message status moved). */
  authorId: string;
}

/**
 * What a room tells the rest of the node once an update is durable and applied. Every hook is
 * optional: a room with none is a complete, single-node engine. Hooks run synchronously on the
 * room's path, so they only hand work on (queue, publish) and never throw.
 */
export interface RoomHooks {
  /** This node committed `update` at `seq` and applied it: tell the other nodes (fan-out). */
  committed?(update: Uint8Array, seq: number): void;
  /**
   * Present only for docs that keep delivery receipts: messages just sent to recipients'
   * connections (all of them, or one that just synced).
   */
  delivered?(receipts: Receipt[]): void;
  /** Awareness changed by this node's connections: tell the other nodes. */
  awareness?(update: Uint8Array): void;
  /** Something failed on a connection (null: on the room's own path, such as a catch-up). */
  error?(error: unknown, connection: SyncConnection | null): void;
}
