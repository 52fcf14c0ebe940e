import type { Db, schema } from '@confab/db';
import { sql } from 'drizzle-orm';

/**
 * The projection's writes as raw SQL over column arrays (`unnest`): one statement per kind of row
 * whatever the number of rows, and a handful of parameters to build. The query builder spent
 * more CPU building these inserts (a parameter and type check per value) than the rest of the
 * projection together; this is the hot path of every message.
 */
type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];
type MessageRow = typeof schema.messages.$inferInsert & { id: string };

const column = (values: unknown[]) => sql.param(values);
const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);
/** Both drivers answer raw SQL with `{ rows }`. */
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** The upsert of message rows; a row only moves forward (`state_clock`). */
const messagesUpsert = (rows: readonly MessageRow[]) => sql`
    INSERT INTO messages (id, channel_id, doc_name, author_id, parent_id, text, file_ids,
      created_at, received_at, edited_at, deleted_at, deleted_by, doc_seq, state_clock)
    SELECT id, channel_id, doc_name, author_id, parent_id, text,
      coalesce(string_to_array(file_ids, ','), '{}')::uuid[],
      created_at, received_at, edited_at, deleted_at, deleted_by, doc_seq, state_clock
    FROM unnest(
      ${column(rows.map((row) => row.id))}::text[],
      ${column(rows.map((row) => row.channelId))}::uuid[],
      ${column(rows.map((row) => row.docName))}::text[],
      ${column(rows.map((row) => row.authorId ?? null))}::uuid[],
      ${column(rows.map((row) => row.parentId ?? null))}::text[],
      ${column(rows.map((row) => row.text))}::text[],
      ${column(rows.map((row) => (row.fileIds ?? []).join(',')))}::text[],
      ${column(rows.map((row) => iso(row.createdAt)))}::timestamptz[],
      ${column(rows.map((row) => iso(row.receivedAt)))}::timestamptz[],
      ${column(rows.map((row) => iso(row.editedAt)))}::timestamptz[],
      ${column(rows.map((row) => iso(row.deletedAt)))}::timestamptz[],
      ${column(rows.map((row) => row.deletedBy ?? null))}::uuid[],
      ${column(rows.map((row) => row.docSeq))}::bigint[],
      ${column(rows.map((row) => row.stateClock ?? 0))}::bigint[]
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
    RETURNING id, author_id, (xmax = 0) AS inserted`;

const versionsInsert = (rows: ReadonlyArray<typeof schema.messageVersions.$inferInsert>) => sql`
    INSERT INTO message_versions (message_id, item_id, text, editor_id, edited_at, doc_seq)
    SELECT * FROM unnest(
      ${column(rows.map((row) => row.messageId))}::text[],
      ${column(rows.map((row) => row.itemId))}::text[],
      ${column(rows.map((row) => row.text))}::text[],
      ${column(rows.map((row) => row.editorId ?? null))}::uuid[],
      ${column(rows.map((row) => iso(row.editedAt)))}::timestamptz[],
      ${column(rows.map((row) => row.docSeq))}::bigint[])
    ON CONFLICT DO NOTHING`;

export interface WrittenMessage {
  id: string;
  authorId: string | null;
  inserted: boolean;
}

const writtenOf = (result: unknown): WrittenMessage[] =>
  rowsOf<{ id: string; author_id: string | null; inserted: boolean }>(result).map((row) => ({
    id: row.id,
    authorId: row.author_id,
    inserted: row.inserted,
  }));

/** Inserts or refreshes message rows. */
export async function upsertMessages(tx: Transaction, rows: readonly MessageRow[]) {
  return writtenOf(await tx.execute(messagesUpsert(rows)));
}

/**
 * The common drain in one statement and no transaction: messages with no reactions, mentions or
 * thread to project (plain posts and their edits), with their versions. An edited message's
 * old reaction and mention rows are cleared in the same statement, as the doc holds none for it.
 * At most 1,000 rows of each kind.
 */
export async function projectPlainMessages(
  db: Db,
  rows: readonly MessageRow[],
  versions: ReadonlyArray<typeof schema.messageVersions.$inferInsert>,
) {
  return writtenOf(
    await db.execute(sql`
      WITH m AS (${messagesUpsert(rows)}),
      v AS (${versionsInsert(versions)}),
      r AS (DELETE FROM reactions WHERE message_id IN (SELECT id FROM m WHERE NOT inserted)),
      n AS (DELETE FROM message_mentions WHERE message_id IN (SELECT id FROM m WHERE NOT inserted))
      SELECT id, author_id, inserted FROM m`),
  );
}

export function insertVersions(
  tx: Transaction,
  rows: ReadonlyArray<typeof schema.messageVersions.$inferInsert>,
) {
  return tx.execute(versionsInsert(rows));
}

export function insertReactions(
  tx: Transaction,
  rows: ReadonlyArray<{ messageId: string; userId: string; emoji: string; reactedAt: Date }>,
) {
  return tx.execute(
    sql`INSERT INTO reactions (message_id, user_id, emoji, reacted_at)
      SELECT * FROM unnest(
        ${column(rows.map((row) => row.messageId))}::text[],
        ${column(rows.map((row) => row.userId))}::uuid[],
        ${column(rows.map((row) => row.emoji))}::text[],
        ${column(rows.map((row) => iso(row.reactedAt)))}::timestamptz[])
      ON CONFLICT DO NOTHING`,
  );
}

export function insertMentions(
  tx: Transaction,
  rows: ReadonlyArray<{ messageId: string; userId: string; channelId: string }>,
) {
  return tx.execute(
    sql`INSERT INTO message_mentions (message_id, user_id, channel_id)
      SELECT * FROM unnest(
        ${column(rows.map((row) => row.messageId))}::text[],
        ${column(rows.map((row) => row.userId))}::uuid[],
        ${column(rows.map((row) => row.channelId))}::uuid[])
      ON CONFLICT DO NOTHING`,
  );
}
