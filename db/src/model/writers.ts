import { monotonicFactory } from 'ulid';
import * as Y from 'yjs';
import {
  DRAFTS,
  MESSAGES,
  type MessageField,
  REACTIONS,
  READ_MARKERS,
  reactionKey,
  SAVED,
} from './layout';
import { normalizeText } from './text';

/**
 * The only code that writes into sync docs. Each writer is one transaction, so one user intent
 * is one update, checked whole by the validator. Writers throw on intents the layout cannot hold
 * (unknown message, someone else's message); the validator decides permissions. Text is
 * normalized (text.ts) on the way in, so an honest client never writes what the validator
 * refuses [S5].
 */

const nextUlid = monotonicFactory();
/** A new message id: time-ordered, made on the client so that a retry re-uses it. */
export const newMessageId = (now = Date.now()) => nextUlid(now);

const messagesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(MESSAGES);

function messageMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const message = messagesOf(doc).get(id);
  if (!(message instanceof Y.Map)) throw new Error(`no message ${id} in this doc`);
  return message;
}

export interface NewMessage {
  /** Pass the id of an earlier attempt to retry it: posting the same id twice is a no-op. */
  id?: string;
  author: string;
  text: string;
  /** Thread root, for a reply (written into the thread's doc). */
  parentId?: string;
  files?: string[];
  now?: number;
}

export function postMessage(doc: Y.Doc, message: NewMessage): string {
  const now = message.now ?? Date.now();
  const id = message.id ?? newMessageId(now);
  doc.transact(() => {
    if (messagesOf(doc).has(id)) return;
    const fields = new Y.Map<unknown>();
    const values: Partial<Record<MessageField, unknown>> = {
      author: message.author,
      text: normalizeText(message.text),
      createdAt: now,
    };
    if (message.parentId) values.parentId = message.parentId;
    if (message.files?.length) values.files = [...new Set(message.files)];
    for (const [key, value] of Object.entries(values)) fields.set(key, value);
    messagesOf(doc).set(id, fields);
  });
  return id;
}

export function editMessage(doc: Y.Doc, id: string, newText: string, now = Date.now()): void {
  const text = normalizeText(newText);
  doc.transact(() => {
    const message = messageMap(doc, id);
    if (message.get('deleted') === true) throw new Error(`message ${id} is deleted`);
    if (message.get('text') === text) return;
    message.set('text', text);
    message.set('editedAt', now);
  });
}

/**
 * Sets the files a message holds (removing an attachment is always allowed; one it did not hold
 * must be attachable, which only the server knows).
 */
export function editMessageFiles(
  doc: Y.Doc,
  id: string,
  files: readonly string[],
  now = Date.now(),
): void {
  const unique = [...new Set(files)];
  doc.transact(() => {
    const message = messageMap(doc, id);
    if (message.get('deleted') === true) throw new Error(`message ${id} is deleted`);
    const current = message.get('files');
    const held = Array.isArray(current) ? current : [];
    if (held.length === unique.length && held.every((file, at) => file === unique[at])) return;
    message.set('files', unique);
    message.set('editedAt', now);
  });
}

/** Tombstones a message: the text (and files) go, the entry stays for replies and history. */
export function deleteMessage(doc: Y.Doc, id: string, now = Date.now()): void {
  doc.transact(() => {
    const message = messageMap(doc, id);
    if (message.get('deleted') === true) return;
    message.set('deleted', true);
    message.set('text', '');
    if (message.has('files')) message.set('files', []);
    message.set('editedAt', now);
  });
}

/** Adds the user's reaction, or removes it when present. Returns whether it is now set. */
export function toggleReaction(
  doc: Y.Doc,
  { messageId, userId, emoji }: { messageId: string; userId: string; emoji: string },
): boolean {
  const key = reactionKey({ messageId, userId, emoji: normalizeText(emoji) });
  const reactions = doc.getMap<true>(REACTIONS);
  const present = reactions.has(key);
  doc.transact(() => {
    const message = messageMap(doc, messageId);
    if (present) reactions.delete(key);
    else if (message.get('deleted') === true) throw new Error(`message ${messageId} is deleted`);
    else reactions.set(key, true);
  });
  return !present;
}

/** Moves a read marker forward (never back: a stale device must not mark things unread). */
export function markRead(userDoc: Y.Doc, markerKey: string, messageId: string): void {
  const markers = userDoc.getMap<string>(READ_MARKERS);
  const current = markers.get(markerKey);
  if (current && current >= messageId) return;
  userDoc.transact(() => markers.set(markerKey, messageId));
}

export function saveDraft(userDoc: Y.Doc, markerKey: string, draft: string): void {
  const text = normalizeText(draft);
  const drafts = userDoc.getMap<string>(DRAFTS);
  userDoc.transact(() => {
    if (text) drafts.set(markerKey, text);
    else drafts.delete(markerKey);
  });
}

export function toggleSaved(userDoc: Y.Doc, messageId: string, now = Date.now()): boolean {
  const saved = userDoc.getMap<number>(SAVED);
  const present = saved.has(messageId);
  userDoc.transact(() => {
    if (present) saved.delete(messageId);
    else saved.set(messageId, now);
  });
  return !present;
}
