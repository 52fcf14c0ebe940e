import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { timestampTz } from './columns';

/** Installation-wide settings, such as the installation id made at first start. */
export const systemSettings = pgTable('system_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestampTz('updated_at').notNull().defaultNow(),
});
