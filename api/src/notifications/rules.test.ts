import { describe, expect, it } from 'vitest';
import {
  audienceOf,
  type ChannelPreference,
  decideNotification,
  type MessageFacts,
  type NotificationDecision,
  type NotifyReason,
  notificationsFor,
  type RecipientFacts,
  type SilentReason,
  type ThreadFollow,
} from './rules';

const AUTHOR = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const CAROL = '00000000-0000-4000-8000-00000000000c';

type Mention = 'none' | 'direct' | 'other-user' | 'channel' | 'here' | 'keyword';
type Shape = 'top-level' | 'reply';

const TEXT: Record<Mention, string> = {
  none: 'lunch at noon?',
  direct: `<@${BOB}> lunch at noon?`,
  'other-user': `<@${CAROL}> lunch at noon?`,
  channel: '<!channel> lunch at noon?',
  here: '<!here> lunch at noon?',
  keyword: 'the Déploiement is at noon',
};

interface Cell {
  preference: ChannelPreference;
  mention: Mention;
  dnd: boolean;
  muted: boolean;
  shape: Shape;
  thread: ThreadFollow;
  self: boolean;
  kind: 'public' | 'dm';
  urgent: boolean;
  active: boolean;
}

function decide(cell: Cell): NotificationDecision {
  const message: MessageFacts = {
    authorId: cell.self ? BOB : AUTHOR,
    text: TEXT[cell.mention],
    channelKind: cell.kind,
    isReply: cell.shape === 'reply',
    urgent: cell.urgent,
  };
  const recipient: RecipientFacts = {
    userId: BOB,
    preference: cell.preference,
    channelMuted: cell.muted,
    active: cell.active,
    doNotDisturb: cell.dnd,
    thread: cell.thread,
    keywords: ['deploiement'],
  };
  return decideNotification(audienceOf(message), recipient);
}

const base: Cell = {
  preference: 'mentions',
  mention: 'none',
  dnd: false,
  muted: false,
  shape: 'top-level',
  thread: 'none',
  self: false,
  kind: 'public',
  urgent: false,
  active: true,
};

const yes = (reason: NotifyReason): NotificationDecision => ({ notify: true, reason });
const no = (reason: SilentReason): NotificationDecision => ({ notify: false, reason });

