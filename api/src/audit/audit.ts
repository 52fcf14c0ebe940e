import {
  type Db,
  type EventBus,
  MEMBERSHIP_CHANGED_TOPIC,
  type MembershipChangedEvent,
  schema,
} from '@confab/db';

export interface AuditEntry {
  workspaceId: string | null;
  actorId: string;
  action: string;
  targetType:
    | 'workspace'
    | 'workspace_member'
    | 'channel'
    | 'channel_member'
    | 'invitation'
    | 'file';
  targetId: string;
  before?: unknown;
  after?: unknown;
  ip?: string;
}

/** Writes the audit row in the caller's transaction, so a change and its record commit together. */
export async function recordAudit(db: Pick<Db, 'insert'>, entry: AuditEntry): Promise<void> {
  await db.insert(schema.auditLog).values({
    workspaceId: entry.workspaceId,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: entry.ip ?? null,
  });
}

/** Announces a committed membership change; call after the transaction, never inside it. */
export async function publishMembershipChange(
  bus: EventBus,
  event: MembershipChangedEvent,
): Promise<void> {
  await bus.publish(MEMBERSHIP_CHANGED_TOPIC, new TextEncoder().encode(JSON.stringify(event)));
}
