import { asSql, type Db, docName, SqlParams, type schema } from '@confab/db';

/**
 * The projection's writes as raw SQL over column arrays (`unnest`): one statement per kind of row
 * whatever the number of rows, and a handful of parameters to build, all in the transaction that
 * moves the projector's tail. The common batch runs as one statement (`projectPlainMessages`).
 */
/** A connection or transaction: every statement here runs in the projector's transaction. */
type Transaction = Pick<Db, 'execute'>;
type MessageRow = typeof schema.messages.$inferInsert & { id: string };
type VersionRow = typeof schema.messageVersions.$inferInsert;

/** A segment's message count and id range, as its row records them. */
export interface SegmentState {
  channelId: string;
  index: number;
  count: number;
  first: string | null;
  last: string | null;
}

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);

/**
 * Text as Postgres can store it: `text` cannot hold U+0000, and one such string would fail the
 * whole statement. The validator refuses NUL; this keeps text written before it did (or by any
 * other path) from failing its neighbours' rows.
 */
const storable = (text: string) => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);

/** The upsert of message rows; a row only moves forward (`state_clock`). */
const messagesUpsert = (rows: readonly MessageRow[], p: SqlParams) => `
    INSERT INTO messages (id, channel_id, doc_name, author_id, parent_id, text, file_ids,
      created_at, received_at, edited_at, deleted_at, deleted_by, doc_seq, state_clock)
    SELECT id, channel_id, doc_name, author_id, parent_id, text,
      coalesce(string_to_array(file_ids, ','), '{}')::uuid[],
      created_at, received_at, edited_at, deleted_at, deleted_by, doc_seq, state_clock
    FROM unnest(
      ${p.add(rows.map((row) => row.id))}::text[],
      ${p.add(rows.map((row) => row.channelId))}::uuid[],
      ${p.add(rows.map((row) => row.docName))}::text[],
      ${p.add(rows.map((row) => row.authorId ?? null))}::uuid[],
      ${p.add(rows.map((row) => row.parentId ?? null))}::text[],
      ${p.add(rows.map((row) => storable(row.text)))}::text[],
      ${p.add(rows.map((row) => (row.fileIds ?? []).join(',')))}::text[],
      ${p.add(rows.map((row) => iso(row.createdAt)))}::timestamptz[],
      ${p.add(rows.map((row) => iso(row.receivedAt)))}::timestamptz[],
      ${p.add(rows.map((row) => iso(row.editedAt)))}::timestamptz[],
      ${p.add(rows.map((row) => iso(row.deletedAt)))}::timestamptz[],
      ${p.add(rows.map((row) => row.deletedBy ?? null))}::uuid[],
      ${p.add(rows.map((row) => row.docSeq))}::bigint[],
      ${p.add(rows.map((row) => row.stateClock ?? 0))}::bigint[]
    ) AS r(id, channel_id, doc_name, author_id, parent_id, text, file_ids,
      created_at, received_at, edited_at, deleted_at, deleted_by, doc_seq, state_clock)
    ON CONFLICT (id) DO UPDATE SET
      text = excluded.text,
      file_ids = excluded.file_ids,
      edited_at = excluded.edited_at,
      deleted_at = excluded.deleted_at,
      deleted_by = excluded.deleted_by,
      doc_seq = greatest(messages.doc_seq, excluded.doc_seq),
      state_clock = excluded.state_clock
    WHERE messages.state_clock <= excluded.state_clock
    -- xmax = 0 on a row this statement inserted: a new message has no old rows to clear.
    RETURNING id, author_id, (xmax = 0) AS inserted, channel_id, file_ids`;

/**
 * Whether some row's message holds or held files (`fileIds` is undefined for one that never did,
 * as the projector builds rows): only then do the statements touch the files table.
 */
const touchesFiles = (rows: readonly MessageRow[]) => rows.some((row) => row.fileIds !== undefined);

