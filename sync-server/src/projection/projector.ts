import { type Db, type Logger, parseDocRef, schema } from '@confab/db';
import {
  MESSAGES,
  messageCount,
  parseReactionKey,
  REACTIONS,
  READ_MARKERS,
  readMessages,
} from '@confab/db/model';
import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { ActivityEvent, MessageActivity } from '../activity';
import { type DocChanges, emptyChanges, wholeDoc } from '../engine/changes';
import type { AppliedMeta, ClientIdOwner, ClientIdRegistry } from '../engine/ports';
import { rollOverFull, scanSegment } from './segments';
import {
  insertMentions,
  insertReactions,
  insertVersions,
  projectPlainMessages,
  queueNotifications,
  type SegmentState,
  upsertMessages,
  upsertSegments,
  type WrittenMessage,
} from './statements';

/** The room as the projector sees it: its doc and who owns its client ids. */
export interface ProjectedDoc {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly owners: Map<number, ClientIdOwner>;
}

interface Pending {
  room: ProjectedDoc;
  changes: DocChanges;
  versions: Array<DocChanges['texts'][number] & { seq: number; receivedAt: Date }>;
  seq: number;
  receivedAt: Date;
  /** Projected again because the doc has quarantined changes: clear those that now succeed. */
  repair?: boolean;
}

type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/** One doc's rows, ready to be written with the other docs of a drain. */
interface Collected {
  rows: Array<
    typeof schema.messages.$inferInsert & { id: string; channelId: string; text: string }
  >;
  versions: Array<typeof schema.messageVersions.$inferInsert>;
  reactions: Map<string, Array<{ userId: string; emoji: string }>>;
  everyone: string[];
  receivedAt: Date;
  thread: { channelId: string; rootId: string; doc: Y.Doc; stateClock: number } | null;
}

/** Sum of a doc's state vector: grows with every change, so a fuller state has a larger one. */
const stateClockOf = (doc: Y.Doc) =>
  [...Y.decodeStateVector(Y.encodeStateVector(doc)).values()].reduce(
    (sum, clock) => sum + clock,
    0,
  );

/** Rows per statement: Postgres takes at most 65,535 parameters (14 per message row). */
const ROWS_PER_STATEMENT = 1_000;
function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT)
    yield rows.slice(at, at + ROWS_PER_STATEMENT);
}

/** How long a drain waits for more changes before writing them together. */
const PROJECTION_WINDOW_MS = 50;

const MENTION = /<@([0-9a-f-]{36})>/g;
/**
 * `<!channel>` mentions every member. `<!here>` does not: it reaches only members active at the
 * time, which the API's notifier decides with presence, and records as their notification.
 */
const EVERYONE = /<!channel>/;

/**
 * Turns accepted changes into rows (messages, versions, reactions, mentions, thread stats, read
 * markers) for history, search, unread counts and audit. Rows follow the doc's state, so
 * projecting twice or out of order converges: a row is only replaced by one computed from a
 * state holding at least as much of the doc (`state_clock`), versions are keyed by the Yjs item
 * that held the text. One drain at a time per process; changes of one doc are coalesced.
 */
export class Projector {
  private readonly pending = new Map<string, Pending>();
  private draining: Promise<void> | null = null;
  /** Each segment's count and id range at its last bookkeeping, so edits and reactions skip it. */
  private readonly segments = new Map<string, Pick<SegmentState, 'count' | 'first' | 'last'>>();
  private quarantines = 0;

  constructor(
    private readonly db: Db,
    private readonly clientIds: ClientIdRegistry,
    private readonly logger: Logger,
    /** Told about new messages and moved read markers once their rows are committed. */
    private readonly activity?: (events: ActivityEvent[]) => void,
    /**
     * Told after a commit that inserted message rows, and with them their notification queue
     * rows: a nudge for the notifier, which would find them on its next poll anyway.
     */
    private readonly queued?: () => void,
  ) {}

