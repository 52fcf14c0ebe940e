import { and, eq, inArray, isNull, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../database';
import { channelColumns, channelMembers, channels, workspaceMembers } from '../schema/index';
import {
  type ChannelContext,
  canModerate,
  canPost,
  canReact,
  canReply,
  channelDocAccess,
  type DocAccess,
  userDocAccess,
  type WorkspaceRole,
} from './decisions';
import { type DocRef, parseDocRef } from './doc-names';

/** A channel row as reads serve it (without its search vector). */
export type Channel = Omit<typeof channels.$inferSelect, 'searchVector'>;

export interface DocGrant {
  access: DocAccess;
  may: { post: boolean; react: boolean; moderate: boolean };
}
const NO_GRANT: DocGrant = { access: 'none', may: { post: false, react: false, moderate: false } };

/**
 * The grant of a channel doc to an actor of this standing in its channel. In a thread doc every
 * new message is a reply, so `post` follows canReply there.
 */
export function grantFrom(
  ref: Exclude<DocRef, { kind: 'user' }>,
  context: ChannelContext,
): DocGrant {
  return {
    access: channelDocAccess(context),
    may: {
      post: ref.kind === 'thread' ? canReply(context) : canPost(context),
      react: canReact(context),
      moderate: canModerate(context),
    },
  };
}

/**
 * The membership rows that count: of this workspace, for this user (or these users), not removed.
 * A removed member keeps a row so their messages keep an author; it grants nothing.
 */
export function activeMembership(
  workspaceId: string | SQLWrapper,
  users: string | string[] | SQLWrapper,
) {
  return and(
    eq(workspaceMembers.workspaceId, workspaceId as string),
    Array.isArray(users)
      ? inArray(workspaceMembers.userId, users)
      : eq(workspaceMembers.userId, users as string),
    isNull(workspaceMembers.removedAt),
  );
}

/** Loads what the decisions need, in one query each. */
export class Policy {
  constructor(private readonly db: Db) {}

  /** The actor's role in the workspace; null for non-members (and removed members). */
  async workspaceRole(userId: string, workspaceId: string): Promise<WorkspaceRole | null> {
    const [row] = await this.db
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(activeMembership(workspaceId, userId));
    return row?.role ?? null;
  }

  /** The channel and the actor's standing in it; null when no such channel exists. */
  async channelContext(
    userId: string,
    channelId: string,
  ): Promise<{ channel: Channel; context: ChannelContext } | null> {
    const [row] = await this.db
      .select({
        channel: channelColumns,
        workspaceRole: workspaceMembers.role,
        channelRole: channelMembers.role,
      })
      .from(channels)
      .leftJoin(workspaceMembers, activeMembership(channels.workspaceId, userId))
      .leftJoin(
        channelMembers,
        and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)),
      )
      .where(eq(channels.id, channelId));
    if (!row) return null;
    const { channel } = row;
    return {
      channel,
      context: {
        channel: {
          kind: channel.kind,
          archived: channel.archivedAt !== null,
          postingPolicy: channel.postingPolicy,
          reactionPolicy: channel.reactionPolicy,
        },
        workspaceRole: row.workspaceRole,
        // Membership outside the workspace (a removed member's leftover row) counts for nothing.
        channelRole: row.workspaceRole ? row.channelRole : null,
      },
    };
  }

  /** What the actor may do with a sync doc; malformed names and unknown channels get 'none'. */
  async docAccess(userId: string, name: string): Promise<DocAccess> {
    return (await this.docGrant(userId, name)).access;
  }

  /** Access to a sync doc and, for channel docs, which changes the validator lets through. */
  async docGrant(userId: string, name: string): Promise<DocGrant> {
    const ref = parseDocRef(name);
    if (!ref) return NO_GRANT;
    if (ref.kind === 'user') {
      const access = userDocAccess(userId, ref.userId);
      return { access, may: { post: false, react: false, moderate: false } };
    }
    const loaded = await this.channelContext(userId, ref.channelId);
    return loaded ? grantFrom(ref, loaded.context) : NO_GRANT;
  }
}
