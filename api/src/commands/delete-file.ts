import { type ChannelContext, type Db, isWorkspaceAdmin, schema } from '@confab/db';
import { and, eq, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit/audit';

const { files } = schema;

/**
 * Who may delete a file, among those who can read its channel (the others get 404, so a private
 * channel's files stay invisible even to workspace admins, as in Slack): its uploader, a workspace
 * owner or admin, and an admin of the channel it was shared in.
 */
export function mayDeleteFile(context: ChannelContext, isUploader: boolean): boolean {
  return isUploader || isWorkspaceAdmin(context.workspaceRole) || context.channelRole === 'admin';
}

/**
 * Marks a file deleted: every message then shows it as removed, its URLs stop working, and the
 * purge sweep (files/purge.ts) removes its bytes once `purgeAfter` has passed. The update is
 * conditional, so of two deletions at once only one records it; deleting a deleted file changes
 * nothing. Returns whether this call deleted it.
 */
export async function deleteFile(
  { db }: { db: Db },
  {
    file,
    actorId,
    graceSeconds,
    ip,
  }: {
    file: { id: string; workspaceId: string; name: string };
    actorId: string;
    graceSeconds: number;
    ip: string;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [row] = await tx
      .update(files)
      .set({
        deletedAt: now,
        deletedBy: actorId,
        purgeAfter: new Date(now.getTime() + graceSeconds * 1000),
      })
      .where(and(eq(files.id, file.id), isNull(files.deletedAt)))
      .returning({ id: files.id });
    if (!row) return false;
    await recordAudit(tx, {
      workspaceId: file.workspaceId,
      actorId,
      action: 'file.delete',
      targetType: 'file',
      targetId: file.id,
      before: { name: file.name },
      ip,
    });
    return true;
  });
}