  record(room: ProjectedDoc, changes: DocChanges, meta: AppliedMeta): void {
    const entry = this.pending.get(room.name) ?? {
      room,
      changes: emptyChanges(),
      versions: [],
      seq: 0,
      receivedAt: meta.receivedAt,
    };
    for (const id of changes.messageIds) entry.changes.messageIds.add(id);
    for (const key of changes.markerKeys) entry.changes.markerKeys.add(key);
    if (meta.local && meta.seq !== null) {
      for (const text of changes.texts)
        entry.versions.push({ ...text, seq: meta.seq, receivedAt: meta.receivedAt });
    }
    entry.seq = Math.max(entry.seq, meta.seq ?? 0);
    entry.receivedAt = meta.receivedAt;
    this.pending.set(room.name, entry);
    this.draining ??= this.drain();
  }

  /** Changes this process quarantined since it started (`projection quarantined` log lines). */
  get quarantined(): number {
    return this.quarantines;
  }

  /**
   * After a node loads a doc: projects it whole if its rows may be behind (a crash between a
   * commit and its projection, or changes quarantined earlier). Rows are current when nothing of
   * the doc is quarantined, there is one row per message and the newest was computed from this
   * very state; then nothing is written.
   */
  async catchUp(room: ProjectedDoc): Promise<void> {
    const ref = parseDocRef(room.name);
    if (!ref) return;
    const { projectionQuarantine: q } = schema;
    const quarantined = await this.db
      .select({ itemKey: q.itemKey })
      .from(q)
      .where(eq(q.docName, room.name))
      .limit(1);
    if (quarantined.length) {
      this.record(room, wholeDoc(room.doc), { seq: 0, receivedAt: new Date(), local: false });
      const entry = this.pending.get(room.name);
      if (entry) entry.repair = true;
      return;
    }
    if (ref.kind === 'user') return;
    const doc = room.doc;
    const { messages: m } = schema;
    const [row] = await this.db
      .select({
        count: sql<number>`count(*)::int`,
        clock: sql<number | null>`max(${m.stateClock})`,
      })
      .from(m)
      .where(eq(m.docName, room.name));
    const count = messageCount(doc);
    if (row?.count === count && Number(row.clock ?? 0) === stateClockOf(doc)) return;
    this.record(room, wholeDoc(doc), { seq: 0, receivedAt: new Date(), local: false });
  }

  /** Waits until everything recorded so far is projected. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // A short window lets a burst of updates share one transaction of a few statements.
    await new Promise((resolve) => setTimeout(resolve, PROJECTION_WINDOW_MS));
    while (this.pending.size) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      await this.projectIsolated(batch);
    }
    this.draining = null;
  }

  /**
   * Projects entries together, the common case. When that fails, one change spoils the shared
   * statement: each entry is projected alone, and a failing entry's changes in halves, down to
   * one message (or read marker), so every good change gets its rows whatever another holds. A
   * change that fails on its own is quarantined; the next load of its doc projects it again.
   */
  private async projectIsolated(entries: Pending[]): Promise<void> {
    try {
      await this.projectAll(entries);
    } catch (error) {
      if (entries.length > 1) {
        for (const entry of entries) await this.projectIsolated([entry]);
        return;
      }
      const [entry] = entries;
      if (!entry) return;
      const halves = splitChanges(entry);
      if (!halves) return this.quarantine(entry, error);
      for (const half of halves) await this.projectIsolated([half]);
      return;
    }
    await this.clearRepaired(entries);
  }

  /** Records a change whose rows cannot be written, with a count and an error-level log line. */
  private async quarantine(entry: Pending, error: unknown): Promise<void> {
    const docName = entry.room.name;
    const itemKey = itemKeysOf(entry)[0] ?? '';
    this.quarantines++;
    this.logger.error(
      { err: error, docName, seq: entry.seq, itemKey, quarantined: this.quarantines },
      'projection quarantined',
    );
    const { projectionQuarantine: q } = schema;
    const failure = { seq: entry.seq, error: describeFailure(error) };
    await this.db
      .insert(q)
      .values({ docName, itemKey, ...failure })
      .onConflictDoUpdate({
        target: [q.docName, q.itemKey],
        set: { ...failure, attempts: sql`${q.attempts} + 1`, quarantinedAt: sql`now()` },
      })
      .catch((failed: unknown) =>
        this.logger.error({ err: failed, docName, itemKey }, 'quarantine not recorded'),
      );
  }

