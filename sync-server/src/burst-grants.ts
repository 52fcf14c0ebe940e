import {
  activeMembership,
  type ChannelContext,
  type Db,
  type DocGrant,
  type EventBus,
  grantFrom,
  MEMBERSHIP_CHANGED_TOPIC,
  type MembershipChangedEvent,
  type Policy,
  parseDocRef,
  schema,
} from '@confab/db';
import { eq } from 'drizzle-orm';

/** How long one query's answer serves a user's burst of sockets. */
export const BURST_GRANT_MS = 10_000;

interface UserChannels {
  /** `version` when the query started: an answer that a membership change overtook is not kept. */
  version: number;
  expiresAt: number;
  channels: Promise<Map<string, ChannelContext>>;
}

/**
 * Access grants for the sockets of a burst. A client (re)opens its docs together (the app
 * starting, a node restarting), so the first socket of a user asks for the user's standing in
 * every channel they are a member of, in one query, and the others of the next seconds take
 * theirs from that answer instead of a query each. Docs of channels the user is not a member of
 * (a public channel read from outside) and the user's own doc go to the policy as before.
 *
 * Access must never outlive a revocation: every `membership.changed` (and every reconnect of
 * the bus, which may have lost some) moves `version` on and drops the answers of the users it
 * names (all after a bus cut). A socket compares `version` before its grant and after it joined
 * its doc (`changedSince`): when a change came in between, the service's recheck may have missed
 * the socket, so the endpoint asks the policy again.
 */
export class BurstGrants {
  private readonly users = new Map<string, UserChannels>();
  private changes = 0;
  private unsubscribe: (() => Promise<void>) | null = null;

  private constructor(
    private readonly db: Db,
    private readonly policy: Policy,
    private readonly now: () => number,
  ) {}

  static async start(
    db: Db,
    policy: Policy,
    bus: EventBus,
    now: () => number = Date.now,
  ): Promise<BurstGrants> {
    const grants = new BurstGrants(db, policy, now);
    grants.unsubscribe = await bus.subscribe(MEMBERSHIP_CHANGED_TOPIC, (message) => {
      const { userIds } = JSON.parse(new TextDecoder().decode(message)) as MembershipChangedEvent;
      grants.forget(userIds);
    });
    bus.onResubscribed(() => grants.forget(null));
    return grants;
  }

  /** Moves on with every membership change this node hears of. */
  get version(): number {
    return this.changes;
  }

  changedSince(version: number): boolean {
    return this.changes !== version;
  }

  async grant(userId: string, docName: string): Promise<DocGrant> {
    const ref = parseDocRef(docName);
    if (!ref || ref.kind === 'user') return this.policy.docGrant(userId, docName);
    const context = (await this.channelsOf(userId)).get(ref.channelId);
    return context ? grantFrom(ref, context) : this.policy.docGrant(userId, docName);
  }

  /** Users whose answer is kept (it is dropped when it lapses, so this stays a burst's worth). */
  get usersKept(): number {
    return this.users.size;
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.users.clear();
  }

  private channelsOf(userId: string): Promise<Map<string, ChannelContext>> {
    const now = this.now();
    const known = this.users.get(userId);
    if (known && known.expiresAt > now) return known.channels;
    const entry: UserChannels = {
      version: this.changes,
      expiresAt: now + BURST_GRANT_MS,
      channels: this.load(userId),
    };
    this.users.set(userId, entry);
    // A lapsed answer is never read again: without this the map would hold every user since start.
    setTimeout(() => {
      if (this.users.get(userId) === entry) this.users.delete(userId);
    }, BURST_GRANT_MS).unref();
    entry.channels.then(
      () => {
        if (entry.version !== this.changes && this.users.get(userId) === entry)
          this.users.delete(userId);
      },
      () => {
        if (this.users.get(userId) === entry) this.users.delete(userId);
      },
    );
    return entry.channels;
  }

  /** The user's standing in every channel they are a member of, in a workspace they are in. */
  private async load(userId: string): Promise<Map<string, ChannelContext>> {
    const { channels, channelMembers, workspaceMembers } = schema;
    const rows = await this.db
      .select({
        channelId: channels.id,
        kind: channels.kind,
        archivedAt: channels.archivedAt,
        postingPolicy: channels.postingPolicy,
        reactionPolicy: channels.reactionPolicy,
        workspaceRole: workspaceMembers.role,
        channelRole: channelMembers.role,
      })
      .from(channelMembers)
      .innerJoin(channels, eq(channels.id, channelMembers.channelId))
      .innerJoin(workspaceMembers, activeMembership(channels.workspaceId, userId))
      .where(eq(channelMembers.userId, userId));
    return new Map(
      rows.map((row) => [
        row.channelId,
        {
          channel: {
            kind: row.kind,
            archived: row.archivedAt !== null,
            postingPolicy: row.postingPolicy,
            reactionPolicy: row.reactionPolicy,
          },
          workspaceRole: row.workspaceRole,
          channelRole: row.channelRole,
        },
      ]),
    );
  }

  private forget(userIds: readonly string[] | null): void {
    this.changes++;
    if (!userIds) this.users.clear();
    for (const userId of userIds ?? []) this.users.delete(userId);
  }
}
