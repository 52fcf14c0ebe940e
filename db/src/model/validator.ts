import * as Y from 'yjs';
import {
  CHANNEL_ROOTS,
  DRAFTS,
  isMarkerKey,
  LIMITS,
  MESSAGE_FIELDS,
  MESSAGES,
  PREFS,
  parseReactionKey,
  REACTIONS,
  READ_MARKERS,
  SAVED,
  USER_ROOTS,
} from './layout';
import { textProblem } from './text';
import { ULID_PATTERN, UUID_PATTERN } from './wire';

/**
 * The validator of [S2]-[S4]: decides from an update and the doc it would apply to (not yet
 * applied) whether the writer may make exactly this change. The server runs it on every update
 * before storing anything; clients run it before an update leaves them (see guarded-replica.ts).
 * Reasons are part of the protocol (sync-server/PROTOCOL.md).
 */
export const REJECT_REASONS = [
  'client_id_owned',
  'client_id_barred',
  'unknown_type',
  'unknown_field',
  'wrong_type',
  'invalid_key',
  'forged_author',
  'incomplete_message',
  'message_exists',
  'message_removal',
  'message_deleted',
  'unknown_message',
  'not_author',
  'immutable_field',
  'not_own_reaction',
  'text_too_long',
  'invalid_text',
  'wrong_thread',
  'posting_not_allowed',
  'reactions_not_allowed',
  'unknown_delete',
  'missing_dependency',
  'segment_full',
  'file_not_attachable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface ValidationContext {
  docKind: 'segment' | 'thread' | 'user';
  /** The thread's root message, for thread docs. */
  threadRootId?: string;
  /** The user the connection (or the local replica) belongs to. */
  userId: string;
  /** Owner of a Yjs client id in this doc [S3]; the server claims new ids before validating. */
  ownerOf(clientId: number): string | undefined;
  /** From the channel's policies and the user's roles (db/src/policy/decisions.ts). */
  may: { post: boolean; react: boolean; moderate: boolean };
  /** How many more messages this doc takes (segments are bounded [S6]); unbounded if absent. */
  capacity?: number;
  /** Message ids that updates still being committed create: taken, like those in the doc. */
  reserved?(messageId: string): boolean;
  /**
   * Whether the writer may attach this file here (uploaded by them for this channel, ready, not
   * deleted); undefined while not known yet. Asked only for files a message newly references.
   * Absent on clients, which cannot know: the server decides.
   */
  attachable?(fileId: string): boolean | undefined;
}

export type Verdict =
  | { ok: true; createdMessages: string[] }
  | { ok: false; reason: RejectReason; detail: string };

class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail);
  }
}
function reject(reason: RejectReason, detail: string): never {
  throw new Rejection(reason, detail);
}

/** Text the update writes must be clean: the server cannot rewrite a client's CRDT update. */
function checkText(what: string, text: string): void {
  const problem = textProblem(text);
  if (problem) reject('invalid_text', `${what} ${problem}`);
}

/** Where an item sits: directly in a root type, or in the type held by another item. */
type Place =
  | { root: string; parent?: undefined; key: string | null }
  | { root?: undefined; parent: Y.Item; key: string | null };

/** A new item with where it sits; `fresh` when it arrives in this update. */
interface Placed {
  item: Y.Item;
  place: Place;
  fresh: boolean;
}