  /** After a repair's rows were written: its doc's quarantined items are projected now. */
  private async clearRepaired(entries: readonly Pending[]): Promise<void> {
    const { projectionQuarantine: q } = schema;
    for (const entry of entries) {
      if (!entry.repair) continue;
      await this.db
        .delete(q)
        .where(and(eq(q.docName, entry.room.name), inArray(q.itemKey, itemKeysOf(entry))))
        .catch((error: unknown) =>
          this.logger.warn({ err: error, docName: entry.room.name }, 'quarantine not cleared'),
        );
    }
  }

  /** Owner of a client id; ids claimed on another node are read back from Postgres once. */
  private async owners(room: ProjectedDoc, clients: number[]) {
    if (clients.some((client) => !room.owners.has(client))) {
      for (const [client, owner] of await this.clientIds.owners(room.name))
        room.owners.set(client, owner);
    }
    return (client: number) => room.owners.get(client)?.userId ?? null;
  }

  private async projectAll(entries: Pending[]): Promise<void> {
    const collected: Collected[] = [];
    const segments: SegmentState[] = [];
    for (const entry of entries) {
      const ref = parseDocRef(entry.room.name);
      if (!ref) continue;
      if (ref.kind === 'user') {
        await this.projectMarkers(ref.userId, entry);
        continue;
      }
      collected.push(
        await this.collect(ref.channelId, ref.kind === 'thread' ? ref.rootId : null, entry),
      );
      if (ref.kind !== 'segment') continue;
      const state = this.segmentState(entry);
      if (state) segments.push({ channelId: ref.channelId, index: ref.index, ...state });
    }
    try {
      if (collected.length && isPlain(collected)) {
        this.publish(await this.writePlain(collected, segments));
      } else {
        if (collected.length)
          this.publish(await this.db.transaction((tx) => this.write(tx, collected)));
        if (segments.length) await upsertSegments(this.db, segments);
      }
    } catch (error) {
      // Their rows were not recorded: the next drain of these segments writes them whole.
      for (const entry of entries) this.segments.delete(entry.room.name);
      throw error;
    }
    await rollOverFull(this.db, segments);
  }

  private publish(events: ActivityEvent[]): void {
    if (events.length) this.activity?.(events);
    if (events.some((event) => event.kind === 'message')) this.queued?.();
  }

  /**
   * A segment's count and id range after this entry, or null when its count did not change (edits
   * and reactions). Kept per segment and moved on by the entry's new message ids, so a drain
   * never walks a whole segment doc except the first time it sees it.
   */
  private segmentState({ room, changes }: Pending) {
    const map = room.doc.getMap(MESSAGES);
    const count = messageCount(room.doc);
    const known = this.segments.get(room.name);
    if (known?.count === count) return null;
    let state = known ? { ...known, count } : scanSegment(room.doc);
    if (known) {
      for (const id of changes.messageIds) {
        if (!map.has(id)) continue;
        if (state.first === null || id < state.first) state = { ...state, first: id };
        if (state.last === null || id > state.last) state = { ...state, last: id };
      }
    }
    // Only an optimisation: forgetting every segment now and then keeps the map bounded.
    if (this.segments.size >= 10_000) this.segments.clear();
    this.segments.set(room.name, state);
    return state;
  }

  private async projectMarkers(userId: string, { room, changes }: Pending): Promise<void> {
    const markers = room.doc.getMap<string>(READ_MARKERS);
    for (const key of changes.markerKeys) {
      const messageId = markers.get(key);
      if (typeof messageId !== 'string') continue;
      const [kind, id] = key.split(':');
      if (kind === 'channel' && id) {
        const { channelMembers: m } = schema;
        // Markers only move forward, whatever order devices sync in.
        const moved = await this.db
          .update(m)
          .set({ lastReadMessageId: messageId, lastReadAt: sql`now()` })
          .where(
            and(
              eq(m.channelId, id),
              eq(m.userId, userId),
              or(isNull(m.lastReadMessageId), lt(m.lastReadMessageId, messageId)),
            ),
          )
          .returning({ channelId: m.channelId });
        if (moved.length) await this.tellAuthorsTheyWereRead(id, userId);
      } else if (kind === 'thread' && id) {
        const { threadFollowers: f } = schema;
        await this.db
          .update(f)
          .set({ lastReadReplyId: messageId })
          .where(
            and(
              eq(f.rootId, id),
              eq(f.userId, userId),
              or(isNull(f.lastReadReplyId), lt(f.lastReadReplyId, messageId)),
            ),
          );
      }
      // After the row moved, so a client refetching its counts on this sees them cleared.
      if (id) this.publish([{ kind: 'read', userId, markerKey: key, messageId }]);
    }
  }

