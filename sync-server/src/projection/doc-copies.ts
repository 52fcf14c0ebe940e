import type { Db } from '@confab/db';
import * as Y from 'yjs';
import { collectChanges, type DocChanges, emptyChanges } from '../engine/changes';
import type { ClientIdOwner } from '../engine/ports';
import { docUpdatesUpTo, type TailPosition } from './log-tail';

/** The projector's own copy of a doc, at the tail's cursor (or ahead of it during a batch). */
export interface DocCopy {
  readonly name: string;
  readonly doc: Y.Doc;
  /** Owners of the doc's client ids, read once and again when an unknown one shows up. */
  readonly owners: Map<number, ClientIdOwner>;
}

/** Bytes of updates the copies may be built from, by default (`PROJECTOR_COPIES_MAX_MB`). */
export const DEFAULT_COPIES_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The tailer's doc copies, least recently used first out (`trim`), bounded by count and by the
 * bytes of the updates they were built from (a doc's memory grows with those; a thousand large
 * docs would take gigabytes). A copy is loaded as of a tail position (snapshot and log up to it,
 * `docUpdatesUpTo`) and then moved on one log row at a time (`grew` counts each), so the changes
 * of each row are known exactly (`applyRow`). Copies a failed or lost batch moved are dropped
 * and loaded again.
 */
export class DocCopies {
  private readonly copies = new Map<string, DocCopy>();
  /** Bytes of updates each held copy was built from. */
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly db: Db,
    private readonly capacity = 1_000,
    private readonly maxBytes = DEFAULT_COPIES_MAX_BYTES,
  ) {}

  /** Bytes of updates the held copies were built from. */
  get bytes(): number {
    return this.total;
  }

  /** The copy of `name`, loaded as of `at` when it is not held. */
  async get(name: string, at: TailPosition): Promise<DocCopy> {
    const held = this.copies.get(name);
    if (held) {
      // Most recently used last.
      this.copies.delete(name);
      this.copies.set(name, held);
      return held;
    }
    const doc = new Y.Doc({ gc: true });
    const updates = await docUpdatesUpTo(this.db, name, at);
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    const copy: DocCopy = { name, doc, owners: new Map() };
    this.copies.set(name, copy);
    this.grew(
      name,
      updates.reduce((sum, update) => sum + update.byteLength, 0),
    );
    return copy;
  }

  /** A held copy took `bytes` more of updates (a log row applied to it). */
  grew(name: string, bytes: number): void {
    if (!this.copies.has(name)) return;
    this.sizes.set(name, (this.sizes.get(name) ?? 0) + bytes);
    this.total += bytes;
  }

  /**
   * Between batches (never during one, whose entries hold their copies): the oldest go until
   * both bounds hold; a doc larger than the byte bound alone is loaded again when next needed.
   */
  trim(): void {
    for (const [oldest] of this.copies) {
      if (this.copies.size <= this.capacity && this.total <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  has(name: string): boolean {
    return this.copies.has(name);
  }

  drop(name: string): void {
    this.copies.get(name)?.doc.destroy();
    this.copies.delete(name);
    this.total -= this.sizes.get(name) ?? 0;
    this.sizes.delete(name);
  }

  clear(): void {
    for (const name of [...this.copies.keys()]) this.drop(name);
  }
}

/** Applies one log row to a copy and returns what it changed (before garbage collection). */
export function applyRow(copy: DocCopy, update: Uint8Array): DocChanges {
  const changes = emptyChanges();
  const collect = (transaction: Y.Transaction) => collectChanges(transaction, changes);
  copy.doc.on('afterTransaction', collect);
  try {
    Y.applyUpdate(copy.doc, update);
  } finally {
    copy.doc.off('afterTransaction', collect);
  }
  return changes;
}
