import { z } from 'zod';
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
