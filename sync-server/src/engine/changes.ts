import { MESSAGES, parseReactionKey, REACTIONS, READ_MARKERS } from '@confab/db/model';
import * as Y from 'yjs';

/** What one applied update touched, read from the update and the doc it was applied to. */
export interface DocChanges {
  messageIds: Set<string>;
  /** Messages this change created (for delivery receipts). */
  created: Set<string>;
  /** New values of message texts, with the Yjs item that held each (a version each). */
  texts: Array<{ messageId: string; itemId: string; text: string; client: number }>;
  /** Read-marker keys (user docs) the update set. */
  markerKeys: Set<string>;
}

export const emptyChanges = (): DocChanges => ({
  messageIds: new Set(),
  created: new Set(),
  texts: [],
  markerKeys: new Set(),
});

/** Root name and key of a top-level entry, or the message id a field belongs to. */
function locate(item: Y.Item, roots: Map<unknown, string>) {
  const parent = item.parent as Y.AbstractType<unknown> | null;
  if (!parent) return null;
  const holder = parent._item;
  if (!holder) return { root: roots.get(parent) ?? '', key: item.parentSub, field: null };
  const holderParent = holder.parent as Y.AbstractType<unknown> | null;
  if (!holderParent || holderParent._item) return null;
  return { root: roots.get(holderParent) ?? '', key: holder.parentSub, field: item.parentSub };
}

/**
 * Collects what one transaction changed: the items it created and the items it deleted (its own
 * delete set holds only newly deleted items). Called from `afterTransaction`, before garbage
 * collection, so overwritten values and deleted items still have their content.
 */
export function collectChanges(transaction: Y.Transaction, into = emptyChanges()): DocChanges {
  const { doc } = transaction;
  const roots = new Map<unknown, string>();
  for (const [name, type] of doc.share) roots.set(type, name);
  const touch = (item: Y.Item) => {
    const place = locate(item, roots);
    if (!place?.key) return;
    if (place.root === MESSAGES) {
      into.messageIds.add(place.key);
      if (place.field === null && !item.deleted) into.created.add(place.key);
      if (place.field === 'text' && !item.deleted && item.content instanceof Y.ContentAny) {
        const [text] = item.content.getContent();
        if (typeof text === 'string')
          into.texts.push({
            messageId: place.key,
            itemId: `${item.id.client}:${item.id.clock}`,
            text,
            client: item.id.client,
          });
      }
    } else if (place.root === REACTIONS) {
      const reaction = parseReactionKey(place.key);
      if (reaction) into.messageIds.add(reaction.messageId);
    } else if (place.root === READ_MARKERS && place.field === null) {
      into.markerKeys.add(place.key);
    }
  };
  const visit = (client: number, from: number, to: number) => {
    const list = doc.store.clients.get(client) ?? [];
    if (from >= to || !list.length) return;
    for (let i = Y.findIndexSS(list, from); i < list.length; i++) {
      const struct = list[i];
      if (!struct || struct.id.clock >= to) break;
      if (struct instanceof Y.Item) touch(struct);
    }
  };
  for (const [client, after] of transaction.afterState)
    visit(client, transaction.beforeState.get(client) ?? 0, after);
  for (const [client, ranges] of transaction.deleteSet.clients)
    for (const { clock, len } of ranges) visit(client, clock, clock + len);
  return into;
}

/**
 * Everything a doc holds, as if it had all just changed: projected when a node loads a doc, so
 * rows lost to a crash between a commit and its projection are rebuilt (state-based rows make
 * this a no-op when they are current).
 */
export function wholeDoc(doc: Y.Doc): DocChanges {
  const changes = emptyChanges();
  for (const id of doc.getMap(MESSAGES).keys()) changes.messageIds.add(id);
  for (const key of doc.getMap(READ_MARKERS).keys()) changes.markerKeys.add(key);
  return changes;
}
