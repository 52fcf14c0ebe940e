import { z } from 'zod';
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
