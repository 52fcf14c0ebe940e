import { z } from 'zod';
import { idSchema, timestampSchema, workspaceRoleSchema } from '../../http/response-schemas';
import { lineTextSchema } from '../../http/text-schemas';

export const uuidSchema = z.uuid();

export const workspaceNameSchema = lineTextSchema({ min: 1, max: 80 });
export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'expected 1-40 lowercase letters, digits or inner hyphens',
  );

export const createWorkspaceSchema = z.object({ name: workspaceNameSchema, slug: slugSchema });
export const renameWorkspaceSchema = z.object({ name: workspaceNameSchema });
/** Owner is not settable here: ownership moves only by transfer. */
export const memberRoleSchema = z.object({ role: z.enum(['admin', 'member', 'guest']) });
export const transferOwnershipSchema = z.object({ userId: z.uuid() });
export const auditQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// Responses.

export const workspaceSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
/** A workspace as its member sees it: with their role. */
export const myWorkspaceSchema = workspaceSchema.extend({ role: workspaceRoleSchema });

export const workspacesResponseSchema = z.strictObject({
  workspaces: z.array(
    z.strictObject({ id: idSchema, name: z.string(), slug: z.string(), role: workspaceRoleSchema }),
  ),
});
export const myWorkspaceResponseSchema = z.strictObject({ workspace: myWorkspaceSchema });
export const workspaceResponseSchema = z.strictObject({ workspace: workspaceSchema });

export const workspaceMembersResponseSchema = z.strictObject({
  members: z.array(
    z.strictObject({
      userId: idSchema,
      name: z.string(),
      email: z.string(),
      role: workspaceRoleSchema,
      joinedAt: timestampSchema,
    }),
  ),
});
export const workspaceMemberResponseSchema = z.strictObject({
  member: z.strictObject({ userId: idSchema, role: workspaceRoleSchema }),
});

export const auditEntrySchema = z.strictObject({
  id: z.number().int().positive(),
  workspaceId: idSchema.nullable(),
  actorId: idSchema.nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  /** The audited state before and after, as the command recorded it (any JSON, or null). */
  before: z.unknown(),
  after: z.unknown(),
  ip: z.string().nullable(),
  createdAt: timestampSchema,
});
export const auditResponseSchema = z.strictObject({
  entries: z.array(auditEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.number().int().positive().nullable(),
});