describe('decideNotification: the rules as a user reads them', () => {
  it.each<[string, Partial<Cell>, NotificationDecision]>([
    ['own message, even mentioning myself', { self: true, mention: 'direct' }, no('own_message')],
    ['own urgent DM', { self: true, kind: 'dm', urgent: true }, no('own_message')],
    ['direct mention', { mention: 'direct' }, yes('mention')],
    ['mention of someone else', { mention: 'other-user' }, no('not_addressed')],
    ['@channel', { mention: 'channel' }, yes('channel_mention')],
    ['@here while active', { mention: 'here' }, yes('here_mention')],
    ['@here while away', { mention: 'here', active: false }, no('not_addressed')],
    [
      '@here while away, preference all',
      { mention: 'here', active: false, preference: 'all' },
      yes('all_messages'),
    ],
    ['keyword, accent-insensitive', { mention: 'keyword' }, yes('keyword')],
    ['plain message, preference mentions', {}, no('not_addressed')],
    ['plain message, preference all', { preference: 'all' }, yes('all_messages')],
    ['plain message, preference nothing', { preference: 'nothing' }, no('preference_nothing')],
    [
      'mention, preference nothing',
      { preference: 'nothing', mention: 'direct' },
      no('preference_nothing'),
    ],
    ['mention during DND', { mention: 'direct', dnd: true }, no('do_not_disturb')],
    ['mention in a muted channel', { mention: 'direct', muted: true }, no('channel_muted')],
    ['@channel in a muted channel', { mention: 'channel', muted: true }, no('channel_muted')],
    ['reply in a followed thread', { shape: 'reply', thread: 'following' }, yes('thread_reply')],
    [
      'reply in a followed thread, preference nothing',
      { shape: 'reply', thread: 'following', preference: 'nothing' },
      no('preference_nothing'),
    ],
    [
      'reply in an unfollowed thread, preference all',
      { shape: 'reply', preference: 'all' },
      no('not_addressed'),
    ],
    [
      'reply mentioning me in an unfollowed thread',
      { shape: 'reply', mention: 'direct' },
      yes('mention'),
    ],
    [
      'reply in a muted thread',
      { shape: 'reply', thread: 'muted', preference: 'all' },
      no('thread_muted'),
    ],
    [
      'reply mentioning me in a muted thread',
      { shape: 'reply', thread: 'muted', mention: 'direct' },
      no('thread_muted'),
    ],
    [
      'reply in a followed thread during DND',
      { shape: 'reply', thread: 'following', dnd: true },
      no('do_not_disturb'),
    ],
    [
      'mention beats thread follow',
      { shape: 'reply', thread: 'following', mention: 'direct' },
      yes('mention'),
    ],
    [
      'thread muting does not touch top-level messages',
      { thread: 'muted', preference: 'all' },
      yes('all_messages'),
    ],
    ['DM', { kind: 'dm' }, yes('direct_message')],
    ['DM, preference nothing', { kind: 'dm', preference: 'nothing' }, yes('direct_message')],
    ['DM during DND', { kind: 'dm', dnd: true }, no('do_not_disturb')],
    ['muted DM', { kind: 'dm', muted: true }, no('channel_muted')],
    ['urgent DM during DND', { kind: 'dm', urgent: true, dnd: true }, yes('urgent_direct_message')],
    ['urgent DM, muted', { kind: 'dm', urgent: true, muted: true }, yes('urgent_direct_message')],
    [
      'urgent in a channel is ignored',
      { urgent: true, dnd: true, mention: 'direct' },
      no('do_not_disturb'),
    ],
    ['urgent in a channel, no DND', { urgent: true, mention: 'direct' }, yes('mention')],
    [
      'reply in a muted DM thread',
      { kind: 'dm', shape: 'reply', thread: 'muted' },
      no('thread_muted'),
    ],
  ])('%s', (_name, change, expected) => {
    expect(decide({ ...base, ...change })).toEqual(expected);
  });

  it('urgent in a group DM pierces DND too', () => {
    const message: MessageFacts = {
      authorId: AUTHOR,
      text: 'now',
      channelKind: 'group_dm',
      isReply: false,
      urgent: true,
    };
    const bob: RecipientFacts = {
      userId: BOB,
      preference: 'nothing',
      channelMuted: true,
      active: false,
      doNotDisturb: true,
      thread: 'none',
      keywords: [],
    };
    expect(decideNotification(audienceOf(message), bob)).toEqual(yes('urgent_direct_message'));
  });
});

/**
 * The same rules written another way, as sets: what could notify, what silences. The full
 * product of the brief's dimensions is checked against it, so every cell has an answer.
 */
function expected(cell: Cell): NotificationDecision {
  if (cell.self) return no('own_message');
  const direct = cell.kind === 'dm';
  const reply = cell.shape === 'reply';
  if (direct && cell.urgent) return yes('urgent_direct_message');
  const silencers: SilentReason[] = [];
  if (cell.dnd) silencers.push('do_not_disturb');
  if (cell.muted) silencers.push('channel_muted');
  if (reply && cell.thread === 'muted') silencers.push('thread_muted');
  if (!direct && cell.preference === 'nothing') silencers.push('preference_nothing');
  if (silencers[0]) return no(silencers[0]);
  const reasons = new Set<NotifyReason>();
  if (direct) reasons.add('direct_message');
  if (cell.mention === 'direct') reasons.add('mention');
  if (cell.mention === 'channel') reasons.add('channel_mention');
  if (cell.mention === 'here' && cell.active) reasons.add('here_mention');
  if (cell.mention === 'keyword') reasons.add('keyword');
  if (reply && cell.thread === 'following') reasons.add('thread_reply');
  if (!reply && cell.preference === 'all') reasons.add('all_messages');
  const order: NotifyReason[] = [
    'direct_message',
    'mention',
    'channel_mention',
    'here_mention',
    'keyword',
    'thread_reply',
    'all_messages',
  ];
  const strongest = order.find((reason) => reasons.has(reason));
  return strongest ? yes(strongest) : no('not_addressed');
}

