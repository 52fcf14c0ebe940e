import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { createdAt, timestampTz } from './columns';

export const workspaceRole = pgEnum('workspace_role', ['owner', 'admin', 'member', 'guest']);

export const workspaces = pgTable(
  'workspaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestampTz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workspaces_slug_key').on(sql`lower(${t.slug})`)],
);

export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: workspaceRole('role').notNull().default('member'),
    joinedAt: timestampTz('joined_at').notNull().defaultNow(),
    /** Set when a member is removed; the row stays so that their messages keep an author. */
    removedAt: timestampTz('removed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    // "Which workspaces am I in?" runs on every sign-in.
    index('workspace_members_user_idx').on(t.userId),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** Null for a shareable link; set for an invitation sent to one address. */
    email: text('email'),
    /** SHA-256 of the secret in the link; the secret itself is never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    role: workspaceRole('role').notNull().default('member'),
    /** Channels a guest (or anyone) is added to on acceptance. */
    channelIds: uuid('channel_ids').array().notNull().default(sql`'{}'::uuid[]`),
    maxUses: integer('max_uses'),
    useCount: integer('use_count').notNull().default(0),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestampTz('expires_at').notNull(),
    revokedAt: timestampTz('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('invitations_workspace_idx').on(t.workspaceId, t.createdAt),
    check('invitations_role_not_owner', sql`${t.role} <> 'owner'`),
    check('invitations_uses_in_range', sql`${t.maxUses} IS NULL OR ${t.useCount} <= ${t.maxUses}`),
  ],
);
