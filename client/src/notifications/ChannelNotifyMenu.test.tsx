// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../api/api';
import { ChannelNotifyMenu } from './ChannelNotifyMenu';

afterEach(cleanup);

/** The menu of a channel whose view already looked it up (the `['channel', id]` cache). */
async function menuOf(kind: 'public' | 'dm' | 'group_dm') {
  const api = new Api();
  api.request = (async () => ({
    preference: 'default',
    effective: kind === 'public' ? 'mentions' : 'all',
    muted: false,
  })) as unknown as Api['request'];
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(['channel', 'c1'], { id: 'c1', name: null, kind, headSegment: 0 });
  render(
    <QueryClientProvider client={client}>
      <ChannelNotifyMenu api={api} channelId="c1" workspaceId="w1" />
    </QueryClientProvider>,
  );
  await screen.findByRole('checkbox', { name: 'Mute this channel' });
}

describe('ChannelNotifyMenu', () => {
  it('offers the preferences in a channel', async () => {
    await menuOf('public');
    expect(screen.getAllByRole('radio')).toHaveLength(4);
  });

  it.each(['dm', 'group_dm'] as const)(
    'offers only Mute in a %s, where every message notifies whatever the preference',
    async (kind) => {
      await menuOf(kind);
      expect(screen.queryAllByRole('radio')).toEqual([]);
      expect(screen.getByText('Every message here notifies you.')).toBeTruthy();
    },
  );
});
