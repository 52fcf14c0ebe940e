import { schema } from '@confab/db';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import { type CommandDeps, isUniqueViolation } from './command-deps';

export class SlugTaken extends Error {
  override name = 'SlugTaken';
}

/**
 * A workspace, its creator as owner, and #general with the creator in it, in one transaction:
 * no one ever sees a workspace without an owner or a first channel.
 */
export async function createWorkspace(
  { db, bus }: CommandDeps,
  { actorId, name, slug, ip }: { actorId: string; name: string; slug: string; ip: string },
) {
  let workspace: typeof schema.workspaces.$inferSelect;
  try {
    workspace = await db.transaction(async (tx) => {
      const [workspace] = await tx
        .insert(schema.workspaces)
        .values({ name, slug, createdBy: actorId })
        .returning();
      if (!workspace) throw new Error('workspace insert returned no row');
      await tx
        .insert(schema.workspaceMembers)
        .values({ workspaceId: workspace.id, userId: actorId, role: 'owner' });
      const [general] = await tx
        .insert(schema.channels)
        .values({ workspaceId: workspace.id, kind: 'public', name: 'general', createdBy: actorId })
        .returning();
      if (!general) throw new Error('channel insert returned no row');
      await tx
        .insert(schema.channelMembers)
        .values({ channelId: general.id, userId: actorId, role: 'admin' });
      await recordAudit(tx, {
        workspaceId: workspace.id,
        actorId,
        action: 'workspace.create',
        targetType: 'workspace',
        targetId: workspace.id,
        after: { name, slug },
        ip,
      });
      return workspace;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new SlugTaken();
    throw error;
  }
  // The creator is in #general now: their activity stream must follow it.
  await publishMembershipChange(bus, {
    workspaceId: workspace.id,
    userIds: [actorId],
    change: 'joined',
  });
  return workspace;
}