/** An update as `Y.decodeUpdate` gives it; the server passes the one it decoded already. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export function validateUpdate(
  doc: Y.Doc,
  update: Uint8Array | DecodedUpdate,
  context: ValidationContext,
): Verdict {
  try {
    return { ok: true, createdMessages: new UpdateCheck(doc, update, context).run() };
  } catch (error) {
    if (error instanceof Rejection)
      return { ok: false, reason: error.reason, detail: error.message };
    throw error;
  }
}

class UpdateCheck {
  private readonly fresh = new Map<number, Y.Item[]>();
  // biome-ignore lint/suspicious/noExplicitAny: Yjs types its root types this way.
  private readonly rootNames = new Map<Y.AbstractType<any>, string>();
  private readonly places = new Map<Y.Item, Place>();
  private readonly ds: DecodedUpdate['ds'];

  constructor(
    private readonly doc: Y.Doc,
    update: Uint8Array | DecodedUpdate,
    private readonly context: ValidationContext,
  ) {
    const { structs, ds } = update instanceof Uint8Array ? Y.decodeUpdate(update) : update;
    this.ds = ds;
    for (const struct of structs) {
      if (struct instanceof Y.Skip) continue;
      const owner = context.ownerOf(struct.id.client);
      if (owner !== context.userId)
        reject('client_id_owned', `client id ${struct.id.client} belongs to another user`);
      if (struct instanceof Y.Item) {
        const list = this.fresh.get(struct.id.client) ?? [];
        list.push(struct);
        this.fresh.set(struct.id.client, list);
      }
    }
    for (const [name, type] of doc.share) this.rootNames.set(type, name);
  }

  /** Checks the whole update; returns the ids of the messages it creates. */
  run(): string[] {
    const placed: Placed[] = [];
    for (const items of this.fresh.values())
      for (const item of items) placed.push({ item, place: this.placeOf(item), fresh: true });
    // Values written and overwritten before the update left the client (offline: an edit of a
    // message posted offline, a read marker moved twice) arrive deleted, often merged or
    // without content. Only the newest value of a key takes effect; the ones it supersedes in
    // this very update are skipped. A deleted value nothing supersedes (a reaction added and
    // removed offline) removes its key, so it is checked as a deletion of that key.
    const created: Placed[] = [];
    const deleted = this.newlyDeleted();
    for (const candidate of placed) {
      if (!this.deletedHere(candidate.item)) created.push(candidate);
      else if (!this.supersededInUpdate(candidate, placed)) deleted.push(candidate);
    }
    if (this.context.docKind === 'user') {
      checkUserDoc(created, deleted);
      return [];
    }
    new ChannelRules(this.doc, this.context, created, deleted, this).check();
    return created.flatMap(({ place }) =>
      place.root === MESSAGES && place.key ? [place.key] : [],
    );
  }

  /**
   * A new value this update also deletes, followed by another new value of the same key (whose
   * origin lies in it): it never shows, and its successor is what gets checked.
   */
  private supersededInUpdate({ item, place }: Placed, all: readonly Placed[]): boolean {
    if (place.key === null) return false;
    const { client, clock } = item.id;
    return all.some(
      (other) =>
        other.item !== item &&
        other.place.key === place.key &&
        other.place.root === place.root &&
        other.place.parent === place.parent &&
        other.item.origin?.client === client &&
        other.item.origin.clock >= clock &&
        other.item.origin.clock < clock + item.length,
    );
  }

  /** Whether a new item arrives deleted: without content, or wholly in the update's delete set. */
  private deletedHere(item: Y.Item): boolean {
    if (item.content instanceof Y.ContentDeleted) return true;
    const end = item.id.clock + item.length;
    return (this.ds.clients.get(item.id.client) ?? []).some(
      (range) => range.clock <= item.id.clock && range.clock + range.len >= end,
    );
  }

  /** The item (new or in the doc) holding `id`, or null when neither has it. */
  lookup(id: Y.ID): Y.Item | null {
    for (const item of this.fresh.get(id.client) ?? []) {
      if (id.clock >= item.id.clock && id.clock < item.id.clock + item.length) return item;
    }
    // getItem on an id the store lacks throws or loops: ask the state vector first.
    if (id.clock >= Y.getState(this.doc.store, id.client)) return null;
    const struct = Y.getItem(this.doc.store, id);
    return struct instanceof Y.Item ? struct : null;
  }

  isFresh(item: Y.Item): boolean {
    return this.fresh.get(item.id.client)?.includes(item) ?? false;
  }

  /**
   * Parent and key of an item. Decoded items carry them only without origin and right origin;
   * otherwise they are the origin's (resolved in this update first, then in the doc).
   */
  placeOf(start: Y.Item): Place {
    const known = this.places.get(start);
    if (known) return known;
    let item = start;
    for (let hops = 0; ; hops++) {
      if (hops > 100_000) reject('missing_dependency', 'origin chain too long');
      const place = this.directPlace(item);
      if (place) {
        this.places.set(start, place);
        return place;
      }
      const origin = item.origin ?? item.rightOrigin;
      if (!origin) return reject('missing_dependency', 'an item with neither parent nor origin');
      const next = this.lookup(origin);
      if (!next)
        return reject('missing_dependency', `origin ${origin.client}:${origin.clock} unknown here`);
      item = next;
    }
  }

  private directPlace(item: Y.Item): Place | null {
    const parent = item.parent as unknown;
    if (parent === null) return null;
    const key = item.parentSub;
    if (typeof parent === 'string') return { root: parent, key };
    if (parent instanceof Y.AbstractType) {
      const holder = parent._item;
      if (!holder) return { root: this.rootNames.get(parent) ?? '', key };
      return { parent: holder, key };
    }
    // A decoded item names its parent type by the id of the item holding it.
    const holder = this.lookup(parent as Y.ID);
    if (!holder) return reject('missing_dependency', 'parent type unknown here');
    return { parent: holder, key };
  }

  /** Items this update deletes that are not deleted yet, with their places. */
  private newlyDeleted(): Placed[] {
    const result: Placed[] = [];
    for (const [client, ranges] of this.ds.clients) {
      const state = Y.getState(this.doc.store, client);
      const structs = this.doc.store.clients.get(client) ?? [];
      for (const { clock, len } of ranges) {
        const end = clock + len;
        if (clock < state) {
          for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
            const struct = structs[i];
            if (!struct || struct.id.clock >= Math.min(end, state)) break;
            if (struct instanceof Y.Item && !struct.deleted)
              result.push({ item: struct, place: this.placeOf(struct), fresh: false });
          }
        }
        // Deleting what does not exist yet would delete another user's future writes.
        for (let at = Math.max(clock, state); at < end; ) {
          const item = this.lookup(Y.createID(client, at));
          if (!item)
            return reject('unknown_delete', `delete of ${client}:${at}, which does not exist`);
          at = item.id.clock + item.length;
        }
      }
    }
    return result;
  }
}

