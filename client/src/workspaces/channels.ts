import type { SidebarChannel } from '@confab/api';
import type { User } from '../api/api';

/** A channel as the sidebar lists it; DMs and group DMs carry everyone in them (`members`). */
export type Channel = SidebarChannel;

export const isConversation = (channel: Channel) =>
  channel.kind === 'dm' || channel.kind === 'group_dm';

/** What a channel is called on screen: `# name`, or the other people's names in a DM. */
export function channelTitle(channel: Channel, me: User): string {
  if (!isConversation(channel)) return `# ${channel.name ?? ''}`;
  const others = (channel.members ?? []).filter((member) => member.id !== me.id);
  return others.length ? others.map((member) => member.name).join(', ') : `${me.name} (you)`;
}
