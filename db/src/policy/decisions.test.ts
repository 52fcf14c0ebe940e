import { describe, expect, it } from 'vitest';
import {
  type ChannelContext,
  type ChannelFacts,
  type ChannelRole,
  canModerate,
  canPost,
  canReact,
  canReply,
  canSeeEditHistory,
  type WorkspaceRole,
} from './decisions';

const actors: Record<string, [WorkspaceRole | null, ChannelRole | null]> = {
  'workspace admin, channel member': ['admin', 'member'],
  'channel admin': ['member', 'admin'],
  member: ['member', 'member'],
  guest: ['guest', 'member'],
  'workspace admin outside the channel': ['admin', null],
  'member outside the channel': ['member', null],
  outsider: [null, null],
};

const channel = (facts: Partial<ChannelFacts> = {}): ChannelFacts => ({
  kind: 'public',
  archived: false,
  postingPolicy: 'everyone',
  reactionPolicy: 'everyone',
  ...facts,
});

/** The names of the actors for whom `decision` holds in `facts`. */
function allowed(decision: (context: ChannelContext) => boolean, facts: Partial<ChannelFacts>) {
  return Object.entries(actors)
    .filter(([, [workspaceRole, channelRole]]) =>
      decision({ channel: channel(facts), workspaceRole, channelRole }),
    )
    .map(([name]) => name);
}

const members = ['workspace admin, channel member', 'channel admin', 'member', 'guest'];
const admins = ['workspace admin, channel member', 'channel admin'];

describe('decisions for changes inside channel docs [S4]', () => {
  it('lets members post, and only admins in announcement channels', () => {
    expect(allowed(canPost, {})).toEqual(members);
    expect(allowed(canPost, { postingPolicy: 'admins' })).toEqual(admins);
    expect(allowed(canPost, { archived: true })).toEqual([]);
    expect(allowed(canPost, { kind: 'dm' })).toEqual(members);
  });

  it('lets every member reply in threads, announcement channels included', () => {
    expect(allowed(canReply, { postingPolicy: 'admins' })).toEqual(members);
    expect(allowed(canReply, { archived: true })).toEqual([]);
  });

  it('follows the reaction policy', () => {
    expect(allowed(canReact, {})).toEqual(members);
    expect(allowed(canReact, { reactionPolicy: 'admins' })).toEqual(admins);
    expect(allowed(canReact, { reactionPolicy: 'nobody' })).toEqual([]);
  });

  it('shows edit history to the author and to admins who can read the channel', () => {
    expect(allowed((context) => canSeeEditHistory(context, false), {})).toEqual([
      'workspace admin, channel member',
      'channel admin',
      'workspace admin outside the channel',
    ]);
    expect(allowed((context) => canSeeEditHistory(context, true), { kind: 'private' })).toEqual(
      members,
    );
  });

  it('lets channel and workspace admins who are members moderate', () => {
    expect(allowed(canModerate, {})).toEqual(admins);
    expect(allowed(canModerate, { archived: true })).toEqual([]);
  });
});
