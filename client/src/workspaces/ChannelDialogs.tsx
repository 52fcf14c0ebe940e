import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Api, ApiError, type RequestArgs } from '../api/api';
import { Dialog } from '../ui/Dialog';

const problem = (error: unknown, fallback: string) =>
  error instanceof ApiError ? error.message : fallback;

/** Creates a public or private channel; the creator is its admin and lands in it. */
export function CreateChannel({
  api,
  workspaceId,
  onCreated,
  onClose,
}: {
  api: Api;
  workspaceId: string;
  onCreated: (channelId: string) => void;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (body: RequestArgs<'POST /api/workspaces/{workspaceId}/channels'>['body']) =>
      api.request('POST /api/workspaces/{workspaceId}/channels', {
        params: { workspaceId },
        body,
      }),
    onSuccess: async ({ channel }) => {
      await client.invalidateQueries({ queryKey: ['channels', workspaceId] });
      onCreated(channel.id);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      // Slack's rule, applied as the user types it: lowercase, dashes for spaces.
      name: String(form.get('name') ?? '')
        .trim()
        .toLowerCase()
        .replace(/\s+/g, '-'),
      kind: form.get('private') ? 'private' : 'public',
      purpose: String(form.get('purpose') ?? ''),
    });
  }
  return (
    <Dialog label="Create a channel" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Name
          <input name="name" required maxLength={80} placeholder="e.g. plan-budget" />
        </label>
        <label>
          Purpose (optional)
          <input name="purpose" maxLength={250} />
        </label>
        <label className="inline">
          <input type="checkbox" name="private" /> Private: only people added can see it
        </label>
        <button type="submit" disabled={create.isPending}>
          Create
        </button>
        {create.error && (
          <p role="alert">{problem(create.error, 'The channel could not be created.')}</p>
        )}
      </form>
    </Dialog>
  );
}

/** The workspace's public channels, searchable; join one or open one already joined. */
export function BrowseChannels({
  api,
  workspaceId,
  onOpen,
  onClose,
}: {
  api: Api;
  workspaceId: string;
  onOpen: (channelId: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const client = useQueryClient();
  const found = useQuery({
    queryKey: ['browse', workspaceId, query],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/channels/browse', {
        params: { workspaceId },
        query: { q: query },
      }),
  });
  const join = useMutation({
    mutationFn: (channelId: string) =>
      api.request('POST /api/channels/{channelId}/join', { params: { channelId } }),
    onSuccess: async (_answer, channelId) => {
      await client.invalidateQueries({ queryKey: ['channels', workspaceId] });
      onOpen(channelId);
    },
  });
  return (
    <Dialog label="Browse channels" onClose={onClose}>
      <input
        type="search"
        aria-label="Search channels"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      {found.isError && <p role="alert">{problem(found.error, 'Could not load channels.')}</p>}
      <ul className="browse" aria-label="Public channels">
        {found.data?.channels.map((channel) => (
          <li key={channel.id}>
            <div>
              <strong># {channel.name}</strong>{' '}
              <span className="muted">
                {channel.memberCount} {channel.memberCount === 1 ? 'member' : 'members'}
              </span>
              {(channel.purpose || channel.topic) && <p>{channel.purpose || channel.topic}</p>}
            </div>
            {channel.isMember ? (
              <button type="button" onClick={() => onOpen(channel.id)}>
                Open
              </button>
            ) : (
              <button
                type="button"
                aria-label={`Join # ${channel.name}`}
                disabled={join.isPending}
                onClick={() => join.mutate(channel.id)}
              >
                Join
              </button>
            )}
          </li>
        ))}
      </ul>
      {found.data?.channels.length === 0 && <p>No channel matches.</p>}
      {join.error && <p role="alert">{problem(join.error, 'Could not join.')}</p>}
    </Dialog>
  );
}