function* product(): Generator<Cell> {
  for (const preference of ['all', 'mentions', 'nothing'] as const)
    for (const mention of ['none', 'direct', 'other-user', 'channel', 'here', 'keyword'] as const)
      for (const active of [true, false])
        for (const dnd of [false, true])
          for (const muted of [false, true])
            for (const [shape, thread] of [
              ['top-level', 'none'],
              ['reply', 'none'],
              ['reply', 'following'],
              ['reply', 'muted'],
            ] as const)
              for (const self of [false, true])
                for (const kind of ['public', 'dm'] as const)
                  for (const urgent of [false, true])
                    yield {
                      preference,
                      mention,
                      active,
                      dnd,
                      muted,
                      shape,
                      thread,
                      self,
                      kind,
                      urgent,
                    };
}

const cells = [...product()].map((cell) => [describeCell(cell), cell, expected(cell)] as const);

function describeCell(c: Cell): string {
  return [
    c.kind,
    c.urgent ? 'urgent' : '',
    `pref=${c.preference}`,
    `mention=${c.mention}`,
    c.active ? 'active' : 'away',
    c.dnd ? 'dnd' : '',
    c.muted ? 'muted' : '',
    c.shape === 'reply' ? `reply/${c.thread}` : 'top-level',
    c.self ? 'self' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

describe('decideNotification: every preference x mention x DND x mute x thread x self x kind', () => {
  it('covers the whole product', () => {
    expect(cells).toHaveLength(3 * 6 * 2 * 2 * 2 * 4 * 2 * 2 * 2);
  });

  it.each(cells)('%s -> %j', (_name, cell, decision) => {
    expect(decide(cell)).toEqual(decision);
  });
});

describe('notificationsFor', () => {
  const message = (text: string, isReply = false): MessageFacts => ({
    authorId: AUTHOR,
    text,
    channelKind: 'public',
    isReply,
    urgent: false,
  });
  const person = (userId: string, change: Partial<RecipientFacts> = {}): RecipientFacts => ({
    userId,
    preference: 'all',
    channelMuted: false,
    active: true,
    doNotDisturb: false,
    thread: 'none',
    keywords: [],
    ...change,
  });

  it('lists each user once, with the strongest reason, in first-seen order', () => {
    const reply = message(`<@${CAROL}> see above`, true);
    const recipients = [
      person(BOB, { preference: 'mentions' }),
      person(CAROL),
      person(BOB, { thread: 'following' }),
      person(CAROL, { thread: 'following' }),
      person(AUTHOR, { thread: 'following' }),
    ];
    expect(notificationsFor(reply, recipients)).toEqual([
      { userId: BOB, reason: 'thread_reply' },
      { userId: CAROL, reason: 'mention' },
    ]);
  });

  it('a mention beats a thread follow beats "all", whatever the listing order', () => {
    const text = `<@${BOB}> hi`;
    const listings = [
      person(BOB, { thread: 'following' }),
      person(BOB, { preference: 'all' }),
      person(BOB),
    ];
    expect(notificationsFor(message(text, true), listings)).toEqual([
      { userId: BOB, reason: 'mention' },
    ]);
    expect(notificationsFor(message(text, true), [...listings].reverse())).toEqual([
      { userId: BOB, reason: 'mention' },
    ]);
    expect(
      notificationsFor(message('hi', true), [person(BOB), person(BOB, { thread: 'following' })]),
    ).toEqual([{ userId: BOB, reason: 'thread_reply' }]);
  });

  it("a listing silenced by the user's choice vetoes the others", () => {
    const reply = message('<!channel> deploy', true);
    expect(notificationsFor(reply, [person(BOB), person(BOB, { thread: 'muted' })])).toEqual([]);
    expect(notificationsFor(reply, [person(BOB, { thread: 'muted' }), person(BOB)])).toEqual([]);
    expect(
      notificationsFor(message('hi'), [person(BOB), person(BOB, { doNotDisturb: true })]),
    ).toEqual([]);
  });

  it('matches user ids case-insensitively, so one user is never notified twice', () => {
    expect(notificationsFor(message('hi'), [person(BOB), person(BOB.toUpperCase())])).toEqual([
      { userId: BOB, reason: 'all_messages' },
    ]);
  });

  it('notifies nobody of their own message, and nobody not addressed', () => {
    expect(
      notificationsFor(message('hi'), [person(AUTHOR), person(BOB, { preference: 'mentions' })]),
    ).toEqual([]);
  });
});
