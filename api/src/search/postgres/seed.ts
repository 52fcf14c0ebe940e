import type { Db } from '@confab/db';
import { sql } from 'drizzle-orm';
import { queryRows } from './sql-rows';

/**
 * Test support: rows written straight into the projection tables (what the sync server's
 * projection would write), fast enough to seed a world per test file.
 */
export interface SeedMessage {
  channelId: string;
  authorId: string | null;
  text: string;
  /** Server receive time; default: now, one millisecond after the previous seeded message. */
  receivedAt?: Date;
  parentId?: string;
  fileIds?: string[];
}

let sequence = 0;
let lastTime = 0;

/** A ULID-shaped id, increasing in creation order. */
function nextId(): string {
  sequence += 1;
  return `01SEED${String(Date.now()).padStart(14, '0')}${String(sequence).padStart(6, '0')}`;
}

async function one<Row>(db: Db, statement: ReturnType<typeof sql>): Promise<Row> {
  const [row] = await queryRows<Row>(db, statement);
  if (!row) throw new Error('seed: no row returned');
  return row;
}

export async function seedUser(db: Db, name: string): Promise<string> {
  const email = `${name.replace(/\W+/g, '.')}.${nextId()}@example.test`.toLowerCase();
  const row = await one<{ id: string }>(
    db,
    sql`INSERT INTO users (email, name) VALUES (${email}, ${name}) RETURNING id`,
  );
  return row.id;
}

export async function seedWorkspace(db: Db, name: string): Promise<string> {
  const row = await one<{ id: string }>(
    db,
    sql`INSERT INTO workspaces (name, slug) VALUES (${name}, ${`${name}-${nextId()}`.toLowerCase()})
      RETURNING id`,
  );
  return row.id;
}

export async function seedMember(
  db: Db,
  workspaceId: string,
  userId: string,
  role: 'owner' | 'admin' | 'member' | 'guest' = 'member',
): Promise<void> {
  await db.execute(
    sql`INSERT INTO workspace_members (workspace_id, user_id, role)
      VALUES (${workspaceId}, ${userId}, ${role})`,
  );
}

export async function removeMember(db: Db, workspaceId: string, userId: string): Promise<void> {
  await db.execute(
    sql`UPDATE workspace_members SET removed_at = now()
      WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`,
  );
}

/** A public or private channel, or a DM between `members` (then `name` is ignored). */
export async function seedChannel(
  db: Db,
  workspaceId: string,
  kind: 'public' | 'private' | 'dm',
  name: string,
  members: string[],
): Promise<string> {
  const dmKey = kind === 'dm' ? [...members].sort().join(',') : null;
  const row = await one<{ id: string }>(
    db,
    sql`INSERT INTO channels (workspace_id, kind, name, dm_key)
      VALUES (${workspaceId}, ${kind}, ${kind === 'dm' ? null : name}, ${dmKey}) RETURNING id`,
  );
  for (const userId of members) await joinChannel(db, row.id, userId);
  return row.id;
}

export async function joinChannel(db: Db, channelId: string, userId: string): Promise<void> {
  await db.execute(
    sql`INSERT INTO channel_members (channel_id, user_id) VALUES (${channelId}, ${userId})`,
  );
}

export async function leaveChannel(db: Db, channelId: string, userId: string): Promise<void> {
  await db.execute(
    sql`DELETE FROM channel_members WHERE channel_id = ${channelId} AND user_id = ${userId}`,
  );
}

export async function seedMessage(db: Db, message: SeedMessage): Promise<string> {
  const id = nextId();
  lastTime = Math.max(lastTime + 1, Date.now());
  const receivedAt = message.receivedAt ?? new Date(lastTime);
  await db.execute(
    sql`INSERT INTO messages (id, channel_id, doc_name, author_id, parent_id, text, file_ids,
        created_at, received_at, doc_seq)
      VALUES (${id}, ${message.channelId}, ${`seg:${message.channelId}:0`}, ${message.authorId},
        ${message.parentId ?? null}, ${message.text},
        ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(message.fileIds ?? [])}::jsonb))::uuid[],
        ${receivedAt.toISOString()}::timestamptz, ${receivedAt.toISOString()}::timestamptz, 1)`,
  );
  if (message.parentId) {
    await db.execute(
      sql`INSERT INTO thread_stats (root_id, channel_id, reply_count, last_reply_id)
        VALUES (${message.parentId}, ${message.channelId}, 1, ${id})
        ON CONFLICT (root_id) DO UPDATE SET reply_count = thread_stats.reply_count + 1`,
    );
  }
  return id;
}

export async function editMessage(db: Db, id: string, text: string): Promise<void> {
  await db.execute(sql`UPDATE messages SET text = ${text}, edited_at = now() WHERE id = ${id}`);
}

/** A tombstone, as the projection writes it: deleted_at set and the text emptied. */
export async function deleteMessage(db: Db, id: string): Promise<void> {
  await db.execute(sql`UPDATE messages SET text = '', deleted_at = now() WHERE id = ${id}`);
}

export async function react(db: Db, messageId: string, userId: string): Promise<void> {
  await db.execute(
    sql`INSERT INTO reactions (message_id, emoji, user_id, reacted_at)
      VALUES (${messageId}, '👍', ${userId}, now())`,
  );
}

export interface SeedFile {
  workspaceId: string;
  channelId: string;
  uploaderId: string;
  name: string;
  extractedText?: string;
  /** The message it is attached to; null: uploaded but not attached. */
  messageId: string | null;
  status?: 'ready' | 'quarantined';
  deleted?: boolean;
}

export async function seedFile(db: Db, file: SeedFile): Promise<string> {
  const key = `files/${nextId()}`;
  const row = await one<{ id: string }>(
    db,
    sql`INSERT INTO files (workspace_id, channel_id, uploader_id, storage_key, name, declared_type,
        content_type, kind, byte_size, sha256, status, extracted_text, message_id, deleted_at)
      VALUES (${file.workspaceId}, ${file.channelId}, ${file.uploaderId}, ${key}, ${file.name},
        'application/pdf', 'application/pdf', 'pdf', 1234, 'sha', ${file.status ?? 'ready'},
        ${file.extractedText ?? null}, ${file.messageId},
        ${file.deleted ? new Date().toISOString() : null}::timestamptz)
      RETURNING id`,
  );
  return row.id;
}