const singleValue = (item: Y.Item): unknown => {
  if (!(item.content instanceof Y.ContentAny) || item.content.getContent().length !== 1)
    return reject('wrong_type', 'a value must be one plain JSON value');
  return item.content.getContent()[0];
};

/** A time in ms that a Date (and so Postgres) can hold: at most 10^8 days from 1970. */
const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;

const isMapType = (item: Y.Item) =>
  item.content instanceof Y.ContentType && item.content.type instanceof Y.Map;

function checkUserDoc(created: Placed[], deleted: Placed[]): void {
  for (const { place } of deleted) {
    if (!place.root || !(USER_ROOTS as readonly string[]).includes(place.root))
      reject('unknown_type', 'delete outside the user doc layout');
  }
  for (const { item, place } of created) {
    if (
      !place.root ||
      !(USER_ROOTS as readonly string[]).includes(place.root) ||
      place.key === null
    )
      reject('unknown_type', `unknown part of the user doc: ${place.root ?? 'nested type'}`);
    const key = place.key;
    const value = singleValue(item);
    switch (place.root) {
      case READ_MARKERS:
        if (!isMarkerKey(key)) reject('invalid_key', `read marker key ${key}`);
        if (typeof value !== 'string' || !ULID_PATTERN.test(value))
          reject('wrong_type', 'a read marker is a message id');
        break;
      case DRAFTS:
        if (!isMarkerKey(key)) reject('invalid_key', `draft key ${key}`);
        if (typeof value !== 'string') reject('wrong_type', 'a draft is text');
        else if (value.length > LIMITS.textChars) reject('text_too_long', 'draft too long');
        else checkText('a draft', value);
        break;
      case SAVED:
        if (!ULID_PATTERN.test(key)) reject('invalid_key', `saved item key ${key}`);
        if (!isTime(value)) reject('wrong_type', 'saved at is a time');
        break;
      case PREFS: {
        if (key.length > LIMITS.prefKeyChars) reject('invalid_key', 'preference name too long');
        if (textProblem(key)) reject('invalid_key', 'preference name with a control character');
        const plain = typeof value === 'number' || typeof value === 'boolean';
        if (!plain && !(typeof value === 'string' && value.length <= LIMITS.prefValueChars))
          reject('wrong_type', 'a preference is a short string, a number or a boolean');
        if (typeof value === 'string') checkText('a preference', value);
      }
    }
  }
}

