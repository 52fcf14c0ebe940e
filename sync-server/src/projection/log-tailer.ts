import { randomUUID } from 'node:crypto';
import { type Db, type DocRef, type Logger, parseDocRef, schema } from '@confab/db';
import { hasMessage, messageCount } from '@confab/db/model';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { ActivityEvent } from '../activity';
import { wholeDoc } from '../engine/changes';
import type { ClientIdOwner } from '../engine/ports';
import { applyRow, DocCopies, type DocCopy } from './doc-copies';
import { clientsOf, type DocRows, docRows, needsChannelMembers } from './doc-rows';
import { addRow, newEntry, type ProjectionEntry, quarantinedChange, splitChanges } from './entries';
import {
  claimTail,
  comparePositions,
  docsBetween,
  docUpdatesUpTo,
  heldBack,
  type LogRow,
  lockTail,
  oldestTransaction,
  readTail,
  releaseTail,
  setTail,
  type TailPosition,
} from './log-tail';
import { Quarantine, type QuarantinedChange } from './quarantine';
import { projectReadMarkers } from './read-markers';
import { rollOverFull, scanSegment } from './segments';
import type { SegmentState } from './statements';
import { isTransient } from './transient';
import { writeRows } from './write-rows';

export interface LogTailerOptions {
  db: Db;
  logger: Logger;
  /** Told about new messages and moved read markers once their rows are committed. */
  activity?: (events: ActivityEvent[]) => void;
  /**
   * Told after a commit that inserted message rows, and with them their notification queue
   * rows: a nudge for the notifier, which would find them on its next poll anyway.
   */
  queued?: () => void;
  /** Told the running count after a batch quarantined changes (a worker reports it). */
  onQuarantined?: (count: number) => void;
  /** Log rows per batch (one transaction). */
  batchSize?: number;
  /** How long a wake waits for more commits, so a burst shares one batch. */
  windowMs?: number;
  /** The leader's poll for rows other nodes committed (nobody wakes it for those). */
  pollMs?: number;
  /** How long a leader's claim lasts unless renewed; a follower takes over after it. */
  leaseMs?: number;
  /** Doc copies kept between batches. */
  copies?: number;
  /** Bytes of updates the kept copies may be built from (default 256 MiB). */
  copiesMaxBytes?: number;
  /** How long the horizon may hold rows back before a warning names the oldest transaction. */
  heldWarnMs?: number;
}

type Outcome = 'more' | 'idle' | 'held' | 'follower';

/** An entry with what its rows need from outside the doc, read before the transaction. */
interface Prepared {
  entry: ProjectionEntry;
  ref: DocRef;
  ownerOf: (client: number) => string | null;
  channelMembers: string[];
  segment: SegmentState | null;
}

/** What a batch's transaction leaves to do after its commit. */
interface Outbox {
  events: ActivityEvent[];
  segments: SegmentState[];
  quarantined: Array<{ change: QuarantinedChange; error: unknown }>;
}

const emptyOutbox = (): Outbox => ({ events: [], segments: [], quarantined: [] });

/** A follower checks this often whether the leader's lease lapsed. */
const FOLLOWER_CHECK_MS = 1_000;
/**
 * Rows wait above the horizon: look again soon (a transaction older than them will end), then
 * less and less often, since a session idle in a transaction may hold it for hours.
 */
const HELD_RETRY_MS = 25;
const HELD_RETRY_MAX_MS = 1_000;
const HELD_WARN_MS = 10_000;
/** A failed batch is retried after this, doubled per failure in a row up to the maximum. */
const FAILED_RETRY_MS = 1_000;
const FAILED_RETRY_MAX_MS = 30_000;

/**
 * The projector: tails `doc_updates` in (tx, seq) order below the commit-safe horizon
 * (`log-tail.ts`), applies each log row to its own copy of the doc, turns what the row changed
 * into rows (`doc-rows.ts`, `write-rows.ts`) and moves its cursor in the same transaction as
 * those rows. After any crash it resumes after the last committed batch, so every log row is
 * projected once: each text a row wrote becomes exactly one version row.
 *
 * Several tailers (one per sync node) may run against one database: the one holding the lease on
 * the cursor row works, the others check now and then whether it lapsed. The lease only saves
 * work; what keeps rows once is that a batch's transaction moves the cursor only from where the
 * batch started (`setTail`), under the cursor row's lock, or rolls back.
 */
