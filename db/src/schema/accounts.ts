import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, timestampTz } from './columns';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** Argon2id or bcrypt PHC string; null for accounts that only sign in through SSO. */
    passwordHash: text('password_hash'),
    emailVerifiedAt: timestampTz('email_verified_at'),
    avatarFileId: uuid('avatar_file_id'),
    deactivatedAt: timestampTz('deactivated_at'),
    createdAt: createdAt(),
    updatedAt: timestampTz('updated_at').notNull().defaultNow(),
  },
  // Emails are matched case-insensitively; the stored value keeps the user's spelling.
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    // People search: names by substring and similarity.
    index('users_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
  ],
);

/** A user's identity at an external OpenID Connect provider, keyed by the issuer's subject. */
export const userIdentities = pgTable(
  'user_identities',
  {
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    createdAt: createdAt(),
    lastLoginAt: timestampTz('last_login_at'),
  },
  (t) => [
    primaryKey({ columns: [t.issuer, t.subject] }),
    index('user_identities_user_idx').on(t.userId),
  ],
);
