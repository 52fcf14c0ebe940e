import { type Db, schema } from '@confab/db';
import { and, eq, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit/audit';

const { invitations } = schema;

/**
 * Revokes a workspace's invitation. Returns false when there is no such live invitation in that
 * workspace (already revoked ones included); then nothing is recorded.
 */
export async function revokeInvitation(
  { db }: { db: Db },
  {
    workspaceId,
    actorId,
    invitationId,
    ip,
  }: { workspaceId: string; actorId: string; invitationId: string; ip: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.workspaceId, workspaceId),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id });
    if (rows.length === 0) return false;
    await recordAudit(tx, {
      workspaceId,
      actorId,
      action: 'invitation.revoke',
      targetType: 'invitation',
      targetId: invitationId,
      ip,
    });
    return true;
  });
}