export class LogTailer {
  readonly id = randomUUID();
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly copies: DocCopies;
  private readonly quarantine: Quarantine;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly heldWarnMs: number;
  /** Failed batches in a row (the retry backs off). */
  private failures = 0;
  /** When the horizon began to hold rows back, and whether that episode was warned about. */
  private held: { since: number; retryMs: number; warned: boolean } | null = null;
  /** Each segment's count and id range at its last bookkeeping, so edits and reactions skip it. */
  private readonly segments = new Map<string, Pick<SegmentState, 'count' | 'first' | 'last'>>();
  /** The cursor this tailer's doc copies are at (null: it holds none it can trust). */
  private position: TailPosition | null = null;
  /** Batches and repairs run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: LogTailerOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.copies = new DocCopies(options.db, options.copies, options.copiesMaxBytes);
    this.quarantine = new Quarantine(options.logger);
    this.batchSize = options.batchSize ?? 500;
    this.windowMs = options.windowMs ?? 20;
    this.pollMs = options.pollMs ?? 250;
    this.leaseMs = options.leaseMs ?? 5_000;
    this.heldWarnMs = options.heldWarnMs ?? HELD_WARN_MS;
  }

  /** Changes this tailer quarantined since it started (`projection quarantined` log lines). */
  get quarantined(): number {
    return this.quarantine.quarantined;
  }

  start(): void {
    this.schedule(0);
  }

  /** Log rows were committed (on this node): project them after a short window. */
  wake(): void {
    this.schedule(this.windowMs);
  }

  /** A doc was loaded: if it holds quarantined changes, project it whole again. */
  loaded(docName: string): void {
    if (this.stopped) return;
    this.quarantine
      .holdsAny(this.db, docName)
      .then((holds) => {
        if (holds) return this.enqueue(() => this.repair(docName));
      })
      .catch((error: unknown) =>
        this.logger.warn({ err: error, docName }, 'projection repair failed'),
      );
  }