/**
 * Common table expressions after `m` (the upsert) that keep `files.message_id` in step with the
 * messages just written: a file a message lists is attached to it unless attached already, and
 * one its message no longer lists (an edit, a tombstone) is detached. `held` reads the rows as
 * they were before this statement (every part of a statement sees the same snapshot). Only rows
 * the upsert wrote count, so a stale projection moves nothing. The channel and uploader are
 * checked once more, although the validator let only such files in.
 */
const filesSync = (rows: readonly MessageRow[], p: SqlParams) => `
    held AS (
      SELECT id, file_ids FROM messages
      WHERE id = ANY(${p.add(rows.map((row) => row.id))}::text[]) AND file_ids <> '{}'
    ),
    attach AS (
      UPDATE files f SET message_id = m.id FROM m
      WHERE f.id = ANY(m.file_ids) AND f.message_id IS NULL
        AND f.channel_id = m.channel_id AND f.uploader_id = m.author_id
    ),
    detach AS (
      UPDATE files f SET message_id = NULL FROM m JOIN held ON held.id = m.id
      WHERE f.id = ANY(held.file_ids) AND f.message_id = m.id AND f.id <> ALL(m.file_ids)
    )`;

/** The upsert as `m`, with the files' bookkeeping when it is needed. */
const messagesWith = (rows: readonly MessageRow[], p: SqlParams) => [
  `m AS (${messagesUpsert(rows, p)})`,
  ...(touchesFiles(rows) ? [filesSync(rows, p)] : []),
];

const versionsInsert = (rows: readonly VersionRow[], p: SqlParams) => `
    INSERT INTO message_versions (message_id, item_id, text, editor_id, edited_at, doc_seq)
    SELECT * FROM unnest(
      ${p.add(rows.map((row) => row.messageId))}::text[],
      ${p.add(rows.map((row) => row.itemId))}::text[],
      ${p.add(rows.map((row) => storable(row.text)))}::text[],
      ${p.add(rows.map((row) => row.editorId ?? null))}::uuid[],
      ${p.add(rows.map((row) => iso(row.editedAt)))}::timestamptz[],
      ${p.add(rows.map((row) => row.docSeq))}::bigint[])
    ON CONFLICT DO NOTHING`;

/**
 * Common table expressions that keep segments' rows current (count and id range, for history
 * pages and clients looking for older segments) and their channels' last activity. Conditional,
 * so nodes doing it at once record the largest count.
 */
const segmentsUpsert = (segments: readonly SegmentState[], p: SqlParams) => `
    segment_input AS (
      SELECT * FROM unnest(
        ${p.add(segments.map((s) => s.channelId))}::uuid[],
        ${p.add(segments.map((s) => s.index))}::int[],
        ${p.add(segments.map((s) => docName({ kind: 'segment', channelId: s.channelId, index: s.index })))}::text[],
        ${p.add(segments.map((s) => s.count))}::int[],
        ${p.add(segments.map((s) => s.first))}::text[],
        ${p.add(segments.map((s) => s.last))}::text[]
      ) AS i(channel_id, index, doc_name, message_count, first_message_id, last_message_id)
    ),
    segment AS (
      INSERT INTO channel_segments (channel_id, index, doc_name, message_count, first_message_id, last_message_id)
      SELECT * FROM segment_input
      ON CONFLICT (channel_id, index) DO UPDATE SET
        message_count = excluded.message_count,
        first_message_id = excluded.first_message_id,
        last_message_id = excluded.last_message_id
      WHERE channel_segments.message_count <= excluded.message_count
    ),
    channel AS (
      UPDATE channels SET last_message_at = greatest(last_message_at, now())
      WHERE id IN (SELECT channel_id FROM segment_input)
    )`;

export interface WrittenMessage {
  id: string;
  authorId: string | null;
  inserted: boolean;
}

type WrittenRow = { id: string; author_id: string | null; inserted: boolean };
const writtenOf = (rows: readonly WrittenRow[]): WrittenMessage[] =>
  rows.map((row) => ({ id: row.id, authorId: row.author_id, inserted: row.inserted }));