  /** In a DM or group DM, the other members' messages up to the marker now show as read. */
  private async tellAuthorsTheyWereRead(channelId: string, readerId: string): Promise<void> {
    if (!this.activity) return;
    const { channelMembers: m, channels: c } = schema;
    const others = await this.db
      .select({ userId: m.userId })
      .from(m)
      .innerJoin(c, eq(c.id, m.channelId))
      .where(
        and(
          eq(m.channelId, channelId),
          inArray(c.kind, ['dm', 'group_dm']),
          ne(m.userId, readerId),
        ),
      );
    this.publish(others.map(({ userId }) => ({ kind: 'status', userId, channelId })));
  }

  /** Rows for one doc's changes, computed from its state; nothing is written yet. */
  private async collect(
    channelId: string,
    threadRootId: string | null,
    entry: Pending,
  ): Promise<Collected> {
    const { room, changes } = entry;
    const doc = room.doc;
    const messagesMap = doc.getMap<Y.Map<unknown>>(MESSAGES);
    const stateClock = stateClockOf(doc);
    const reactions = new Map<string, Array<{ userId: string; emoji: string }>>();
    for (const key of doc.getMap(REACTIONS).keys()) {
      const parsed = parseReactionKey(key);
      if (!parsed || !changes.messageIds.has(parsed.messageId)) continue;
      reactions.set(parsed.messageId, [...(reactions.get(parsed.messageId) ?? []), parsed]);
    }
    const clients: number[] = [];
    for (const id of changes.messageIds) {
      const map = messagesMap.get(id);
      if (map instanceof Y.Map && map._item) {
        clients.push(map._item.id.client);
        const deletedItem = map._map.get('deleted');
        if (deletedItem) clients.push(deletedItem.id.client);
      }
    }
    for (const version of entry.versions) clients.push(version.client);
    const ownerOf = await this.owners(room, clients);
    const everyone = await this.channelMemberIds(channelId, changes, messagesMap);

    const rows = [...changes.messageIds].flatMap((id) => {
      const map = messagesMap.get(id);
      if (!(map instanceof Y.Map) || !map._item) return [];
      const deleted = map.get('deleted') === true;
      const editedAt = map.get('editedAt');
      const files = map.get('files');
      const deletedItem = map._map.get('deleted');
      return [
        {
          id,
          channelId,
          docName: room.name,
          authorId: ownerOf(map._item.id.client),
          parentId: threadRootId,
          text: String(map.get('text') ?? ''),
          // Undefined for a message that never held files: its rows leave the files table alone.
          fileIds: Array.isArray(files) ? files.map(String) : undefined,
          createdAt: new Date(Number(map.get('createdAt') ?? 0)),
          receivedAt: entry.receivedAt,
          editedAt: typeof editedAt === 'number' && !deleted ? new Date(editedAt) : null,
          deletedAt: deleted && typeof editedAt === 'number' ? new Date(editedAt) : null,
          deletedBy: deleted && deletedItem ? ownerOf(deletedItem.id.client) : null,
          docSeq: entry.seq,
          stateClock,
        },
      ];
    });
    const versions = entry.versions
      .filter(({ messageId }) => messagesMap.has(messageId))
      .map((version) => ({
        messageId: version.messageId,
        itemId: version.itemId,
        text: version.text,
        editorId: ownerOf(version.client),
        editedAt: version.receivedAt,
        docSeq: version.seq,
      }));
    return {
      rows,
      versions,
      reactions,
      everyone,
      receivedAt: entry.receivedAt,
      thread: threadRootId ? { channelId, rootId: threadRootId, doc, stateClock } : null,
    };
  }

  /** The common drain (see `isPlain`): one statement, no transaction. */
  private async writePlain(
    collected: Collected[],
    segments: SegmentState[],
  ): Promise<MessageActivity[]> {
    const written = await projectPlainMessages(
      this.db,
      collected.flatMap((c) => c.rows),
      collected.flatMap((c) => c.versions),
      segments,
    );
    return activityOf(written, sourcesOf(collected));
  }

