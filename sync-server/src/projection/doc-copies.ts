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

/**
 * The tailer's doc copies, least recently used first out (`trim`). A copy is loaded as of a tail position
 * (snapshot and log up to it, `docUpdatesUpTo`) and then moved on one log row at a time, so the
 * changes of each row are known exactly (`applyRow`). Copies a failed or lost batch moved are
 * dropped and loaded again.
 */
export class DocCopies {
  private readonly copies = new Map<string, DocCopy>();

  constructor(
    private readonly db: Db,
    private readonly capacity = 1_000,
  ) {}

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
    return copy;
  }

  /** Between batches (never during one, whose entries hold their copies): the oldest go. */
  trim(): void {
    for (const [oldest] of this.copies) {
      if (this.copies.size <= this.capacity) break;
      this.drop(oldest);
    }
  }

  has(name: string): boolean {
    return this.copies.has(name);
  }

  drop(name: string): void {
    this.copies.get(name)?.doc.destroy();
    this.copies.delete(name);
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
