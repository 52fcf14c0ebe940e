import * as Y from 'yjs';
import { MESSAGES, parseReactionKey, REACTIONS, READ_MARKERS } from './layout';

export interface MessageView {
  id: string;
  author: string;
  text: string;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  parentId: string | null;
  files: string[];
  /** emoji -> user ids, both in a stable order (the same on every replica). */
  reactions: Map<string, string[]>;
}

/** Every message of a segment or thread doc, oldest first (ULIDs sort by creation time). */
export function readMessages(doc: Y.Doc): MessageView[] {
  const reactions = new Map<string, Map<string, string[]>>();
  // Sorted: a Y.Map iterates in arrival order, which differs between replicas.
  for (const key of [...doc.getMap(REACTIONS).keys()].sort()) {
    const parsed = parseReactionKey(key);
    if (!parsed) continue;
    const byEmoji = reactions.get(parsed.messageId) ?? new Map<string, string[]>();
    byEmoji.set(parsed.emoji, [...(byEmoji.get(parsed.emoji) ?? []), parsed.userId]);
    reactions.set(parsed.messageId, byEmoji);
  }
  const views: MessageView[] = [];
  for (const [id, fields] of doc.getMap<Y.Map<unknown>>(MESSAGES).entries()) {
    if (!(fields instanceof Y.Map)) continue;
    const editedAt = fields.get('editedAt');
    const parentId = fields.get('parentId');
    const files = fields.get('files');
    views.push({
      id,
      author: String(fields.get('author') ?? ''),
      text: String(fields.get('text') ?? ''),
      createdAt: Number(fields.get('createdAt') ?? 0),
      editedAt: typeof editedAt === 'number' ? editedAt : null,
      deleted: fields.get('deleted') === true,
      parentId: typeof parentId === 'string' ? parentId : null,
      files: Array.isArray(files) ? files.map(String) : [],
      reactions: reactions.get(id) ?? new Map(),
    });
  }
  return views.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * How many messages a segment or thread doc holds, in constant time. Messages are never removed
 * from the map (a deletion is a tombstone; removing an entry is refused), so its entries are its
 * messages; `Y.Map.size` would walk them all, on every update of a busy doc.
 */
export function messageCount(doc: Y.Doc): number {
  return doc.getMap(MESSAGES)._map.size;
}

/**
 * Whether one of this replica's messages is still only local (`sending`) or committed by the
 * server (`sent`), from the persistence tracker's durable state vector. Delivered and read come
 * from the server (history API).
 */
export function localStatus(
  doc: Y.Doc,
  durable: ReadonlyMap<number, number>,
  messageId: string,
): 'sending' | 'sent' | null {
  const message = doc.getMap(MESSAGES).get(messageId);
  const item = message instanceof Y.Map ? message._item : null;
  if (!item) return null;
  return (durable.get(item.id.client) ?? 0) > item.id.clock ? 'sent' : 'sending';
}

/**
 * One message's fields as the server projects them, with the Yjs client ids that wrote it: the
 * one that created the entry (its author [S3]) and the one that last set `deleted` (who deleted
 * it, when it is deleted). Null when the doc holds no such message.
 */
export interface MessageRecord {
  text: string;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  /** Undefined when the message never held files (not the same as an emptied list). */
  files: string[] | undefined;
  creatorClient: number;
  deleterClient: number | null;
}

export function readMessageRecord(doc: Y.Doc, id: string): MessageRecord | null {
  const fields = doc.getMap<Y.Map<unknown>>(MESSAGES).get(id);
  if (!(fields instanceof Y.Map) || !fields._item) return null;
  const editedAt = fields.get('editedAt');
  const files = fields.get('files');
  return {
    text: String(fields.get('text') ?? ''),
    createdAt: Number(fields.get('createdAt') ?? 0),
    editedAt: typeof editedAt === 'number' ? editedAt : null,
    deleted: fields.get('deleted') === true,
    files: Array.isArray(files) ? files.map(String) : undefined,
    creatorClient: fields._item.id.client,
    deleterClient: fields._map.get('deleted')?.id.client ?? null,
  };
}

/** Whether the doc holds a message with this id (tombstones included). */
export const hasMessage = (doc: Y.Doc, id: string): boolean => doc.getMap(MESSAGES).has(id);

/** The reactions set on the given messages: message id -> each user's emoji, in map order. */
export function reactionsOn(
  doc: Y.Doc,
  messageIds: ReadonlySet<string>,
): Map<string, Array<{ userId: string; emoji: string }>> {
  const reactions = new Map<string, Array<{ userId: string; emoji: string }>>();
  for (const key of doc.getMap(REACTIONS).keys()) {
    const parsed = parseReactionKey(key);
    if (!parsed || !messageIds.has(parsed.messageId)) continue;
    reactions.set(parsed.messageId, [...(reactions.get(parsed.messageId) ?? []), parsed]);
  }
  return reactions;
}

/**
 * Sum of a doc's state vector: grows with every change, so a replica holding more of the doc has
 * a larger one (rows computed from it carry it, and never replace a row from a fuller state).
 */
export const stateClock = (doc: Y.Doc): number =>
  [...Y.decodeStateVector(Y.encodeStateVector(doc)).values()].reduce(
    (sum, clock) => sum + clock,
    0,
  );

/** The message id a user doc's read marker points at, or null. */
export function readMarker(userDoc: Y.Doc, key: string): string | null {
  const value = userDoc.getMap(READ_MARKERS).get(key);
  return typeof value === 'string' ? value : null;
}
