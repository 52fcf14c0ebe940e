import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { bytea, createdAt, timestampTz, xid8 } from './columns';

/**
 * Orders the update log. One sequence for all docs lets any node append to any doc without
 * coordinating, and a batch of many docs' updates go in one INSERT; per doc it is increasing,
 * not gap-free.
 */
export const docUpdateSeq = pgSequence('doc_update_seq');

/**
 * The append-only log of accepted Yjs updates [S1]. Rows are never updated;
 * compaction writes snapshots and keeps this log for audit and replay.
 */
export const docUpdates = pgTable(
  'doc_updates',
  {
    docName: text('doc_name').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull().default(sql`nextval('doc_update_seq')`),
    update: bytea('update').notNull(),
    /** Yjs client id of the writer (uint32, hence bigint). */
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    receivedAt: timestampTz('received_at').notNull().defaultNow(),
    /**
     * The inserting transaction's id. Sequence order is not commit order (a lower seq can commit
     * later), but every transaction below the oldest one still running has ended: the projector
     * tails the log in (tx, seq) order up to that horizon, where the set of rows is final.
     */
    tx: xid8('tx').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    primaryKey({ columns: [t.docName, t.seq] }),
    // Audit: "everything this user changed", newest first.
    index('doc_updates_user_idx').on(t.userId, t.receivedAt.desc()),
    // The projector's tail: rows after its cursor, in (tx, seq) order.
    index('doc_updates_tail_idx').on(t.tx, t.seq),
  ],
);

/** A doc's state folded from its log up to and including `upToSeq`; loading reads the newest. */
export const docSnapshots = pgTable(
  'doc_snapshots',
  {
    docName: text('doc_name').notNull(),
    upToSeq: bigint('up_to_seq', { mode: 'number' }).notNull(),
    state: bytea('state').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.docName, t.upToSeq] })],
);

/** The first user to write with a client id in a doc owns it [S3]. */
export const docClientIds = pgTable(
  'doc_client_ids',
  {
    docName: text('doc_name').notNull(),
    clientId: bigint('client_id', { mode: 'number' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    firstSeenAt: timestampTz('first_seen_at').notNull().defaultNow(),
    /** Set when the client id wrote a rejected update; it may not write in this doc again. */
    barredAt: timestampTz('barred_at'),
  },
  (t) => [primaryKey({ columns: [t.docName, t.clientId] })],
);

/**
 * How far the projector has turned the log into rows: the (tx, seq) of the last log row it
 * projected, moved in the transaction that writes that row's projection, so rows and cursor
 * commit together and a restart resumes exactly after them. One row per tail ('main'). The
 * tailer holding the lease does the work (others only watch for it to lapse), so one tailer keeps
 * its doc copies warm; the cursor check in each transaction, not the lease, keeps rows once.
 */
export const projectionTail = pgTable('projection_tail', {
  name: text('name').primaryKey(),
  tx: xid8('tx').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  leader: text('leader'),
  leaseUntil: timestampTz('lease_until'),
  updatedAt: timestampTz('updated_at').notNull().defaultNow(),
});

/**
 * Message ids taken, across every node: claimed in the statement that logs the creating update,
 * so two nodes cannot both accept a creation of one id (one would overwrite the other's message
 * in the doc). `token` names the creating update (its first struct), so a re-sent one passes.
 */
export const messageClaims = pgTable('message_claims', {
  messageId: text('message_id').primaryKey(),
  docName: text('doc_name').notNull(),
  token: text('token').notNull(),
  claimedAt: createdAt(),
});

/**
 * Changes the projector gave up on after isolating them (sync-server projection): their rows are
 * missing from history until a later load of the doc projects it again and clears them. One row
 * per doc and item (a message id, or a read-marker key in a user doc); `error` names the error's
 * class and Postgres code, never the values involved.
 */
export const projectionQuarantine = pgTable(
  'projection_quarantine',
  {
    docName: text('doc_name').notNull(),
    itemKey: text('item_key').notNull(),
    /** Newest log sequence the failing change came with (0 when it came from loading the doc). */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    error: text('error').notNull(),
    attempts: integer('attempts').notNull().default(1),
    quarantinedAt: timestampTz('quarantined_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.docName, t.itemKey] })],
);