  /**
   * One statement per kind of row for all docs of a drain, whatever the number of messages.
   * Returns the activity of the messages this drain inserted (a message's row is inserted once,
   * by whichever node gets there first, so its activity is published once).
   */
  private async write(tx: Transaction, collected: Collected[]): Promise<MessageActivity[]> {
    const { reactions: r, messageMentions: mm } = schema;
    const rows = collected.flatMap((c) => c.rows);
    const versions = collected.flatMap((c) => c.versions);
    const written: WrittenMessage[] = [];
    for (const chunk of chunks(rows)) written.push(...(await upsertMessages(tx, chunk)));
    // In the transaction of the rows: a crash after the commit still leaves them to notify.
    const inserted = written.filter((row) => row.inserted).map((row) => row.id);
    for (const chunk of chunks(inserted)) await queueNotifications(tx, chunk);
    const sourceOf = sourcesOf(collected);
    const updated = written.filter((row) => !row.inserted).map((row) => row.id);
    const current = written.flatMap(({ id }) => {
      const source = sourceOf.get(id);
      return (source?.from.reactions.get(id) ?? []).map((x) => ({
        messageId: id,
        ...x,
        reactedAt: source?.from.receivedAt ?? new Date(),
      }));
    });
    if (updated.length) {
      const keep = current.map((x) => `${x.messageId}|${x.emoji}|${x.userId}`);
      await tx
        .delete(r)
        .where(
          and(
            sql`${r.messageId} = ANY(${sql.param(updated)}::text[])`,
            sql`(${r.messageId} || '|' || ${r.emoji} || '|' || ${r.userId}) <> ALL(${sql.param(keep)}::text[])`,
          ),
        );
      await tx.delete(mm).where(sql`${mm.messageId} = ANY(${sql.param(updated)}::text[])`);
    }
    for (const chunk of chunks(current)) await insertReactions(tx, chunk);
    const mentions = written.flatMap(({ id, authorId }) => {
      const source = sourceOf.get(id);
      if (!source || source.row.deletedAt) return [];
      const users = mentionsIn(source.row.text, source.from.everyone);
      users.delete(authorId ?? '');
      return [...users].map((userId) => ({
        messageId: id,
        userId,
        channelId: source.row.channelId,
      }));
    });
    for (const chunk of chunks(mentions)) await insertMentions(tx, chunk);
    for (const chunk of chunks(versions)) await insertVersions(tx, chunk);
    for (const { thread } of collected) {
      if (thread)
        await this.projectThread(
          tx,
          thread.channelId,
          thread.rootId,
          thread.doc,
          thread.stateClock,
        );
    }
    return activityOf(written, sourceOf);
  }

  /** Members to record a `<!channel>` mention for; only read when some text has one. */
  private async channelMemberIds(
    channelId: string,
    changes: DocChanges,
    messagesMap: Y.Map<Y.Map<unknown>>,
  ): Promise<string[]> {
    const needed = [...changes.messageIds].some((id) =>
      EVERYONE.test(String(messagesMap.get(id)?.get('text') ?? '')),
    );
    if (!needed) return [];
    const rows = await this.db
      .select({ userId: schema.channelMembers.userId })
      .from(schema.channelMembers)
      .where(eq(schema.channelMembers.channelId, channelId));
    return rows.map((row) => row.userId);
  }

  private async projectThread(
    tx: Transaction,
    channelId: string,
    rootId: string,
    doc: Y.Doc,
    stateClock: number,
  ): Promise<void> {
    const [root] = await tx
      .select({ id: schema.messages.id, authorId: schema.messages.authorId })
      .from(schema.messages)
      .where(eq(schema.messages.id, rootId));
    // The root's own segment projects it; until then the thread's summary waits.
    if (!root) return;
    const replies = readMessages(doc).filter((reply) => !reply.deleted);
    const last = replies.at(-1);
    const participantIds = [...new Set(replies.map((reply) => reply.author))];
    const stats = {
      replyCount: replies.length,
      lastReplyId: last?.id ?? null,
      lastReplyAt: last ? new Date(last.createdAt) : null,
      participantIds,
      stateClock,
    };
    const { threadStats: t, threadFollowers: f } = schema;
    await tx
      .insert(t)
      .values({ rootId, channelId, ...stats })
      .onConflictDoUpdate({
        target: t.rootId,
        set: stats,
        setWhere: sql`${t.stateClock} <= ${stateClock}`,
      });
    // The root's author and everyone who replied follow the thread (one may unfollow later).
    const followers = new Set(participantIds);
    if (root.authorId) followers.add(root.authorId);
    if (followers.size)
      await tx
        .insert(f)
        .values([...followers].map((userId) => ({ rootId, userId })))
        .onConflictDoNothing();
  }
}

