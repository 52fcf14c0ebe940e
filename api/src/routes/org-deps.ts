import {
  type Db,
  type EventBus,
  isWorkspaceAdmin,
  type Policy,
  type WorkspaceRole,
} from '@confab/db';
import type { Auth } from '../auth/auth';
import type { BackgroundTasks } from '../background-tasks';
import { ApiError, notFound } from '../errors';
import type { Mailer } from '../mail/mailer';
import { uuidSchema } from './workspaces/schemas';

/** What the workspace, channel and invitation routes share. */
export interface OrgDeps {
  db: Db;
  policy: Policy;
  bus: EventBus;
  auth: Auth;
  mailer: Mailer;
  tasks: BackgroundTasks;
}

export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const channelNameTaken = () =>
  new ApiError(409, 'name_taken', 'A channel with this name exists');

/**
 * The actor's role in a workspace, or 404: a workspace one is not in answers exactly like one that
 * does not exist (and a malformed id like both).
 */
export async function workspaceRoleOr404(
  policy: Policy,
  userId: string,
  workspaceId: string,
): Promise<WorkspaceRole> {
  if (!uuidSchema.safeParse(workspaceId).success) throw notFound('No such workspace');
  const role = await policy.workspaceRole(userId, workspaceId);
  if (!role) throw notFound('No such workspace');
  return role;
}

export async function workspaceAdminOr403(
  policy: Policy,
  userId: string,
  workspaceId: string,
): Promise<WorkspaceRole> {
  const role = await workspaceRoleOr404(policy, userId, workspaceId);
  if (!isWorkspaceAdmin(role)) throw forbidden('Only workspace admins may do this');
  return role;
}
