import { z } from 'zod';
import { idSchema, timestampSchema, workspaceRoleSchema } from '../../http/response-schemas';
import { NUL_MESSAGE, withoutNul } from '../../http/text-schemas';

export const createInvitationSchema = z
  .object({
    /** Set: an invitation for this address, mailed to it, single use. Unset: a shareable link. */
    email: z
      .string()
      .trim()
      .max(254)
      .refine(withoutNul, NUL_MESSAGE)
      .pipe(z.email({ error: 'expected an email address' }))
      .optional(),
    role: z.enum(['admin', 'member', 'guest']).default('member'),
    /** Channels joined on acceptance; a guest sees only these. */
    channelIds: z.array(z.uuid()).max(100).default([]),
    expiresInHours: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24)
      .default(7 * 24),
    /** Links only: how many people may use it; unset means no limit until it expires. */
    maxUses: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .refine((value) => value.role !== 'guest' || value.channelIds.length > 0, {
    error: 'a guest invitation needs at least one channel',
    path: ['channelIds'],
  })
  .refine((value) => !(value.email && value.maxUses && value.maxUses !== 1), {
    error: 'an invitation to one email address is single use',
    path: ['maxUses'],
  });

export const invitationTokenSchema = z.string().regex(/^[a-z0-9]{32}$/);

// Responses.

const invitedRoleSchema = z.enum(['admin', 'member', 'guest']);

/** An invitation as workspace admins see it: never its token or the token's hash. */
export const invitationSchema = z.strictObject({
  id: idSchema,
  workspaceId: idSchema,
  email: z.string().nullable(),
  role: invitedRoleSchema,
  channelIds: z.array(idSchema),
  maxUses: z.number().int().positive().nullable(),
  useCount: z.number().int().nonnegative(),
  invitedBy: idSchema.nullable(),
  expiresAt: timestampSchema,
  revokedAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  status: z.enum(['active', 'expired', 'revoked', 'used_up']),
});
/** `url` holds the secret token: shown this once, to the admin who made it. */
export const createdInvitationResponseSchema = z.strictObject({
  invitation: invitationSchema,
  url: z.url(),
});
export const invitationsResponseSchema = z.strictObject({
  invitations: z.array(invitationSchema),
});
/** What anyone holding the link may learn before signing in. */
export const invitationPreviewResponseSchema = z.strictObject({
  invitation: z.strictObject({
    workspace: z.string(),
    role: invitedRoleSchema,
    email: z.string().nullable(),
    expiresAt: timestampSchema,
    invitedBy: z.string().nullable(),
  }),
});
export const acceptInvitationResponseSchema = z.strictObject({
  workspaceId: idSchema,
  role: workspaceRoleSchema,
  channelIds: z.array(idSchema),
  alreadyMember: z.boolean(),
});
