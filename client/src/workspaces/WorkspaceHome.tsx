import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { type Api, ApiError, type User } from '../api/api';
import { ChannelView } from '../channel/ChannelView';

interface Workspace {
  id: string;
  name: string;
  slug: string;
  role: string;
}
interface Channel {
  id: string;
  name: string | null;
  kind: 'public' | 'private' | 'dm' | 'group_dm';
}

/** A slug the API accepts, from a workspace name ("Acme Inc." -> "acme-inc"). */
export function slugFrom(name: string): string {
  return (
    name
      .normalize('NFKD')
      // Accents come apart under NFKD; dropping the marks keeps "Über" as "uber".
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'workspace'
  );
}

/** The signed-in home: my workspaces, creating one, and the chosen workspace's channels. */
export function WorkspaceHome({
  api,
  user,
  onLoggedOut,
}: {
  api: Api;
  user: User;
  onLoggedOut: () => void;
}) {
  const workspaces = useQuery({
    queryKey: ['workspaces'],
    queryFn: () => api.call<{ workspaces: Workspace[] }>('GET', '/api/workspaces'),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const current =
    workspaces.data?.workspaces.find((w) => w.id === chosen) ??
    workspaces.data?.workspaces[0] ??
    null;

  return (
    <div className="home">
      <header>
        <span>Signed in as {user.name}</span>
        <button
          type="button"
          onClick={async () => {
            await api.logOut();
            onLoggedOut();
          }}
        >
          Log out
        </button>
      </header>
      <nav aria-label="Workspaces">
        <ul>
          {workspaces.data?.workspaces.map((workspace) => (
            <li key={workspace.id}>
              <button
                type="button"
                aria-current={workspace.id === current?.id ? 'page' : undefined}
                onClick={() => setChosen(workspace.id)}
              >
                {workspace.name}
              </button>
            </li>
          ))}
        </ul>
        <CreateWorkspace api={api} onCreated={setChosen} />
      </nav>
      {workspaces.isError && <p role="alert">Your workspaces could not be loaded.</p>}
      {current && <Workspace api={api} user={user} workspace={current} />}
    </div>
  );
}

function CreateWorkspace({ api, onCreated }: { api: Api; onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (name: string) =>
      api.call<{ workspace: Workspace }>('POST', '/api/workspaces', { name, slug: slugFrom(name) }),
    onSuccess: async ({ workspace }) => {
      await client.invalidateQueries({ queryKey: ['workspaces'] });
      onCreated(workspace.id);
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (name) create.mutate(name, { onSuccess: () => form.reset() });
  }
  return (
    <form onSubmit={submit} aria-label="Create a workspace">
      <label>
        New workspace
        <input name="name" required maxLength={80} />
      </label>
      <button type="submit" disabled={create.isPending}>
        Create
      </button>
      {create.error && (
        <p role="alert">
          {create.error instanceof ApiError ? create.error.message : 'Could not create it.'}
        </p>
      )}
    </form>
  );
}

/** A workspace: its channels beside the open one. */
function Workspace({ api, user, workspace }: { api: Api; user: User; workspace: Workspace }) {
  const channels = useQuery({
    queryKey: ['channels', workspace.id],
    queryFn: () =>
      api.call<{ channels: Channel[] }>('GET', `/api/workspaces/${workspace.id}/channels`),
  });
  const named = (channels.data?.channels ?? []).filter(
    (channel) => channel.kind === 'public' || channel.kind === 'private',
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const open = named.find((channel) => channel.id === chosen) ?? named[0] ?? null;
  const [switcher, setSwitcher] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSwitcher(true);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
  return (
    <section className="workspace" aria-label={workspace.name}>
      {switcher && (
        <QuickSwitcher
          channels={named}
          onChoose={(id) => {
            setChosen(id);
            setSwitcher(false);
          }}
          onClose={() => setSwitcher(false)}
        />
      )}
      <nav aria-label={`${workspace.name} channels`}>
        <h2>{workspace.name}</h2>
        <ul aria-label="Channels">
          {named.map((channel) => (
            <li key={channel.id}>
              <button
                type="button"
                aria-current={channel.id === open?.id ? 'page' : undefined}
                onClick={() => setChosen(channel.id)}
              >
                # {channel.name}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {open && <ChannelView key={open.id} api={api} user={user} channelId={open.id} />}
    </section>
  );
}

/** Ctrl/Cmd+K: type part of a channel's name, Enter opens the first match, Esc closes. */
function QuickSwitcher({
  channels,
  onChoose,
  onClose,
}: {
  channels: Channel[];
  onChoose: (id: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const matches = channels.filter((channel) =>
    (channel.name ?? '').toLowerCase().includes(query.trim().toLowerCase()),
  );
  return (
    <div className="switcher" role="dialog" aria-modal="true" aria-label="Jump to a channel">
      <input
        aria-label="Channel name"
        // biome-ignore lint/a11y/noAutofocus: the dialog exists to take this input
        autoFocus
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
          if (event.key === 'Enter' && matches[0]) onChoose(matches[0].id);
        }}
      />
      <ul>
        {matches.map((channel) => (
          <li key={channel.id}>
            <button type="button" onClick={() => onChoose(channel.id)}>
              # {channel.name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
