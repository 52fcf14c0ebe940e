import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Api, ApiError, type ApiResponse } from '../api/api';
import type { ChannelRecord } from '../sync/channel-lookup';
import { useMenuDetails } from '../ui/use-menu-details';

type Preference = ApiResponse<'GET /api/channels/{channelId}/notification-preference'>;

const CHOICES: ReadonlyArray<{ value: Preference['preference']; label: string }> = [
  { value: 'default', label: 'Default' },
  { value: 'all', label: 'All messages' },
  { value: 'mentions', label: 'Mentions only' },
  { value: 'nothing', label: 'Nothing' },
];

const EFFECTIVE: Record<Preference['effective'], string> = {
  all: 'all messages',
  mentions: 'mentions',
  nothing: 'nothing',
};

/**
 * The channel header's notification menu: which messages notify me here (all, mentions,
 * nothing, or the default: all in DMs, mentions in channels) and Mute (no notifications, no
 * unread bold in the sidebar).
 */
export function ChannelNotifyMenu({
  api,
  channelId,
  workspaceId,
}: {
  api: Api;
  channelId: string;
  workspaceId: string;
}) {
  const key = ['notification-preference', channelId];
  const current = useQuery({
    queryKey: key,
    queryFn: () =>
      api.request('GET /api/channels/{channelId}/notification-preference', {
        params: { channelId },
      }),
  });
  // The channel view's own lookup, read from the cache: in a DM or group DM every message
  // notifies whatever the preference (the server refuses one), so only Mute is offered there.
  const channel = useQuery<ChannelRecord>({ queryKey: ['channel', channelId], queryFn: skipToken });
  const kind = channel.data?.kind;
  const conversation = kind === 'dm' || kind === 'group_dm';
  const client = useQueryClient();
  const menu = useMenuDetails();
  type Change = { preference?: Preference['preference']; muted?: boolean };
  // The change asked for shows at once (a controlled input would otherwise flip back until
  // the answer), and goes once the server answered either way.
  const [asked, setAsked] = useState<Change | null>(null);
  const change = useMutation({
    mutationFn: (body: Change) =>
      api.request('PUT /api/channels/{channelId}/notification-preference', {
        params: { channelId },
        body,
      }),
    onSuccess: (answer) => {
      client.setQueryData(key, answer);
      // Muting takes the channel's unread count out of the sidebar.
      void client.invalidateQueries({ queryKey: ['unread', workspaceId] });
    },
    onSettled: () => setAsked(null),
  });
  const ask = (body: Change) => {
    setAsked(body);
    change.mutate(body);
  };
  const data = current.data;
  const preference = asked?.preference ?? data?.preference;
  const muted = asked?.muted ?? data?.muted ?? false;
  return (
    <details className="notify-menu" ref={menu}>
      {/* The name starts with the visible word, as speech input users say what they see. */}
      <summary
        aria-label={`${data?.muted ? 'Muted' : 'Notify'}: notifications for this channel${data?.muted ? ', muted' : ''}`}
      >
        {data?.muted ? 'Muted' : 'Notify'}
      </summary>
      <div className="menu-popup">
        <fieldset disabled={!data}>
          <legend>Notify me about</legend>
          {conversation ? (
            <p className="muted">Every message here notifies you.</p>
          ) : (
            CHOICES.map((choice) => (
              <label key={choice.value} className="inline">
                <input
                  type="radio"
                  name={`notify-${channelId}`}
                  checked={preference === choice.value}
                  onChange={() => ask({ preference: choice.value })}
                />
                {choice.label}
                {choice.value === 'default' && data && (
                  <span className="muted"> ({EFFECTIVE[data.effective]})</span>
                )}
              </label>
            ))
          )}
          <label className="inline mute">
            <input
              type="checkbox"
              checked={muted}
              onChange={(event) => ask({ muted: event.target.checked })}
            />
            Mute this channel
          </label>
        </fieldset>
        {(current.error || change.error) && (
          <p role="alert">
            {change.error instanceof ApiError
              ? change.error.message
              : 'Notification settings are not available offline.'}
          </p>
        )}
      </div>
    </details>
  );
}
