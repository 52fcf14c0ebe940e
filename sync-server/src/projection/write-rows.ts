import { type Db, schema } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import type { MessageActivity } from '../activity';
import type { DocRows, ThreadSummary } from './doc-rows';
import { hasMentionSyntax, mentionedIds, mentionsChannel } from './mentions';
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

/**
 * Rows -> SQL: writes a batch's rows (every doc's of one batch) together in the caller's
 * transaction, and returns the activity of the messages it inserted. A message's row is inserted
 * once, by the transaction that projects its creating log row, so its activity is published once.
 */
export async function writeRows(
  tx: Transaction,
  docs: readonly DocRows[],
  segments: readonly SegmentState[],
): Promise<MessageActivity[]> {
  if (docs.length && isPlain(docs)) {
    const written = await projectPlainMessages(
      tx,
      docs.flatMap((d) => d.rows),
      docs.flatMap((d) => d.versions),
      segments,
    );
    return activityOf(written, sourcesOf(docs));
  }
  const activity = docs.length ? await writeInTransaction(tx, docs) : [];
  if (segments.length) await upsertSegments(tx, segments);
  return activity;
}

/** The projector's transaction (or, in tests, a connection). */
type Transaction = Pick<Db, 'execute' | 'select' | 'insert' | 'delete'>;

/** Rows per statement: Postgres takes at most 65,535 parameters (14 per message row). */
const ROWS_PER_STATEMENT = 1_000;
function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT)
    yield rows.slice(at, at + ROWS_PER_STATEMENT);
}

/**
 * A batch with nothing but message rows and versions to write: no reactions, no mention syntax
 * in any text, no thread summary, and few enough rows for one statement of each kind. Most
 * batches are; they run as one statement.
 */
function isPlain(docs: readonly DocRows[]): boolean {
  let rows = 0;
  let versions = 0;
  for (const d of docs) {
    if (d.thread || d.reactions.size || d.mentions.size) return false;
    if (d.rows.some((row) => hasMentionSyntax(row.text))) return false;
    rows += d.rows.length;
    versions += d.versions.length;
  }
  return rows <= ROWS_PER_STATEMENT && versions <= ROWS_PER_STATEMENT;
}

/** One statement per kind of row for all docs of a batch, whatever the number of messages. */
async function writeInTransaction(
  tx: Transaction,
  docs: readonly DocRows[],
): Promise<MessageActivity[]> {
  const { reactions: r, messageMentions: mm } = schema;
  const written: WrittenMessage[] = [];
  for (const chunk of chunks(docs.flatMap((d) => d.rows)))
    written.push(...(await upsertMessages(tx, chunk)));
  // In the transaction of the rows: a crash after the commit still leaves them to notify.
  const inserted = written.filter((row) => row.inserted).map((row) => row.id);
  for (const chunk of chunks(inserted)) await queueNotifications(tx, chunk);
  const sourceOf = sourcesOf(docs);
  const updated = written.filter((row) => !row.inserted).map((row) => row.id);
  const current = written.flatMap(({ id }) => sourceOf.get(id)?.from.reactions.get(id) ?? []);
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
    const users = source?.from.mentions.get(id) ?? [];
    return users
      .filter((userId) => userId !== authorId)
      .map((userId) => ({ messageId: id, userId, channelId: source?.row.channelId ?? '' }));
  });
  for (const chunk of chunks(mentions)) await insertMentions(tx, chunk);
  for (const chunk of chunks(docs.flatMap((d) => d.versions))) await insertVersions(tx, chunk);
  for (const { thread } of docs) if (thread) await writeThread(tx, thread);
  return activityOf(written, sourceOf);
}

async function writeThread(tx: Transaction, thread: ThreadSummary): Promise<void> {
  const { rootId, channelId, ...stats } = thread;
  const [root] = await tx
    .select({ id: schema.messages.id, authorId: schema.messages.authorId })
    .from(schema.messages)
    .where(eq(schema.messages.id, rootId));
  // The root's own segment projects it; until then the thread's summary waits.
  if (!root) return;
  const { threadStats: t, threadFollowers: f } = schema;
  await tx
    .insert(t)
    .values({ rootId, channelId, ...stats })
    .onConflictDoUpdate({
      target: t.rootId,
      set: stats,
      setWhere: sql`${t.stateClock} <= ${stats.stateClock}`,
    });
  // The root's author and everyone who replied follow the thread (one may unfollow later).
  const followers = new Set(stats.participantIds);
  if (root.authorId) followers.add(root.authorId);
  if (followers.size)
    await tx
      .insert(f)
      .values([...followers].map((userId) => ({ rootId, userId })))
      .onConflictDoNothing();
}

/** Each written row with the doc rows it came from. */
const sourcesOf = (docs: readonly DocRows[]) =>
  new Map(docs.flatMap((d) => d.rows.map((row) => [row.id, { row, from: d }] as const)));

/** The activity of the messages a batch inserted (published once, after its commit). */
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
        mentioned: mentionedIds(row.text),
        everyone: mentionsChannel(row.text),
      },
    ];
  });
}
