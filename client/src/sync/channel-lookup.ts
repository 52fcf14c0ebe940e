import type { ChannelView } from '@confab/api';
import type { Api } from '../api/api';

/**
 * What `GET /api/channels/{channelId}` answers that the client uses; `may` holds the rules the
 * client's validator checks changes with [S5].
 */
export type ChannelRecord = Pick<ChannelView, 'id' | 'name' | 'kind' | 'headSegment'> &
  Partial<Pick<ChannelView, 'may'>>;

interface Lookup {
  /** When it was asked for (`Date.now()`). */
  startedAt: number;
  /** Whether the request has left: a lookup not yet sent still answers with the newest rules. */
  sent: boolean;
  answer: Promise<ChannelRecord>;
}

/** The newest lookup per user and channel, so one channel's view and docs share one request. */
const lookups = new Map<string, Lookup>();

/**
 * Looks a channel up, sharing the request among everyone who asks for it at about the same time:
 * a channel view and each of its segment and thread docs ask at once when it opens, and each doc
 * again when its socket connects. With `freshSince`, an answer asked for at or after that moment
 * will do; without, only a request not sent yet (asked in the same task), because one already
 * under way may predate what made the caller ask (a refusal, a membership change).
 */
export function lookUpChannel(
  api: Api,
  userId: string,
  channelId: string,
  freshSince?: number,
): Promise<ChannelRecord> {
  const key = `${userId}/${channelId}`;
  const known = lookups.get(key);
  if (known && (freshSince === undefined ? !known.sent : known.startedAt >= freshSince))
    return known.answer;
  const state = { startedAt: Date.now(), sent: false };
  const answer = Promise.resolve().then(async () => {
    state.sent = true;
    const { channel } = await api.request('GET /api/channels/{channelId}', {
      params: { channelId },
    });
    return channel;
  });
  const lookup: Lookup = Object.assign(state, { answer });
  // A failed lookup (offline) is not an answer to share.
  lookup.answer.catch(() => {
    if (lookups.get(key) === lookup) lookups.delete(key);
  });
  lookups.set(key, lookup);
  return lookup.answer;
}