/** What a message field may hold. */
function checkFieldValue(field: string, value: unknown, userId: string): void {
  switch (field) {
    case 'author':
      if (value !== userId) reject('forged_author', 'author must be the writer');
      return;
    case 'text':
      if (typeof value !== 'string') reject('wrong_type', 'text is a string');
      else if (value.length > LIMITS.textChars)
        reject('text_too_long', `text over ${LIMITS.textChars} characters`);
      else checkText('text', value);
      return;
    case 'createdAt':
    case 'editedAt':
      if (!isTime(value)) reject('wrong_type', `${field} is a time in ms`);
      return;
    case 'deleted':
      if (value !== true) reject('wrong_type', 'deleted is true or absent');
      return;
    case 'parentId':
      if (typeof value !== 'string' || !ULID_PATTERN.test(value))
        reject('wrong_type', 'parentId is a message id');
      return;
    case 'files':
      if (
        !Array.isArray(value) ||
        value.length > LIMITS.filesPerMessage ||
        !value.every((id) => typeof id === 'string' && UUID_PATTERN.test(id))
      )
        reject('wrong_type', `files is a list of at most ${LIMITS.filesPerMessage} file ids`);
      else if (new Set(value).size !== value.length)
        reject('wrong_type', 'files names each file once');
      return;
    default:
      reject('unknown_field', `unknown message field ${field}`);
  }
}

const AUTHOR_EDITS = new Set(['text', 'editedAt', 'deleted', 'files']);
const TOMBSTONE_FIELDS = new Set(['text', 'editedAt', 'deleted', 'files']);