/** Inserts or refreshes message rows. */
export async function upsertMessages(tx: Transaction, rows: readonly MessageRow[]) {
  const p = new SqlParams();
  const text = `WITH ${messagesWith(rows, p).join(',\n')} SELECT id, author_id, inserted FROM m`;
  const result = await tx.execute(asSql(text, p));
  return writtenOf((result as unknown as { rows: WrittenRow[] }).rows);
}

/**
 * The common batch in one statement: messages with no reactions, mentions or
 * thread to project (plain posts and their edits), with their versions and their segments'
 * bookkeeping. An edited message's old reaction and mention rows are cleared in the same
 * statement, as the doc holds none for it. At most 1,000 rows of each kind.
 */
export async function projectPlainMessages(
  tx: Transaction,
  rows: readonly MessageRow[],
  versions: readonly VersionRow[],
  segments: readonly SegmentState[],
) {
  const p = new SqlParams();
  const ctes = [
    ...messagesWith(rows, p),
    ...(versions.length ? [`v AS (${versionsInsert(versions, p)})`] : []),
    'r AS (DELETE FROM reactions WHERE message_id IN (SELECT id FROM m WHERE NOT inserted))',
    'n AS (DELETE FROM message_mentions WHERE message_id IN (SELECT id FROM m WHERE NOT inserted))',
    // A new message is queued for the notifier in the statement that inserts it.
    `q AS (${notificationsQueued('SELECT id FROM m WHERE inserted')})`,
    ...(segments.length ? [segmentsUpsert(segments, p)] : []),
  ];
  const text = `WITH ${ctes.join(',\n')} SELECT id, author_id, inserted FROM m`;
  const result = await tx.execute(asSql(text, p));
  return writtenOf((result as unknown as { rows: WrittenRow[] }).rows);
}

/**
 * Queue rows for new messages (`notification_queue`), for the API's notifier: written with the
 * message rows, so a message is notified even when a process dies right after the commit.
 */
const notificationsQueued = (ids: string) =>
  `INSERT INTO notification_queue (message_id) ${ids} ON CONFLICT DO NOTHING`;

/** Queues new messages for the notifier, in the transaction that inserted their rows. */
export function queueNotifications(tx: Transaction, messageIds: readonly string[]) {
  const p = new SqlParams();
  const ids = `SELECT unnest(${p.add([...messageIds])}::text[])`;
  return tx.execute(asSql(notificationsQueued(ids), p));
}

/** Segments' bookkeeping alone, for batches of more than plain messages. */
export async function upsertSegments(tx: Transaction, segments: readonly SegmentState[]) {
  const p = new SqlParams();
  await tx.execute(asSql(`WITH ${segmentsUpsert(segments, p)} SELECT 1`, p));
}

export function insertVersions(tx: Transaction, rows: readonly VersionRow[]) {
  const p = new SqlParams();
  return tx.execute(asSql(versionsInsert(rows, p), p));
}

export function insertReactions(
  tx: Transaction,
  rows: ReadonlyArray<{ messageId: string; userId: string; emoji: string; reactedAt: Date }>,
) {
  const p = new SqlParams();
  const text = `INSERT INTO reactions (message_id, user_id, emoji, reacted_at)
      SELECT * FROM unnest(
        ${p.add(rows.map((row) => row.messageId))}::text[],
        ${p.add(rows.map((row) => row.userId))}::uuid[],
        ${p.add(rows.map((row) => storable(row.emoji)))}::text[],
        ${p.add(rows.map((row) => iso(row.reactedAt)))}::timestamptz[])
      ON CONFLICT DO NOTHING`;
  return tx.execute(asSql(text, p));
}

export function insertMentions(
  tx: Transaction,
  rows: ReadonlyArray<{ messageId: string; userId: string; channelId: string }>,
) {
  const p = new SqlParams();
  const text = `INSERT INTO message_mentions (message_id, user_id, channel_id)
      SELECT * FROM unnest(
        ${p.add(rows.map((row) => row.messageId))}::text[],
        ${p.add(rows.map((row) => row.userId))}::uuid[],
        ${p.add(rows.map((row) => row.channelId))}::uuid[])
      ON CONFLICT DO NOTHING`;
  return tx.execute(asSql(text, p));
}
