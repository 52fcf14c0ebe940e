import { type Db, type Logger, parseDocRef, schema } from '@confab/db';
import { hasMessage, messageCount, stateClock } from '@confab/db/model';
import { eq, sql } from 'drizzle-orm';
import type { ActivityEvent } from '../activity';
import { type DocChanges, wholeDoc } from '../engine/changes';
import type { AppliedMeta, ClientIdRegistry } from '../engine/ports';
import { clientsOf, type DocRows, docRows, needsChannelMembers } from './doc-rows';
import { type ProjectedDoc, type ProjectionEntry, ProjectionQueue } from './projection-queue';
import { Quarantine } from './quarantine';
import { projectReadMarkers } from './read-markers';
import { rollOverFull, scanSegment } from './segments';
import type { SegmentState } from './statements';
import { writeRows } from './write-rows';

export type { ProjectedDoc } from './projection-queue';

/**
 * Turns accepted changes into rows (messages, versions, reactions, mentions, thread stats, read
 * markers) for history, search, unread counts and audit. Rows follow the doc's state, so
 * projecting twice or out of order converges: a row is only replaced by one computed from a
 * state holding at least as much of the doc (`state_clock`), versions are keyed by the Yjs item
 * that held the text. This class wires the seams: the queue (`projection-queue.ts`), doc -> rows
 * (`doc-rows.ts`, pure), rows -> SQL (`write-rows.ts`, `statements.ts`), read markers
 * (`read-markers.ts`), segments' bookkeeping (`segments.ts`) and the quarantine.
 */
export class Projector {
  private readonly quarantine: Quarantine;
  private readonly queue: ProjectionQueue;
  /** Each segment's count and id range at its last bookkeeping, so edits and reactions skip it. */
  private readonly segments = new Map<string, Pick<SegmentState, 'count' | 'first' | 'last'>>();

  constructor(
    private readonly db: Db,
    private readonly clientIds: ClientIdRegistry,
    logger: Logger,
    /** Told about new messages and moved read markers once their rows are committed. */
    private readonly activity?: (events: ActivityEvent[]) => void,
    /**
     * Told after a commit that inserted message rows, and with them their notification queue
     * rows: a nudge for the notifier, which would find them on its next poll anyway.
     */
    private readonly queued?: () => void,
  ) {
    this.quarantine = new Quarantine(db, logger);
    this.queue = new ProjectionQueue((entries) => this.projectAll(entries), this.quarantine);
  }

  record(room: ProjectedDoc, changes: DocChanges, meta: AppliedMeta): void {
    this.queue.record(room, changes, meta);
  }

  /** Changes this process quarantined since it started (`projection quarantined` log lines). */
  get quarantined(): number {
    return this.quarantine.quarantined;
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
    const restored = { seq: 0, receivedAt: new Date(), local: false };
    if (await this.quarantine.holdsAny(room.name)) {
      this.queue.record(room, wholeDoc(room.doc), restored, true);
      return;
    }
    if (ref.kind === 'user') return;
    const { messages: m } = schema;
    const [row] = await this.db
      .select({
        count: sql<number>`count(*)::int`,
        clock: sql<number | null>`max(${m.stateClock})`,
      })
      .from(m)
      .where(eq(m.docName, room.name));
    const current =
      row?.count === messageCount(room.doc) && Number(row.clock ?? 0) === stateClock(room.doc);
    if (!current) this.queue.record(room, wholeDoc(room.doc), restored);
  }

  /** Waits until everything recorded so far is projected. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** One drain's entries (or, after a failure, a part of them): read markers, then rows. */
  private async projectAll(entries: ProjectionEntry[]): Promise<void> {
    const docs: DocRows[] = [];
    const segments: SegmentState[] = [];
    for (const entry of entries) {
      const ref = parseDocRef(entry.room.name);
      if (!ref) continue;
      if (ref.kind === 'user') {
        await projectReadMarkers(
          this.db,
          ref.userId,
          entry.room.doc,
          entry.changes.markerKeys,
          this.activity ? (events) => this.publish(events) : undefined,
        );
        continue;
      }
      docs.push(await this.rowsOf(ref.channelId, ref.kind === 'thread' ? ref.rootId : null, entry));
      if (ref.kind !== 'segment') continue;
      const state = this.segmentState(entry);
      if (state) segments.push({ channelId: ref.channelId, index: ref.index, ...state });
    }
    try {
      this.publish(await writeRows(this.db, docs, segments));
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

  /** Reads what the pure doc -> rows step needs from outside the doc, then runs it. */
  private async rowsOf(
    channelId: string,
    threadRootId: string | null,
    entry: ProjectionEntry,
  ): Promise<DocRows> {
    const { room, changes, versions } = entry;
    const ownerOf = await this.owners(room, clientsOf(room.doc, changes, versions));
    const channelMembers = needsChannelMembers(room.doc, changes)
      ? await this.channelMemberIds(channelId)
      : [];
    return docRows({
      doc: room.doc,
      docName: room.name,
      channelId,
      threadRootId,
      changes,
      versions,
      seq: entry.seq,
      receivedAt: entry.receivedAt,
      ownerOf,
      channelMembers,
    });
  }

  /** Owner of a client id; ids claimed on another node are read back from Postgres once. */
  private async owners(room: ProjectedDoc, clients: number[]) {
    if (clients.some((client) => !room.owners.has(client))) {
      for (const [client, owner] of await this.clientIds.owners(room.name))
        room.owners.set(client, owner);
    }
    return (client: number) => room.owners.get(client)?.userId ?? null;
  }

  /** Members to record a `<!channel>` mention for. */
  private async channelMemberIds(channelId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: schema.channelMembers.userId })
      .from(schema.channelMembers)
      .where(eq(schema.channelMembers.channelId, channelId));
    return rows.map((row) => row.userId);
  }

  /**
   * A segment's count and id range after this entry, or null when its count did not change (edits
   * and reactions). Kept per segment and moved on by the entry's new message ids, so a drain
   * never walks a whole segment doc except the first time it sees it.
   */
  private segmentState({ room, changes }: ProjectionEntry) {
    const count = messageCount(room.doc);
    const known = this.segments.get(room.name);
    if (known?.count === count) return null;
    let state = known ? { ...known, count } : scanSegment(room.doc);
    if (known) {
      for (const id of changes.messageIds) {
        if (!hasMessage(room.doc, id)) continue;
        if (state.first === null || id < state.first) state = { ...state, first: id };
        if (state.last === null || id > state.last) state = { ...state, last: id };
      }
    }
    // Only an optimisation: forgetting every segment now and then keeps the map bounded.
    if (this.segments.size >= 10_000) this.segments.clear();
    this.segments.set(room.name, state);
    return state;
  }
}
