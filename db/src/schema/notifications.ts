import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgEnum, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { NOTIFY_REASONS } from '../model/activity';
import { users } from './accounts';
import { channels } from './channels';
import { createdAt, timestampTz } from './columns';
import { messages } from './messages';
import { workspaces } from './workspaces';

/** Why someone was notified (`NotifyReason`, decided by the API's notification rules). */
export const notifyReason = pgEnum('notify_reason', NOTIFY_REASONS);

/** A user's notification choices that are not per channel; no row means the defaults. */
export const notificationSettings = pgTable('notification_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  keywords: text('keywords').array().notNull().default(sql`'{}'::text[]`),
  emailMentions: boolean('email_mentions').notNull().default(true),
  /** When the mail job last mailed this user: at most one mail per window. */
  lastEmailedAt: timestampTz('last_emailed_at'),
});

/**
 * New messages whose notifications are not decided yet. The projector inserts a row in the same
 * statement or transaction as the message row, so a crash before the notifier ran loses nothing;
 * the notifier deletes it in the transaction that records the notifications.
 */
export const notificationQueue = pgTable('notification_queue', {
  messageId: text('message_id')
    .primaryKey()
    .references(() => messages.id, { onDelete: 'cascade' }),
  queuedAt: createdAt(),
});

/** One row per notified user and message: the inbox, and what the mail job sends. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    reason: notifyReason('reason').notNull(),
    createdAt: createdAt(),
    readAt: timestampTz('read_at'),
    emailedAt: timestampTz('emailed_at'),
  },
  (t) => [
    // Once per message per user, whichever notifier gets there first.
    unique('notifications_user_message_key').on(t.userId, t.messageId),
    // The inbox: one user's notifications in a workspace, newest first.
    index('notifications_inbox_idx').on(t.userId, t.workspaceId, t.id.desc()),
    // The mail job: unread notifications not mailed yet, oldest first.
    index('notifications_mail_idx')
      .on(t.createdAt)
      .where(sql`${t.readAt} IS NULL AND ${t.emailedAt} IS NULL`),
  ],
);

/**
 * Bus topic the projector publishes on (empty JSON object) after committing new messages, so the
 * API's notifier drains the queue at once instead of at its next poll. A hint only [S9].
 */
export const NOTIFICATIONS_PENDING_TOPIC = 'notifications.pending';