  /** Projects everything committed below the horizon by now (when this tailer leads). */
  flush(): Promise<void> {
    return this.enqueue(() => this.drain());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.chain;
    await releaseTail(this.db, this.id).catch(() => {});
    this.copies.clear();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Number.POSITIVE_INFINITY;
      void this.enqueue(() => this.drain());
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Batches until nothing is left, then schedules the next look (poll, retry or lease check). */
  private async drain(): Promise<void> {
    if (this.stopped) return;
    let next = this.pollMs;
    try {
      for (;;) {
        const outcome = await this.batch();
        if (outcome === 'more') continue;
        if (outcome === 'follower') next = FOLLOWER_CHECK_MS;
        if (outcome === 'held') next = await this.stillHeld();
        else this.held = null;
        break;
      }
      this.failures = 0;
    } catch (error) {
      this.failures++;
      next = Math.min(FAILED_RETRY_MS * 2 ** (this.failures - 1), FAILED_RETRY_MAX_MS);
      this.logger.warn({ err: error, retryMs: next }, 'projection batch failed');
    }
    this.schedule(next);
  }

  /**
   * The horizon holds rows back: returns when to look again (backing off), and warns once per
   * episode when it has held them too long. The horizon is cluster-wide, so the culprit may be
   * any session on the server, named here when `pg_stat_activity` shows it.
   */
  private async stillHeld(): Promise<number> {
    const now = Date.now();
    if (!this.held) {
      this.held = { since: now, retryMs: HELD_RETRY_MS, warned: false };
      return HELD_RETRY_MS;
    }
    const held = this.held;
    held.retryMs = Math.min(held.retryMs * 2, HELD_RETRY_MAX_MS);
    if (!held.warned && now - held.since > this.heldWarnMs) {
      held.warned = true;
      const oldest = await oldestTransaction(this.db).catch(() => null);
      this.logger.warn(
        { heldMs: now - held.since, oldest },
        'projection held back by an open transaction',
      );
    }
    return held.retryMs;
  }

  private async batch(): Promise<Outcome> {
    const cursor = await claimTail(this.db, this.id, this.leaseMs);
    if (!cursor) {
      // Another tailer leads: its progress makes these copies stale, and they only cost memory.
      this.position = null;
      this.copies.clear();
      this.segments.clear();
      return 'follower';
    }
    await this.forgetStale(cursor);
    const rows = await readTail(this.db, cursor, this.batchSize);
    const last = rows.at(-1);
    if (!last) return (await heldBack(this.db)) ? 'held' : 'idle';
    const touched = new Set(rows.map((row) => row.docName));
    const forget = () => {
      for (const name of touched) {
        this.copies.drop(name);
        this.segments.delete(name);
      }
    };
    let moved: boolean;
    try {
      const prepared = await this.prepareAll(await this.entriesOf(rows, cursor));
      const to = { tx: last.tx, seq: last.seq };
      const outbox = emptyOutbox();
      moved = await this.db.transaction(async (tx) => {
        if (comparePositions(await lockTail(tx), cursor) !== 0) return false;
        await this.writeIsolated(tx, prepared, outbox);
        await setTail(tx, to);
        return true;
      });
      if (moved) {
        this.position = to;
        await this.afterCommit(outbox);
      }
    } catch (error) {
      forget();
      throw error;
    }
    // Another tailer moved the cursor first: its rows stand, these copies went ahead of them.
    if (!moved) forget();
    this.copies.trim();
    if (rows.length === this.batchSize || !moved) return 'more';
    return (await heldBack(this.db)) ? 'held' : 'idle';
  }

  /** Drops the copies of docs another tailer projected since this one's last batch. */
  private async forgetStale(cursor: TailPosition): Promise<void> {
    const position = this.position;
    this.position = cursor;
    if (position && comparePositions(position, cursor) === 0) return;
    if (!position || comparePositions(position, cursor) > 0) {
      this.copies.clear();
      this.segments.clear();
      return;
    }
    for (const name of await docsBetween(this.db, position, cursor)) {
      this.copies.drop(name);
      this.segments.delete(name);
    }
  }

  /** Applies each row to its doc's copy, one at a time, and gathers each doc's changes. */
  private async entriesOf(rows: readonly LogRow[], cursor: TailPosition) {
    const entries = new Map<string, ProjectionEntry>();
    for (const row of rows) {
      if (!parseDocRef(row.docName)) continue;
      const copy = await this.copies.get(row.docName, cursor);
      const changes = applyRow(copy, row.update);
      this.copies.grew(row.docName, row.update.byteLength);
      if (!changes.messageIds.size && !changes.markerKeys.size) continue;
      const entry = entries.get(row.docName) ?? newEntry(copy, row.receivedAt);
      addRow(entry, changes, row);
      entries.set(row.docName, entry);
    }
    return [...entries.values()];
  }

  private async prepareAll(entries: readonly ProjectionEntry[]): Promise<Prepared[]> {
    const prepared: Prepared[] = [];
    for (const entry of entries) {
      const item = await this.prepare(this.db, entry);
      if (item) prepared.push(item);
    }
    return prepared;
  }

  /** Reads what the pure doc -> rows step needs from outside the doc. */
  private async prepare(db: Executor, entry: ProjectionEntry): Promise<Prepared | null> {
    const ref = parseDocRef(entry.copy.name);
    if (!ref) return null;
    const none = { entry, ref, ownerOf: () => null, channelMembers: [], segment: null };
    if (ref.kind === 'user') return none;
    const { copy, changes, versions } = entry;
    const clients = clientsOf(copy.doc, changes, versions);
    if (clients.some((client) => !copy.owners.has(client)))
      for (const [client, owner] of await readOwners(db, copy.name)) copy.owners.set(client, owner);
    const channelMembers = needsChannelMembers(copy.doc, changes)
      ? await channelMemberIds(db, ref.channelId)
      : [];
    // A repair's doc is a scratch copy: the segment's bookkeeping follows the tail's copies.
    const state = ref.kind === 'segment' && !entry.repair ? this.segmentState(entry) : null;
    return {
      entry,
      ref,
      ownerOf: (client) => copy.owners.get(client)?.userId ?? null,
      channelMembers,
      segment:
        state && ref.kind === 'segment'
          ? { channelId: ref.channelId, index: ref.index, ...state }
          : null,
    };
  }

  /**
   * Writes entries in a savepoint; when that fails, each entry alone, and a failing entry's
   * changes in halves down to one message (or read marker), so every good change gets its rows
   * whatever another holds. A change that fails alone is quarantined in the same transaction.
   * A transient failure (deadlock, timeout, lost connection) fails the whole transaction instead:
   * quarantined changes get no version rows, so only a change at fault may cost its history.
   */
  private async writeIsolated(tx: Transaction, items: Prepared[], outbox: Outbox): Promise<void> {
    let part = emptyOutbox();
    try {
      await tx.transaction(async (savepoint) => {
        part = await this.write(savepoint, items);
      });
    } catch (error) {
      // Nothing wrong with these rows: the whole batch rolls back and is tried again later.
      if (isTransient(error)) throw error;
      if (items.length > 1) {
        for (const item of items) await this.writeIsolated(tx, [item], outbox);
        return;
      }
      const [item] = items;
      if (!item) return;
      const halves = splitChanges(item.entry);
      if (!halves) {
        const change = quarantinedChange(item.entry);
        await this.quarantine.record(tx, change, error);
        outbox.quarantined.push({ change, error });
        return;
      }
      for (const half of halves) await this.writeIsolated(tx, [{ ...item, entry: half }], outbox);
      return;
    }
    outbox.events.push(...part.events);
    outbox.segments.push(...part.segments);
    // A repair's rows were written: its doc's quarantined items are projected now.
    for (const { entry } of items)
      if (entry.repair) await this.quarantine.clear(tx, quarantinedChange(entry));
  }

  /** One savepoint's writes: read markers, then every doc's rows together. */
  private async write(tx: Transaction, items: readonly Prepared[]): Promise<Outbox> {
    const out = emptyOutbox();
    const docs: DocRows[] = [];
    for (const { entry, ref, ownerOf, channelMembers, segment } of items) {
      if (ref.kind === 'user') {
        const { doc } = entry.copy;
        out.events.push(
          ...(await projectReadMarkers(tx, ref.userId, doc, entry.changes.markerKeys)),
        );
        continue;
      }
      docs.push(
        docRows({
          doc: entry.copy.doc,
          docName: entry.copy.name,
          channelId: ref.channelId,
          threadRootId: ref.kind === 'thread' ? ref.rootId : null,
          changes: entry.changes,
          versions: entry.versions,
          seq: entry.seq,
          receivedAt: entry.receivedAt,
          ownerOf,
          channelMembers,
        }),
      );
      if (segment) out.segments.push(segment);
    }
    out.events.push(...(await writeRows(tx, docs, out.segments)));
    return out;
  }

  private async afterCommit({ events, segments, quarantined }: Outbox): Promise<void> {
    for (const { change, error } of quarantined) this.quarantine.report(change, error);
    if (quarantined.length) this.options.onQuarantined?.(this.quarantine.quarantined);
    if (events.length) this.options.activity?.(events);
    if (events.some((event) => event.kind === 'message')) this.options.queued?.();
    await rollOverFull(this.db, segments).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'segment roll-over failed'),
    );
  }

  /**
   * Projects a doc whole from its state at the cursor (which its transaction locks, so no batch
   * moves it meanwhile), clearing the quarantined items that now succeed. Writes no versions:
   * those come from log rows only.
   */
  private async repair(docName: string): Promise<void> {
    const doc = new Y.Doc({ gc: true });
    const copy: DocCopy = { name: docName, doc, owners: new Map() };
    const outbox = emptyOutbox();
    try {
      await this.db.transaction(async (tx) => {
        const updates = await docUpdatesUpTo(tx, docName, await lockTail(tx));
        doc.transact(() => {
          for (const update of updates) Y.applyUpdate(doc, update);
        });
        const entry = { ...newEntry(copy, new Date()), changes: wholeDoc(doc), repair: true };
        const item = await this.prepare(tx, entry);
        if (item) await this.writeIsolated(tx, [item], outbox);
      });
      await this.afterCommit(outbox);
    } finally {
      doc.destroy();
    }
  }

  /**
   * A segment's count and id range after this entry, or null when its count did not change (edits
   * and reactions). Kept per segment and moved on by the entry's new message ids, so a batch
   * never walks a whole segment doc except the first time it sees it.
   */
  private segmentState({ copy, changes }: ProjectionEntry) {
    const count = messageCount(copy.doc);
    const known = this.segments.get(copy.name);
    if (known?.count === count) return null;
    let state = known ? { ...known, count } : scanSegment(copy.doc);
    if (known) {
      for (const id of changes.messageIds) {
        if (!hasMessage(copy.doc, id)) continue;
        if (state.first === null || id < state.first) state = { ...state, first: id };
        if (state.last === null || id > state.last) state = { ...state, last: id };
      }
    }
    // Only an optimisation: forgetting every segment now and then keeps the map bounded.
    if (this.segments.size >= 10_000) this.segments.clear();
    this.segments.set(copy.name, state);
    return state;
  }
}

type Executor = Pick<Db, 'select' | 'execute'>;
type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Owners of a doc's client ids [S3], read on the given connection or transaction. */
async function readOwners(db: Executor, docName: string): Promise<Map<number, ClientIdOwner>> {
  const { docClientIds: c } = schema;
  const rows = await db
    .select({ clientId: c.clientId, userId: c.userId, barredAt: c.barredAt })
    .from(c)
    .where(eq(c.docName, docName));
  return new Map(
    rows.map((row) => [row.clientId, { userId: row.userId, barred: row.barredAt !== null }]),
  );
}

/** Members to record a `<!channel>` mention for. */
async function channelMemberIds(db: Executor, channelId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: schema.channelMembers.userId })
    .from(schema.channelMembers)
    .where(eq(schema.channelMembers.channelId, channelId));
  return rows.map((row) => row.userId);
}