/** What an entry projects: message ids (channel docs) or read-marker keys (user docs). */
const itemKeysOf = ({ changes }: Pending) => [...changes.messageIds, ...changes.markerKeys];

/** An entry's changes in two halves, or null when it holds one item or none. */
function splitChanges(entry: Pending): [Pending, Pending] | null {
  const messageIds = [...entry.changes.messageIds];
  const markerKeys = [...entry.changes.markerKeys];
  const total = messageIds.length + markerKeys.length;
  if (total < 2) return null;
  const half = Math.ceil(total / 2);
  const firstIds = new Set(messageIds.slice(0, half));
  const part = (ids: Set<string>, markers: string[]): Pending => ({
    ...entry,
    changes: {
      messageIds: ids,
      created: new Set([...entry.changes.created].filter((id) => ids.has(id))),
      texts: entry.changes.texts.filter((text) => ids.has(text.messageId)),
      markerKeys: new Set(markers),
    },
    versions: entry.versions.filter((version) => ids.has(version.messageId)),
  });
  const markerSplit = Math.max(0, half - messageIds.length);
  return [
    part(firstIds, markerKeys.slice(0, markerSplit)),
    part(new Set(messageIds.slice(half)), markerKeys.slice(markerSplit)),
  ];
}

/** Class and Postgres code of a failure (of its innermost cause): never the values involved. */
function describeFailure(error: unknown): string {
  let current = error;
  let code: unknown;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const own = (current as { code?: unknown }).code;
    if (typeof own === 'string') code = own;
    current = current.cause;
  }
  const type = error instanceof Error ? error.constructor.name : typeof error;
  return typeof code === 'string' ? `${type} ${code}` : type;
}

/** Each written row with the doc changes it came from. */
const sourcesOf = (collected: readonly Collected[]) =>
  new Map(collected.flatMap((c) => c.rows.map((row) => [row.id, { row, from: c }] as const)));

/**
 * A drain with nothing but message rows and versions to write: no reactions, no mention syntax
 * in any text, no thread summary, and few enough rows for one statement of each kind.
 */
function isPlain(collected: readonly Collected[]): boolean {
  let rows = 0;
  let versions = 0;
  for (const c of collected) {
    if (c.thread || c.reactions.size || c.everyone.length) return false;
    if (c.rows.some((row) => row.text.includes('<@') || row.text.includes('<!'))) return false;
    rows += c.rows.length;
    versions += c.versions.length;
  }
  return rows <= ROWS_PER_STATEMENT && versions <= ROWS_PER_STATEMENT;
}

/** The activity of the messages a drain inserted (published once: by the inserting node). */
function activityOf(
  written: readonly WrittenMessage[],
  sourceOf: ReturnType<typeof sourcesOf>,
): MessageActivity[] {
  return written.flatMap(({ id, authorId, inserted }) => {
    const row = sourceOf.get(id)?.row;
    if (!inserted || !row || row.deletedAt) return [];
    return [
      {
        kind: 'message' as const,
        channelId: row.channelId,
        messageId: id,
        authorId,
        parentId: row.parentId ?? null,
        mentioned: [...new Set([...row.text.matchAll(MENTION)].map((match) => match[1] ?? ''))],
        everyone: EVERYONE.test(row.text),
      },
    ];
  });
}

/** `<@user>` mentions, and everyone in the channel for `<!channel>` (not `<!here>`). */
export function mentionsIn(text: string, channelMembers: readonly string[]): Set<string> {
  const users = new Set([...text.matchAll(MENTION)].map((match) => match[1] ?? ''));
  if (EVERYONE.test(text)) for (const member of channelMembers) users.add(member);
  users.delete('');
  return users;
}
