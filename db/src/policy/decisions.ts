/**
 * The one answer to "may this user do this to that", for the API's routes and the sync server's
 * docs alike. Pure functions of a context loaded from the database (see policy.ts), so every cell
 * of the permission matrix is a plain test.
 */
export type WorkspaceRole = 'owner' | 'admin' | 'member' | 'guest';
export type ChannelKind = 'public' | 'private' | 'dm' | 'group_dm';
export type ChannelRole = 'admin' | 'member';

export interface ChannelFacts {
  kind: ChannelKind;
  archived: boolean;
  postingPolicy: 'everyone' | 'admins';
  reactionPolicy: 'everyone' | 'admins' | 'nobody';
}

/** The actor as seen from one channel: their workspace role and membership of the channel. */
export interface ChannelContext {
  channel: ChannelFacts;
  /** Null when the actor is not in the channel's workspace. */
  workspaceRole: WorkspaceRole | null;
  /** Null when the actor is not a member of the channel. */
  channelRole: ChannelRole | null;
}

export const isWorkspaceAdmin = (role: WorkspaceRole | null) =>
  role === 'owner' || role === 'admin';
const isConversation = (kind: ChannelKind) => kind === 'dm' || kind === 'group_dm';

/**
 * Whether the actor may know the channel exists. Public channels are visible to every full member
 * of the workspace; everything else, and everything for guests, only to the channel's members.
 * Routes answer "not visible" exactly like "does not exist" (404).
 */
export function canSeeChannel({ channel, workspaceRole, channelRole }: ChannelContext): boolean {
  if (!workspaceRole) return false;
  if (channelRole) return true;
  return channel.kind === 'public' && workspaceRole !== 'guest';
}

/** Reading history: anyone who can see the channel (archived channels stay readable). */
export const canReadChannel = canSeeChannel;

const isChannelAdmin = (context: ChannelContext) =>
  context.channelRole === 'admin' || isWorkspaceAdmin(context.workspaceRole);

/** Rename, topic, purpose, policies, channel admins. DMs have no settings beyond the topic. */
export function canManageChannel(context: ChannelContext): boolean {
  if (!context.workspaceRole || isConversation(context.channel.kind)) return false;
  if (context.channel.archived) return false;
  return isChannelAdmin(context) && canSeeChannel(context);
}

export function canArchiveChannel(context: ChannelContext): boolean {
  if (!context.workspaceRole || isConversation(context.channel.kind)) return false;
  return isChannelAdmin(context) && canSeeChannel(context);
}

export function canSetTopic(context: ChannelContext): boolean {
  if (context.channel.archived) return false;
  return isConversation(context.channel.kind)
    ? !!context.channelRole
    : canManageChannel(context) || (!!context.channelRole && context.workspaceRole !== 'guest');
}

export function canJoin(context: ChannelContext): boolean {
  return (
    context.channel.kind === 'public' &&
    !context.channel.archived &&
    !context.channelRole &&
    !!context.workspaceRole &&
    context.workspaceRole !== 'guest'
  );
}

export function canLeave(context: ChannelContext): boolean {
  return !!context.channelRole && !isConversation(context.channel.kind);
}

/** Adding people: anyone in a public channel but guests; a channel or workspace admin in a private one. */
export function canAddMembers(context: ChannelContext): boolean {
  if (!context.workspaceRole || context.channel.archived || isConversation(context.channel.kind))
    return false;
  if (context.channel.kind === 'public') {
    const fullMember = !!context.channelRole && context.workspaceRole !== 'guest';
    return fullMember || isWorkspaceAdmin(context.workspaceRole);
  }
  return isChannelAdmin(context) && canSeeChannel(context);
}

export function canRemoveMembers(context: ChannelContext): boolean {
  if (!context.workspaceRole || context.channel.archived || isConversation(context.channel.kind))
    return false;
  return isChannelAdmin(context) && canSeeChannel(context);
}

export type DocAccess = 'write' | 'read' | 'none';

/**
 * Access to a channel's sync docs (segments and threads). Writing here means "may send updates";
 * which updates are allowed (own messages, own reactions, posting policy) is the validator's job,
 * using the finer rules above.
 */
export function channelDocAccess(context: ChannelContext): DocAccess {
  if (!canReadChannel(context)) return 'none';
  return context.channelRole && !context.channel.archived ? 'write' : 'read';
}

/**
 * Posting a new message: members with write access, and in an announcement channel
 * (posting policy "admins") only channel and workspace admins.
 */
export function canPost(context: ChannelContext): boolean {
  if (channelDocAccess(context) !== 'write') return false;
  return context.channel.postingPolicy === 'everyone' || isChannelAdmin(context);
}

/**
 * Replying in a thread: every member with write access, announcement channels included, so
 * that people can answer an announcement without posting into the channel.
 */
export function canReply(context: ChannelContext): boolean {
  return channelDocAccess(context) === 'write';
}

/** Adding a reaction, by the channel's reaction policy. Clearing one's own is always allowed. */
export function canReact(context: ChannelContext): boolean {
  if (channelDocAccess(context) !== 'write') return false;
  switch (context.channel.reactionPolicy) {
    case 'everyone':
      return true;
    case 'admins':
      return isChannelAdmin(context);
    case 'nobody':
      return false;
  }
}

/** Deleting (tombstoning) other people's messages: channel and workspace admins who can write. */
export function canModerate(context: ChannelContext): boolean {
  return channelDocAccess(context) === 'write' && isChannelAdmin(context);
}

/** Earlier versions of a message: its author, and channel or workspace admins who can read it. */
export function canSeeEditHistory(context: ChannelContext, isAuthor: boolean): boolean {
  if (!canReadChannel(context)) return false;
  return isAuthor || isChannelAdmin(context);
}

/** A user's private doc: its owner only. */
export function userDocAccess(actorId: string, ownerId: string): DocAccess {
  return actorId === ownerId ? 'write' : 'none';
}
