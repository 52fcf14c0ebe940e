import { type Channel, type Db, schema } from '@confab/db';
import { publishMembershipChange, recordAudit } from '../audit/audit';
import { type CommandDeps, isUniqueViolation } from './command-deps';

const { channels, channelColumns, channelMembers } = schema;

export class ChannelNameTaken extends Error {
  override name = 'ChannelNameTaken';
}

export type ChannelFields = Pick<
  typeof channels.$inferInsert,
  'name' | 'kind' | 'topic' | 'purpose' | 'postingPolicy' | 'reactionPolicy'
>;

/**
 * Creates a public or private channel with its creator as channel admin, then tells the
 * creator's sync connections they joined it.
 */
export async function createChannel(
  { db, bus }: CommandDeps,
  {
    workspaceId,
    actorId,
    fields,
    ip,
  }: { workspaceId: string; actorId: string; fields: ChannelFields; ip: string },
): Promise<Channel> {
  let channel: Channel;
  try {
    channel = await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(channels)
        .values({ workspaceId, createdBy: actorId, ...fields })
        .returning(channelColumns);
      if (!created) throw new Error('channel insert returned no row');
      await seatFirstMembers(tx, {
        channel: created,
        actorId,
        members: [{ userId: actorId, role: 'admin' }],
        after: fields,
        ip,
      });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ChannelNameTaken();
    throw error;
  }
  await publishMembershipChange(bus, {
    workspaceId,
    channelId: channel.id,
    userIds: [actorId],
    change: 'joined',
  });
  return channel;
}

/**
 * A new channel's first members and its `channel.create` audit row, written in the transaction
 * that inserted the channel: channels and conversations alike are never seen without either.
 */
export async function seatFirstMembers(
  tx: Pick<Db, 'insert'>,
  {
    channel,
    actorId,
    members,
    after,
    ip,
  }: {
    channel: Channel;
    actorId: string;
    members: { userId: string; role?: 'admin' | 'member' }[];
    after: unknown;
    ip: string;
  },
): Promise<void> {
  await tx
    .insert(channelMembers)
    .values(members.map((member) => ({ channelId: channel.id, ...member })));
  await recordAudit(tx, {
    workspaceId: channel.workspaceId,
    actorId,
    action: 'channel.create',
    targetType: 'channel',
    targetId: channel.id,
    after,
    ip,
  });
}
