import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
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

/**
 * A user's custom status and do-not-disturb, one row per user (not per workspace as in Slack:
 * one status everywhere is simpler, and a person is rarely "in a meeting" in one workspace only).
 * `version` grows with every change, so that a client can tell the newer of two answers; an
 * expiry job compares the end it was made for instead (status_expires_at or dnd_until), so that
 * changing one part does not keep the other from expiring. Times of the schedule are local
 * "HH:MM" in `dnd_time_zone`.
 */
export const userStatuses = pgTable(
  'user_statuses',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji'),
    text: text('text'),
    statusExpiresAt: timestampTz('status_expires_at'),
    dndUntil: timestampTz('dnd_until'),
    dndStart: text('dnd_start'),
    dndEnd: text('dnd_end'),
    dndTimeZone: text('dnd_time_zone'),
    version: integer('version').notNull().default(1),
    updatedAt: timestampTz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('user_statuses_text_length', sql`char_length(${t.text}) <= 100`),
    check('user_statuses_emoji_length', sql`char_length(${t.emoji}) <= 64`),
    // A schedule is whole or absent.
    check(
      'user_statuses_schedule_whole',
      sql`(${t.dndStart} is null) = (${t.dndEnd} is null) and (${t.dndStart} is null) = (${t.dndTimeZone} is null)`,
    ),
  ],
);
