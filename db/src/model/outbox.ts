import * as Y from 'yjs';
import { MESSAGES, REACTIONS, reactionKey } from './layout';
import { deleteMessage, editMessage, postMessage } from './writers';

/**
 * What the user meant, kept until the server has it [S5]: enough to redo it on a doc rebuilt from
 * the server's state after a rejection, or after the local replica was lost. Each intent is
 * idempotent when redone (a post re-uses its id; a reaction states whether it should be on).
 */
export type Intent =
  | {
      kind: 'post';
      id: string;
      author: string;
      text: string;
      parentId?: string;
      files?: string[];
      createdAt: number;
    }
  | { kind: 'edit'; id: string; text: string; at: number }
  | { kind: 'delete'; id: string; at: number }
  | { kind: 'reaction'; messageId: string; userId: string; emoji: string; on: boolean };

/** Durable storage of one doc's intents: IndexedDB in the browser, memory in tests. */
export interface OutboxStorage {
  read(docName: string): Promise<Intent[]>;
  write(docName: string, intents: Intent[]): Promise<void>;
}

export function memoryOutboxStorage(): OutboxStorage {
  const saved = new Map<string, Intent[]>();
  return {
    read: async (docName) => [...(saved.get(docName) ?? [])],
    write: async (docName, intents) => {
      saved.set(docName, [...intents]);
    },
  };
}

/** Redoes an intent on a doc. Throws when the doc no longer allows it (the message is gone). */
export function applyIntent(doc: Y.Doc, intent: Intent): void {
  switch (intent.kind) {
    case 'post':
      postMessage(doc, { ...intent, now: intent.createdAt });
      return;
    case 'edit':
      editMessage(doc, intent.id, intent.text, intent.at);
      return;
    case 'delete':
      deleteMessage(doc, intent.id, intent.at);
      return;
    case 'reaction': {
      const key = reactionKey(intent);
      const reactions = doc.getMap<true>(REACTIONS);
      const message = doc.getMap(MESSAGES).get(intent.messageId);
      if (!(message instanceof Y.Map)) throw new Error(`no message ${intent.messageId}`);
      if (reactions.has(key) === intent.on) return;
      if (intent.on && message.get('deleted') === true)
        throw new Error(`message ${intent.messageId} is deleted`);
      doc.transact(() => {
        if (intent.on) reactions.set(key, true);
        else reactions.delete(key);
      });
    }
  }
}

/**
 * The pending intents of one doc. `perform` stores the intent durably before it touches the
 * doc, so a closed tab or a crash cannot lose it; `settle` drops everything once the server has
 * acked the replica (the persistence tracker reports nothing pending); `replay` redoes what is
 * left on a rebuilt doc and returns the intents that can no longer apply (shown as failed
 * drafts the user can retry or copy).
 */
export class Outbox {
  private intents: Intent[] = [];
  /** How many of the intents (from the front) are in the doc already; only those can settle. */
  private applied = 0;

  private constructor(
    private readonly storage: OutboxStorage,
    readonly docName: string,
  ) {}

  static async open(storage: OutboxStorage, docName: string): Promise<Outbox> {
    const outbox = new Outbox(storage, docName);
    outbox.intents = await storage.read(docName);
    return outbox;
  }

  get pending(): readonly Intent[] {
    return this.intents;
  }

  async perform(doc: Y.Doc, intent: Intent): Promise<void> {
    this.intents = [...this.intents, intent];
    await this.storage.write(this.docName, this.intents);
    try {
      applyIntent(doc, intent);
    } catch (error) {
      // The doc no longer allows it (the message was deleted meanwhile): nothing to keep.
      await this.withdraw(intent);
      throw error;
    }
    this.applied++;
  }

  /** Takes back one intent the client's own validator refused (it never left the client). */
  async withdraw(intent: Intent): Promise<void> {
    const at = this.intents.indexOf(intent);
    if (at < 0) return;
    this.intents = this.intents.filter((_, index) => index !== at);
    if (at < this.applied) this.applied--;
    await this.storage.write(this.docName, this.intents);
  }

  /** Forgets every intent (after the app took them over, e.g. as failed drafts). */
  async discard(): Promise<void> {
    this.intents = [];
    this.applied = 0;
    await this.storage.write(this.docName, this.intents);
  }

  /** Call when the server has acked everything in the replica: applied intents are done. */
  async settle(): Promise<void> {
    if (!this.applied) return;
    this.intents = this.intents.slice(this.applied);
    this.applied = 0;
    await this.storage.write(this.docName, this.intents);
  }

  /**
   * Redoes every intent on `doc`; returns those that no longer apply, or that `refused` (asked
   * right after each one is applied, e.g. the client's validator) says were not accepted.
   */
  replay(doc: Y.Doc, refused: () => boolean = () => false): Intent[] {
    const failed: Intent[] = [];
    for (const intent of this.intents) {
      try {
        applyIntent(doc, intent);
        if (refused()) failed.push(intent);
      } catch {
        failed.push(intent);
      }
    }
    this.applied = this.intents.length;
    return failed;
  }
}
