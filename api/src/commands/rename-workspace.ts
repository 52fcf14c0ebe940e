import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit';
import type { CommandDeps } from './command-deps';

const { workspaces } = schema;

/**
 * Renames a workspace. The row is locked first so the audit's "before" is the name this change
 * replaced, even when two renames race.
 */
export async function renameWorkspace(
  { db }: Pick<CommandDeps, 'db'>,
  {
    workspaceId,
    actorId,
    name,
    ip,
  }: { workspaceId: string; actorId: string; name: string; ip: string },
) {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ name: workspaces.name })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId))
      .for('update');
    const [after] = await tx
      .update(workspaces)
      .set({ name, updatedAt: new Date() })
      .where(eq(workspaces.id, workspaceId))
      .returning();
    await recordAudit(tx, {
      workspaceId,
      actorId,
      action: 'workspace.rename',
      targetType: 'workspace',
      targetId: workspaceId,
      before,
      after: { name },
      ip,
    });
    return after;
  });
}
