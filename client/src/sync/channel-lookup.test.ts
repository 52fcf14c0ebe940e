import { describe, expect, it } from 'vitest';
import type { Api } from '../api/api';
import { type ChannelRecord, lookUpChannel } from './channel-lookup';

/** An API whose channel lookups the test answers one by one, counting the requests. */
function fakeApi() {
  const answers: Array<(record: ChannelRecord | Error) => void> = [];
  let post = true;
  const api = {
    request: () =>
      new Promise((resolve, reject) => {
        answers.push((record) => (record instanceof Error ? reject(record) : resolve(record)));
      }).then((record) => ({ channel: record })),
  } as unknown as Api;
  const channel = (id: string): ChannelRecord => ({
    id,
    name: 'general',
    kind: 'public',
    headSegment: 0,
    may: { post, react: true, moderate: false },
  });
  return {
    api,
    requests: () => answers.length,
    /** Answers the oldest unanswered request with the channel's rules of the moment. */
    answer: (id: string) => answers.shift()?.(channel(id)),
    fail: () => answers.shift()?.(new Error('offline')),
    forbidPosting: () => {
      post = false;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('channel lookups shared by a channel view and its docs [S5]', () => {
  it('answers everyone who asks in the same task with one request', async () => {
    const server = fakeApi();
    const asked = [
      lookUpChannel(server.api, 'u1', 'c-same-task'),
      lookUpChannel(server.api, 'u1', 'c-same-task', Date.now() - 60_000),
      lookUpChannel(server.api, 'u1', 'c-same-task', Date.now() - 60_000),
    ];
    await settle();
    expect(server.requests()).toBe(1);
    server.answer('c-same-task');
    const answers = await Promise.all(asked);
    expect(answers.map((answer) => answer.id)).toEqual([
      'c-same-task',
      'c-same-task',
      'c-same-task',
    ]);
  });

  it('reuses an answer asked for since the given moment, and asks again for an older one', async () => {
    const server = fakeApi();
    // Taken before the first lookup starts, however long the event loop then takes.
    const before = Date.now();
    const first = lookUpChannel(server.api, 'u1', 'c-fresh');
    await settle();
    server.answer('c-fresh');
    await first;
    await lookUpChannel(server.api, 'u1', 'c-fresh', before);
    expect(server.requests()).toBe(0);
    const later = lookUpChannel(server.api, 'u1', 'c-fresh', Date.now() + 1);
    await settle();
    expect(server.requests()).toBe(1);
    server.answer('c-fresh');
    await later;
  });

  it('refreshes with a request of its own once the shared one has left, so a change is seen', async () => {
    const server = fakeApi();
    const old = lookUpChannel(server.api, 'u1', 'c-refresh');
    await settle();
    server.forbidPosting();
    // The rules changed while the first request was under way: its answer may predate that.
    const refreshed = lookUpChannel(server.api, 'u1', 'c-refresh');
    await settle();
    expect(server.requests()).toBe(2);
    server.answer('c-refresh');
    server.answer('c-refresh');
    await old;
    expect((await refreshed).may?.post).toBe(false);
  });

  it('does not share a failed lookup or one of another user', async () => {
    const server = fakeApi();
    const failed = lookUpChannel(server.api, 'u1', 'c-failed');
    await settle();
    server.fail();
    await expect(failed).rejects.toThrow('offline');
    await settle();
    const again = lookUpChannel(server.api, 'u1', 'c-failed', 0);
    const other = lookUpChannel(server.api, 'u2', 'c-failed', 0);
    await settle();
    expect(server.requests()).toBe(2);
    server.answer('c-failed');
    server.answer('c-failed');
    await Promise.all([again, other]);
  });
});
