import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, timestampTz } from './columns';

/**
 * Keys that sign access tokens. The newest key whose `activates_at` has passed signs; every key
 * not yet past `retires_at` verifies, so tokens signed just before a rotation stay valid.
 */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  algorithm: text('algorithm').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  privateJwk: jsonb('private_jwk').notNull(),
  createdAt: createdAt(),
  activatesAt: timestampTz('activates_at').notNull(),
  /** After this, tokens signed with the key are refused and it leaves the JWKS. */
  retiresAt: timestampTz('retires_at').notNull(),
});
