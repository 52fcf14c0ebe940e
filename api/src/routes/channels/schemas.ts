import { ULID_PATTERN } from '@confab/db/model';
import { z } from 'zod';
import {
  channelRoleSchema as channelMemberRoleSchema,
  idSchema,
  messageIdSchema,
  timestampSchema,
} from '../../http/response-schemas';
import { lineTextSchema, plainTextSchema } from '../../http/text-schemas';

/** Slack's rule: lowercase, no spaces; letters of any script, digits, `-` and `_`, at most 80. */
export const channelNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]{0,79}$/u,
    'expected lowercase letters, digits, - or _ (at most 80), no spaces',
  );

const topicSchema = lineTextSchema({ max: 250 });
const purposeSchema = plainTextSchema({ max: 250 });
const postingPolicySchema = z.enum(['everyone', 'admins']);
const reactionPolicySchema = z.enum(['everyone', 'admins', 'nobody']);

export const createChannelSchema = z.object({
  name: channelNameSchema,
  kind: z.enum(['public', 'private']).default('public'),
  topic: topicSchema.default(''),
  purpose: purposeSchema.default(''),
  postingPolicy: postingPolicySchema.default('everyone'),
  reactionPolicy: reactionPolicySchema.default('everyone'),
});

export const updateChannelSchema = z
  .object({
    name: channelNameSchema.optional(),
    topic: topicSchema.optional(),
    purpose: purposeSchema.optional(),
    postingPolicy: postingPolicySchema.optional(),
    reactionPolicy: reactionPolicySchema.optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: 'nothing to change',
  });

export const addMembersSchema = z.object({
  userIds: z.array(z.uuid()).min(1).max(100),
});

export const channelRoleSchema = z.object({ role: z.enum(['admin', 'member']) });

/** The other people of a DM (1) or group DM (2 to 8); the caller is always included. */
export const openConversationSchema = z.object({
  userIds: z
    .array(z.uuid())
    .min(1, 'name at least one other person')
    .max(8, 'a group DM has at most 9 people'),
});

export const browseQuerySchema = z.object({
  q: lineTextSchema({ max: 80 }).optional(),
  includeArchived: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const ulid = z.string().regex(ULID_PATTERN, 'must be a message id (ULID)');
export const historyQuerySchema = z.object({
  before: ulid.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const followSchema = z.object({ following: z.boolean() });
export const repliesQuerySchema = z.object({
  after: ulid.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

// Responses.

const channelKindSchema = z.enum(['public', 'private', 'dm', 'group_dm']);

/** A channel as stored. `name` is null for DMs and group DMs, `dmKey` set only for them. */
export const channelSchema = z.strictObject({
  id: idSchema,
  workspaceId: idSchema,
  kind: channelKindSchema,
  name: z.string().nullable(),
  topic: z.string(),
  purpose: z.string(),
  postingPolicy: postingPolicySchema,
  reactionPolicy: reactionPolicySchema,
  dmKey: z.string().nullable(),
  headSegment: z.number().int().nonnegative(),
  lastMessageAt: timestampSchema.nullable(),
  archivedAt: timestampSchema.nullable(),
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

/** `may`: what the sync server lets the caller do in the channel's docs [S5]. */
export const channelViewResponseSchema = z.strictObject({
  channel: channelSchema.extend({
    memberCount: z.number().int().nonnegative(),
    myRole: channelMemberRoleSchema.nullable(),
    may: z.strictObject({ post: z.boolean(), react: z.boolean(), moderate: z.boolean() }),
  }),
});
export const createdChannelResponseSchema = z.strictObject({
  channel: channelSchema.extend({ myRole: z.literal('admin') }),
});
export const channelResponseSchema = z.strictObject({ channel: channelSchema });

/** The sidebar; DMs and group DMs carry their `members`. */
export const myChannelsResponseSchema = z.strictObject({
  channels: z.array(
    z.strictObject({
      id: idSchema,
      kind: channelKindSchema,
      name: z.string().nullable(),
      topic: z.string(),
      archivedAt: timestampSchema.nullable(),
      lastMessageAt: timestampSchema.nullable(),
      myRole: channelMemberRoleSchema,
      lastReadMessageId: messageIdSchema.nullable(),
      members: z.array(z.strictObject({ id: idSchema, name: z.string() })).optional(),
    }),
  ),
});

export const unreadResponseSchema = z.strictObject({
  channels: z.array(
    z.strictObject({
      channelId: idSchema,
      lastReadMessageId: messageIdSchema.nullable(),
      unreadCount: z.number().int().nonnegative(),
      mentionCount: z.number().int().nonnegative(),
      muted: z.boolean(),
    }),
  ),
});

export const browseResponseSchema = z.strictObject({
  channels: z.array(
    z.strictObject({
      id: idSchema,
      name: z.string(),
      topic: z.string(),
      purpose: z.string(),
      archivedAt: timestampSchema.nullable(),
      lastMessageAt: timestampSchema.nullable(),
      createdAt: timestampSchema,
      memberCount: z.number().int().nonnegative(),
      isMember: z.boolean(),
    }),
  ),
});

export const channelMembersResponseSchema = z.strictObject({
  members: z.array(
    z.strictObject({
      userId: idSchema,
      name: z.string(),
      role: channelMemberRoleSchema,
      joinedAt: timestampSchema,
    }),
  ),
});
export const addedMembersResponseSchema = z.strictObject({ added: z.array(idSchema) });
export const channelMemberResponseSchema = z.strictObject({
  member: z.strictObject({ userId: idSchema, role: channelMemberRoleSchema }),
});

/** One message from the projection, with its reactions and thread summary. */
export const messageEntrySchema = z.strictObject({
  id: messageIdSchema,
  channelId: idSchema,
  authorId: idSchema.nullable(),
  parentId: messageIdSchema.nullable(),
  text: z.string(),
  fileIds: z.array(idSchema),
  createdAt: timestampSchema,
  receivedAt: timestampSchema,
  editedAt: timestampSchema.nullable(),
  deletedAt: timestampSchema.nullable(),
  reactions: z.array(
    z.strictObject({
      emoji: z.string(),
      count: z.number().int().positive(),
      userIds: z.array(idSchema),
    }),
  ),
  thread: z
    .strictObject({
      replyCount: z.number().int().positive(),
      lastReplyAt: timestampSchema.nullable(),
      participantIds: z.array(idSchema),
    })
    .nullable(),
  /** DMs and group DMs, on the caller's own messages only. */
  status: z.enum(['sent', 'delivered', 'read']).optional(),
});
export const historyResponseSchema = z.strictObject({
  messages: z.array(messageEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: messageIdSchema.nullable(),
});
export const repliesResponseSchema = z.strictObject({
  replies: z.array(messageEntrySchema),
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: messageIdSchema.nullable(),
});
export const segmentsResponseSchema = z.strictObject({
  head: z.number().int().nonnegative(),
  segments: z.array(
    z.strictObject({
      index: z.number().int().nonnegative(),
      docName: z.string(),
      messageCount: z.number().int().nonnegative(),
      firstMessageId: messageIdSchema.nullable(),
      lastMessageId: messageIdSchema.nullable(),
      closedAt: timestampSchema.nullable(),
    }),
  ),
});
export const versionsResponseSchema = z.strictObject({
  messageId: messageIdSchema,
  versions: z.array(
    z.strictObject({
      version: z.number().int().positive(),
      text: z.string(),
      editorId: idSchema.nullable(),
      editedAt: timestampSchema,
    }),
  ),
});
export const followResponseSchema = z.strictObject({ following: z.boolean() });
