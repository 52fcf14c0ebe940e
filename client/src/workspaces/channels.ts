import type { User } from '../api/api';

/** A channel as the sidebar lists it (`GET /api/workspaces/{id}/channels`). */
export interface Channel {
  id: string;
  name: string | null;
  kind: 'public' | 'private' | 'dm' | 'group_dm';
  topic?: string;
  archivedAt?: string | null;
  myRole?: 'admin' | 'member';
  /** DMs and group DMs: everyone in it. */
  members?: Array<{ id: string; name: string }>;
}

export const isConversation = (channel: Channel) =>
  channel.kind === 'dm' || channel.kind === 'group_dm';

/** What a channel is called on screen: `# name`, or the other people's names in a DM. */
export function channelTitle(channel: Channel, me: User): string {
  if (!isConversation(channel)) return `# ${channel.name ?? ''}`;
  const others = (channel.members ?? []).filter((member) => member.id !== me.id);
  return others.length ? others.map((member) => member.name).join(', ') : `${me.name} (you)`;
}
