import * as Y from 'yjs';
import { MESSAGES, parseReactionKey, REACTIONS } from './layout';

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
