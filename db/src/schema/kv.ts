import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestampTz } from './columns';

/**
 * The embedded key-value store (sessions, tickets, reset tokens) when no Redis is configured.
 * Kept in the database so that a restart of a one-process installation logs nobody out.
 */
export const kvEntries = pgTable(
  'kv_entries',
  {
    key: text('key').primaryKey(),
    value: text('value').notNull(),
    expiresAt: timestampTz('expires_at'),
  },
  (t) => [index('kv_entries_expires_idx').on(t.expiresAt)],
);

/** Members of the embedded store's sets (e.g. a user's session ids). */
export const kvSetMembers = pgTable(
  'kv_set_members',
  {
    key: text('key').notNull(),
    member: text('member').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.member] })],
);
