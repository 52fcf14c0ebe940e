import { isCleanLine, NOTIFY_REASONS } from '@confab/db/model';
import { z } from 'zod';
import { idSchema, messageIdSchema, timestampSchema } from '../../http/response-schemas';

const preferenceSchema = z.enum(['default', 'all', 'mentions', 'nothing']);
const effectiveSchema = z.enum(['all', 'mentions', 'nothing']);

export const putPreferenceSchema = z
  .strictObject({ preference: preferenceSchema.optional(), muted: z.boolean().optional() })
  .refine((body) => body.preference !== undefined || body.muted !== undefined, {
    message: 'give preference, muted or both',
  });

export const preferenceResponseSchema = z.strictObject({
  preference: preferenceSchema,
  effective: effectiveSchema,
  muted: z.boolean(),
});

export const MAX_KEYWORDS = 25;

const keywordSchema = z
  .string()
  .max(400)
  .trim()
  .min(2, 'is shorter than 2 characters')
  .max(40)
  .refine(isCleanLine, 'must be one line without control characters or broken Unicode');

/** Keywords are matched ignoring case: the first spelling of each is kept. */
const distinctKeywords = (keywords: string[]) => {
  const seen = new Set<string>();
  return keywords.filter((keyword) => {
    const key = keyword.toLocaleLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

export const putSettingsSchema = z.strictObject({
  keywords: z.array(keywordSchema).max(MAX_KEYWORDS).transform(distinctKeywords),
  emailMentions: z.boolean(),
});

export const settingsResponseSchema = z.strictObject({
  keywords: z.array(z.string()),
  emailMentions: z.boolean(),
});

/** Inbox ids are bigints, sent as decimal strings. */
const notificationIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'is not a notification id');

export const inboxQuerySchema = z.strictObject({
  cursor: notificationIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  unread: z.enum(['true', 'false']).optional(),
});

export const markReadSchema = z.union([
  z.strictObject({ ids: z.array(notificationIdSchema).min(1).max(200) }),
  z.strictObject({ all: z.literal(true) }),
]);

export const unsubscribeQuerySchema = z.strictObject({ token: z.string().min(1).max(200) });

export const notificationEntrySchema = z.strictObject({
  id: notificationIdSchema,
  channelId: idSchema,
  channelName: z.string().nullable(),
  channelKind: z.enum(['public', 'private', 'dm', 'group_dm']),
  messageId: messageIdSchema,
  parentId: messageIdSchema.nullable(),
  authorId: idSchema.nullable(),
  authorName: z.string().nullable(),
  reason: z.enum(NOTIFY_REASONS),
  /** Plain text of at most 200 characters, mentions as `@Name`; empty for a deleted message. */
  excerpt: z.string().max(200),
  createdAt: timestampSchema,
  read: z.boolean(),
});

export const inboxResponseSchema = z.strictObject({
  notifications: z.array(notificationEntrySchema),
  unreadCount: z.number().int().min(0),
  nextCursor: notificationIdSchema.nullable(),
});

export const unreadCountResponseSchema = z.strictObject({ unreadCount: z.number().int().min(0) });
