import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Api } from '../api/api';
import { applyStatusActivity, MY_STATUS_KEY, StatusLoader, statusKey } from './status-data';

const status = (text: string) => ({
  status: { emoji: '📅', text, expiresAt: null },
  dnd: { until: null, schedule: null, now: false },
  version: 1,
});

/** A port answering the statuses route for `known` users, recording each request's ids. */
function statusesPort(known: Set<string>) {
  const asked: string[][] = [];
  const request = (async (_route: string, args: { query: { ids: string[] } }) => {
    asked.push(args.query.ids);
    return {
      statuses: args.query.ids
        .filter((id) => known.has(id))
        .map((userId) => ({ userId, ...status(userId) })),
    };
  }) as unknown as Api['request'];
  return { api: { request }, asked };
}

describe('status loading', () => {
  it('asks once for every name shown within a tick, a hundred ids per request', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `u${i}`);
    const { api, asked } = statusesPort(new Set(ids));
    const loader = new StatusLoader(api, 'w1');
    const answers = await Promise.all([...ids, 'u0'].map((id) => loader.load(id)));
    expect(asked.map((batch) => batch.length)).toEqual([100, 50]);
    expect(answers[149]?.status?.text).toBe('u149');
    expect(answers[150]?.status?.text).toBe('u0');
  });

  it('answers null for someone the server leaves out (not visible to me)', async () => {
    const { api } = statusesPort(new Set(['seen']));
    const loader = new StatusLoader(api, 'w1');
    expect(await loader.load('hidden')).toBeNull();
    expect((await loader.load('seen'))?.status?.text).toBe('seen');
  });

  it('fails every waiter of a batch the server refused', async () => {
    const request = (async () => {
      throw new Error('offline');
    }) as unknown as Api['request'];
    const loader = new StatusLoader({ request }, 'w1');
    await expect(loader.load('a')).rejects.toThrow('offline');
  });
});

describe('status activity', () => {
  it('asks again for the status of whoever changed, and mine on my own change', async () => {
    const client = new QueryClient();
    client.setQueryData(statusKey('bob'), status('old'));
    client.setQueryData(statusKey('ada'), status('old'));
    client.setQueryData(MY_STATUS_KEY, status('old'));
    applyStatusActivity(client, 'me', { kind: 'user_status', userId: 'bob' });
    // Nobody observes them here: Bob's entry is dropped (read afresh when shown), Ada's kept.
    expect(client.getQueryData(statusKey('bob'))).toBeUndefined();
    expect(client.getQueryState(statusKey('ada'))?.isInvalidated).toBe(false);
    expect(client.getQueryState(MY_STATUS_KEY)?.isInvalidated).toBe(false);
    applyStatusActivity(client, 'me', { kind: 'user_status', userId: 'me' });
    expect(client.getQueryState(MY_STATUS_KEY)?.isInvalidated).toBe(true);
    applyStatusActivity(client, 'me', { kind: 'resynced' });
    expect(client.getQueryState(statusKey('ada'))?.isInvalidated).toBe(true);
  });
});