class ChannelRules {
  /** Field writes per message item, so creations and tombstones can be checked whole. */
  private readonly writes = new Map<Y.Item, Map<string, unknown>>();
  /** Files that messages of this update reference and did not before. */
  private readonly attached = new Set<string>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly context: ValidationContext,
    private readonly created: Placed[],
    private readonly deleted: Placed[],
    private readonly update: UpdateCheck,
  ) {}

  check(): void {
    const messages = this.created.filter(({ place }) => place.root === MESSAGES);
    for (const { item, place } of this.created) {
      if (place.root !== undefined) {
        if (!(CHANNEL_ROOTS as readonly string[]).includes(place.root) || place.key === null)
          reject('unknown_type', `unknown part of a channel doc: ${place.root}`);
      } else {
        const field = place.key;
        if (field === null || !this.isMessage(place.parent)) {
          reject('unknown_type', 'nested content outside a message');
          continue;
        }
        const fields = this.writes.get(place.parent) ?? new Map<string, unknown>();
        fields.set(field, singleValue(item));
        this.writes.set(place.parent, fields);
      }
    }
    if (this.context.capacity !== undefined && messages.length > this.context.capacity)
      reject('segment_full', 'this segment is full: post into the head segment');
    for (const { item, place } of messages) this.checkNewMessage(item, place.key ?? '');
    for (const [message, fields] of this.writes) {
      if (!this.update.isFresh(message)) this.checkChangedMessage(message, fields);
    }
    for (const { item, place } of this.created) {
      if (place.root === REACTIONS) this.checkReaction(place.key ?? '', singleValue(item));
    }
    for (const placed of this.deleted) this.checkDeletion(placed);
    this.checkAttachments();
  }

  /** Files newly referenced, recorded once the value holding them passed its checks. */
  private noteAttachments(files: unknown, before: unknown): void {
    if (!Array.isArray(files)) return;
    const had = new Set(Array.isArray(before) ? before : []);
    for (const id of files) if (!had.has(id)) this.attached.add(String(id));
  }

  /**
   * Last, and every file asked about before refusing, so that a server which does not know some
   * of them yet learns all it must look up from one pass.
   */
  private checkAttachments(): void {
    const { attachable } = this.context;
    if (!attachable || this.attached.size === 0) return;
    const refused = [...this.attached].filter((id) => attachable(id) !== true);
    if (refused.length)
      reject('file_not_attachable', `file ${refused[0]} cannot be attached to a message here`);
  }

  private isMessage(item: Y.Item): boolean {
    const place = this.update.placeOf(item);
    return place.root === MESSAGES && isMapType(item);
  }

  private checkNewMessage(item: Y.Item, id: string): void {
    if (!ULID_PATTERN.test(id)) reject('invalid_key', `message id ${id} is not a ULID`);
    if (!isMapType(item)) reject('wrong_type', 'a message is a map of fields');
    const existing = this.doc.getMap(MESSAGES).get(id);
    if (existing !== undefined || this.context.reserved?.(id))
      reject('message_exists', `message ${id} exists`);
    if (!this.context.may.post) reject('posting_not_allowed', 'posting here is not allowed');
    const fields = this.writes.get(item) ?? new Map<string, unknown>();
    for (const required of ['author', 'text', 'createdAt'])
      if (!fields.has(required)) reject('incomplete_message', `a new message needs ${required}`);
    // Edited or deleted before it reached the server (offline): the same rules as later on.
    for (const [field, value] of fields) checkFieldValue(field, value, this.context.userId);
    this.checkTombstone(fields);
    this.noteAttachments(fields.get('files'), undefined);
    const parentId = fields.get('parentId');
    if (this.context.docKind === 'thread' && parentId !== this.context.threadRootId)
      reject('wrong_thread', 'a reply names its thread root');
    if (this.context.docKind === 'segment' && parentId !== undefined)
      reject('wrong_thread', 'replies go to the thread doc');
  }

  private authorOf(message: Y.Item): string | undefined {
    return this.context.ownerOf(message.id.client);
  }

  private isTombstoned(message: Y.Item): boolean {
    const content = message.content;
    return (
      content instanceof Y.ContentType && (content.type as Y.Map<unknown>).get('deleted') === true
    );
  }

  private checkChangedMessage(message: Y.Item, fields: Map<string, unknown>): void {
    if (message.deleted) reject('message_removal', 'the message is gone');
    if (this.isTombstoned(message)) reject('message_deleted', 'the message is deleted');
    const own = this.authorOf(message) === this.context.userId;
    for (const [field, value] of fields) {
      if (!MESSAGE_FIELDS.has(field)) reject('unknown_field', `unknown message field ${field}`);
      if (own) {
        if (!AUTHOR_EDITS.has(field)) reject('immutable_field', `${field} cannot change`);
      } else if (!this.isModeratorTombstone(fields)) {
        reject('not_author', 'only the author edits a message');
      } else if (!TOMBSTONE_FIELDS.has(field)) {
        reject('immutable_field', `${field} cannot change`);
      }
      checkFieldValue(field, value, this.context.userId);
    }
    this.checkTombstone(fields);
    const current = (message.content as Y.ContentType).type as Y.Map<unknown>;
    this.noteAttachments(fields.get('files'), current.get('files'));
  }

  /** A deleted message keeps neither text nor files. */
  private checkTombstone(fields: Map<string, unknown>): void {
    if (fields.get('deleted') !== true) return;
    if (fields.get('text') !== '') reject('wrong_type', 'a deleted message keeps no text');
    const files = fields.get('files');
    if (files !== undefined && (!Array.isArray(files) || files.length))
      reject('wrong_type', 'a deleted message keeps no files');
  }

  /** Channel and workspace admins may delete (tombstone) others' messages, and nothing else. */
  private isModeratorTombstone(fields: Map<string, unknown>): boolean {
    return this.context.may.moderate && fields.get('deleted') === true && fields.get('text') === '';
  }

  private messageItem(id: string): Y.Item | null {
    const fresh = this.created.find(({ place }) => place.root === MESSAGES && place.key === id);
    if (fresh) return fresh.item;
    const existing = this.doc.getMap(MESSAGES).get(id);
    return existing instanceof Y.Map ? existing._item : null;
  }

  private checkReaction(key: string, value: unknown): void {
    const parsed = parseReactionKey(key);
    if (!parsed) reject('invalid_key', `reaction key ${key}`);
    if (parsed.userId !== this.context.userId)
      reject('not_own_reaction', 'a reaction names its writer');
    if (value !== true) reject('wrong_type', 'a reaction is true');
    if (!this.context.may.react) reject('reactions_not_allowed', 'reactions are not allowed here');
    const message = this.messageItem(parsed.messageId);
    if (!message) reject('unknown_message', `no message ${parsed.messageId} here`);
    else if (this.isTombstoned(message)) reject('message_deleted', 'the message is deleted');
  }

  private checkDeletion({ place }: Placed): void {
    if (place.root === MESSAGES) reject('message_removal', 'messages are tombstoned, not removed');
    if (place.root === REACTIONS) {
      const parsed = parseReactionKey(place.key ?? '');
      if (!parsed || parsed.userId !== this.context.userId)
        reject('not_own_reaction', 'only the reacting user removes a reaction');
      return;
    }
    if (place.root !== undefined) reject('unknown_type', `delete in ${place.root}`);
    // A field's old value goes when a new one replaces it; the new one was checked above.
    const replaced = place.key !== null && this.writes.get(place.parent)?.has(place.key);
    if (!replaced) {
      if (this.authorOf(place.parent) !== this.context.userId)
        reject('not_author', 'only the author edits a message');
      reject('immutable_field', `${place.key} cannot be removed`);
    }
  }
}
