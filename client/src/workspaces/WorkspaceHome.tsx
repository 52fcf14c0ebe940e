import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { Api, ApiResponse, User } from '../api/api';
import { unsentTexts } from '../auth/device-data';
import { UnsentDialog } from '../auth/UnsentDialog';
import { ChannelView } from '../channel/ChannelView';
import { Inbox, InboxButton } from '../notifications/Inbox';
import type { InboxEntry } from '../notifications/inbox-data';
import { NotificationSettings } from '../notifications/NotificationSettings';
import { TabBadge } from '../notifications/TabBadge';
import { NotificationPrompt, SentContext, WebNotifier } from '../notifications/WebNotifications';
import { FirstRun, InviteStep } from '../onboarding/FirstRun';
import { lastPlace, rememberPlace } from '../routing/last-place';
import type { Place } from '../routing/place';
import { navigate, useRoute } from '../routing/router';
import type { MessageFocus } from '../search/jump';
import { SearchBox } from '../search/SearchBox';
import { SearchResults } from '../search/SearchResults';
import { MeMenu } from '../status/MeMenu';
import { ConnectionBanner } from '../ui/ConnectionBanner';
import { ErrorAlert } from '../ui/ErrorAlert';
import { BrowseChannels, CreateChannel } from './ChannelDialogs';
import { channelTitle } from './channels';
import { focusComposerOf } from './focus-composer';
import { DmPicker, InviteDialog } from './PeopleDialogs';
import { QuickSwitcher } from './QuickSwitcher';
import { Sidebar, type SidebarAction } from './Sidebar';
import { slugFrom } from './slug';

/** A workspace as my list of them shows it, with my role there. */
type Workspace = ApiResponse<'GET /api/workspaces'>['workspaces'][number];

/** A channel opened at its newest messages, no thread open. */
const NOWHERE = { threadId: null, messageId: null };

const workspacePlace = (workspaceId: string) => ({
  kind: 'place' as const,
  place: { workspaceId, channelId: null, threadId: null, messageId: null },
});

/** The signed-in home: my workspaces, creating one, and the chosen workspace's channels. */
export function WorkspaceHome({ api, user }: { api: Api; user: User }) {
  const workspaces = useQuery({
    queryKey: ['workspaces'],
    queryFn: () => api.request('GET /api/workspaces'),
  });
  const route = useRoute();
  const place = route.kind === 'place' ? route.place : null;
  const mine = workspaces.data?.workspaces;
  const current = mine?.find((w) => w.id === place?.workspaceId) ?? null;
  // No workspace in the URL, or one I am not in: the last place I was, else my first workspace.
  useEffect(() => {
    if (!mine || current || mine.length === 0) return;
    const last = lastPlace(user.id);
    const target = mine.some((w) => w.id === last?.workspaceId) ? last : null;
    const first = mine[0];
    if (target) navigate({ kind: 'place', place: target }, { replace: true });
    else if (first) navigate(workspacePlace(first.id), { replace: true });
  }, [mine, current, user.id]);
  const choose = (workspaceId: string) => navigate(workspacePlace(workspaceId));
  // The first-run invite step, shown after creating a workspace from the first-run screen.
  const [welcome, setWelcome] = useState<{ id: string; name: string } | null>(null);
  // Phones show either the menu (workspaces and channels) or the open channel.
  const [menu, setMenu] = useState(false);
  /** Unsent texts that logging out would delete: asked about first. */
  const [unsent, setUnsent] = useState<string[] | null>(null);
  const logOut = async () => {
    const texts = await unsentTexts();
    if (texts.length > 0) setUnsent(texts);
    else await api.logOut();
  };
  // The search shown in place of the open channel, if any; `at` makes a repeated search new.
  const [search, setSearch] = useState<{ q: string; at: number } | null>(null);
  const [recentVersion, setRecentVersion] = useState(0);
  const remembered = useCallback(() => setRecentVersion((version) => version + 1), []);
  const runSearch = (q: string) => {
    setSearch({ q, at: Date.now() });
    setInbox(false);
    setMenu(false);
  };
  // The inbox shown in place of the open channel; a notification to open (clicked outside it).
  const [inbox, setInbox] = useState(false);
  const [jump, setJump] = useState<{ entry: InboxEntry; at: number } | null>(null);
  const [settings, setSettings] = useState(false);
  // Web Notifications are offered once the user has sent something, never on load.
  const [engaged, setEngaged] = useState(false);
  const markEngaged = useCallback(() => setEngaged(true), []);
  const openNotification = (workspaceId: string, entry: InboxEntry) => {
    if (workspaceId !== current?.id) choose(workspaceId);
    setSearch(null);
    setInbox(false);
    setMenu(false);
    setJump({ entry, at: Date.now() });
  };

  return (
    <div className={menu ? 'home menu-open' : 'home'}>
      <header className="topbar">
        <button
          type="button"
          className="menu"
          aria-expanded={menu}
          aria-label="Channels and workspaces"
          onClick={() => setMenu(!menu)}
        >
          ☰
        </button>
        {current && (
          <SearchBox
            api={api}
            user={user}
            workspaceId={current.id}
            onSearch={runSearch}
            onClose={() => setSearch(null)}
            recentVersion={recentVersion}
          />
        )}
        <ConnectionBanner />
        {current && (
          <InboxButton
            api={api}
            workspaceId={current.id}
            open={inbox}
            onToggle={() => {
              setInbox(!inbox);
              setSearch(null);
              setMenu(false);
            }}
          />
        )}
        <MeMenu
          api={api}
          user={user}
          onSettings={() => setSettings(true)}
          onAbout={() => navigate({ kind: 'about' })}
        />
        <span className="signed-in">Signed in as {user.name}</span>
        <button type="button" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      {settings && <NotificationSettings api={api} onClose={() => setSettings(false)} />}
      <NotificationPrompt engaged={engaged} />
      {current && (
        <WebNotifier
          api={api}
          userId={user.id}
          workspaceIds={[
            current.id,
            ...(workspaces.data?.workspaces ?? [])
              .map((workspace) => workspace.id)
              .filter((id) => id !== current.id),
          ]}
          onOpen={openNotification}
        />
      )}
      {unsent && (
        <UnsentDialog
          label="Log out and delete unsent messages?"
          texts={unsent}
          onClose={() => setUnsent(null)}
          actions={
            <>
              <button type="button" className="danger" onClick={() => void api.logOut()}>
                Log out anyway
              </button>
              <button type="button" onClick={() => setUnsent(null)}>
                Stay signed in
              </button>
            </>
          }
        >
          <p>
            These messages have not reached the server yet. Logging out deletes everything of yours
            on this device, them too.
          </p>
        </UnsentDialog>
      )}
      <nav className="workspaces" aria-label="Workspaces">
        <ul>
          {workspaces.data?.workspaces.map((workspace) => (
            <li key={workspace.id}>
              <button
                type="button"
                aria-current={workspace.id === current?.id ? 'page' : undefined}
                onClick={() => {
                  choose(workspace.id);
                  setSearch(null);
                  setInbox(false);
                }}
              >
                {workspace.name}
              </button>
            </li>
          ))}
        </ul>
        {mine && mine.length > 0 && <CreateWorkspace api={api} onCreated={choose} />}
      </nav>
      {workspaces.isError && <p role="alert">Your workspaces could not be loaded.</p>}
      {welcome ? (
        <InviteStep
          api={api}
          workspace={welcome}
          onDone={() => {
            setWelcome(null);
            choose(welcome.id);
          }}
        />
      ) : mine?.length === 0 ? (
        <FirstRun api={api} onCreated={setWelcome} />
      ) : current && place ? (
        <SentContext.Provider value={markEngaged}>
          <Workspace
            api={api}
            user={user}
            workspace={current}
            place={place}
            onNavigated={() => setMenu(false)}
            search={search}
            onSearch={runSearch}
            onSearchClosed={() => setSearch(null)}
            onRemembered={remembered}
            inbox={inbox}
            onInboxClosed={() => setInbox(false)}
            jump={jump}
          />
        </SentContext.Provider>
      ) : null}
    </div>
  );
}

function CreateWorkspace({ api, onCreated }: { api: Api; onCreated: (id: string) => void }) {
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (name: string) =>
      api.request('POST /api/workspaces', { body: { name, slug: slugFrom(name) } }),
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
      <ErrorAlert error={create.error} fallback="Could not create it." />
    </form>
  );
}

/** A workspace: its channels beside the open one, and the dialogs the sidebar opens. */
function Workspace({
  api,
  user,
  workspace,
  place,
  onNavigated,
  search,
  onSearch,
  onSearchClosed,
  onRemembered,
  inbox,
  onInboxClosed,
  jump,
}: {
  api: Api;
  user: User;
  workspace: Workspace;
  /** Where the URL says we are in this workspace: a channel (none: #general), a thread, a message. */
  place: Place;
  /** A channel was opened: on a phone, the menu gives way to it. */
  onNavigated: () => void;
  /** A search to show in place of the open channel. */
  search: { q: string; at: number } | null;
  onSearch: (q: string) => void;
  onSearchClosed: () => void;
  onRemembered: () => void;
  /** The inbox is shown in place of the open channel. */
  inbox: boolean;
  onInboxClosed: () => void;
  /** A notification to open (clicked in the browser's notification). */
  jump: { entry: InboxEntry; at: number } | null;
}) {
  const channels = useQuery({
    queryKey: ['channels', workspace.id],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/channels', {
        params: { workspaceId: workspace.id },
      }),
  });
  const mine = channels.data?.channels ?? [];
  // A public channel I am not in, opened from a search hit: shown without joining.
  const [visiting, setVisiting] = useState<{ id: string; title: string } | null>(null);
  // A search hit names the segment holding its message; a URL does not (the head is tried).
  const [focus, setFocus] = useState<MessageFocus | null>(null);
  const chosen = place.channelId;
  const mineOpen = mine.find((channel) => channel.id === chosen);
  // A link to a channel I am not in (a public one, say): its name comes from the API.
  const linked = useQuery({
    queryKey: ['channel-title', chosen],
    queryFn: () =>
      api.request('GET /api/channels/{channelId}', { params: { channelId: chosen ?? '' } }),
    enabled: chosen !== null && channels.isSuccess && !mineOpen && visiting?.id !== chosen,
    retry: false,
  });
  const open = mineOpen
    ? { id: mineOpen.id, title: channelTitle(mineOpen, user) }
    : visiting && visiting.id === chosen
      ? visiting
      : linked.data && linked.data.channel.id === chosen
        ? { id: chosen, title: `# ${linked.data.channel.name ?? ''}` }
        : null;
  const to = (changes: Partial<Place>, replace = false) =>
    navigate({ kind: 'place', place: { ...place, ...changes } }, { replace });
  // No channel in the URL: #general (every member is in it), not the first by name.
  const fallback = mine.find((c) => c.kind === 'public' && c.name === 'general') ?? mine[0];
  useEffect(() => {
    if (chosen === null && fallback)
      to({ channelId: fallback.id, threadId: null, messageId: null }, true);
  });
  // Remembered for the next sign-in on this device: the channel, not the thread or message.
  const openId = open?.id ?? null;
  useEffect(() => {
    if (openId)
      rememberPlace(user.id, { workspaceId: workspace.id, channelId: openId, ...NOWHERE });
  }, [user.id, workspace.id, openId]);
  // A message in the URL (a link, Back, Forward) that no search hit asked for: focus it.
  const urlFocus = place.messageId;
  useEffect(() => {
    if (!urlFocus || !chosen) {
      setFocus(null);
      return;
    }
    setFocus((before) =>
      before?.messageId === urlFocus && before.channelId === chosen
        ? before
        : {
            channelId: chosen,
            messageId: urlFocus,
            segment: null,
            threadRootId: place.threadId,
            at: Date.now(),
          },
    );
  }, [urlFocus, chosen, place.threadId]);
  const [dialog, setDialog] = useState<SidebarAction | 'switcher' | null>(null);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setDialog('switcher');
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
  const openChannel = (id: string, at: Pick<Place, 'threadId' | 'messageId'> = NOWHERE) => {
    to({ channelId: id, ...at });
    setFocus(null);
    onSearchClosed();
    onInboxClosed();
    onNavigated();
    setDialog(null);
  };
  /** From a search hit: the channel, even one I am not in, and there the message. */
  const visit = (id: string, title: string, message: MessageFocus | null) => {
    if (!mine.some((channel) => channel.id === id)) setVisiting({ id, title });
    openChannel(
      id,
      message ? { threadId: message.threadRootId, messageId: message.messageId } : NOWHERE,
    );
    setFocus(message);
  };
  /** A notification's message: its channel, scrolled to it, in its thread for a reply. */
  const openEntry = (entry: InboxEntry) => {
    const known = mine.find((channel) => channel.id === entry.channelId);
    const title = known ? channelTitle(known, user) : `# ${entry.channelName ?? ''}`;
    visit(entry.channelId, title, {
      channelId: entry.channelId,
      messageId: entry.messageId,
      segment: null,
      threadRootId: entry.parentId,
      at: Date.now(),
    });
  };
  const jumped = useRef<number | null>(null);
  useEffect(() => {
    if (!jump || jumped.current === jump.at || !channels.isSuccess) return;
    jumped.current = jump.at;
    openEntry(jump.entry);
  });
  const client = useQueryClient();
  // Counts joins: the channel view opens anew after one, its docs with them.
  const [joins, setJoins] = useState(0);
  /**
   * Joins a channel I am visiting: it comes into my list, and its view opens again, because the
   * sync server keeps a socket opened without membership read-only (a change sent on it closes
   * it), so the docs need new sockets to write.
   */
  const join = async (channelId: string) => {
    await api.request('POST /api/channels/{channelId}/join', { params: { channelId } });
    await Promise.all([
      client.invalidateQueries({ queryKey: ['channels', workspace.id] }),
      client.invalidateQueries({ queryKey: ['channel', channelId] }),
    ]);
    setJoins((count) => count + 1);
  };
  const close = () => setDialog(null);
  const fullMember = workspace.role !== 'guest';
  const admin = workspace.role === 'owner' || workspace.role === 'admin';
  return (
    <section className="workspace" aria-label={workspace.name}>
      <TabBadge api={api} workspaceId={workspace.id} />
      {dialog === 'switcher' && (
        <QuickSwitcher
          user={user}
          channels={mine}
          onChoose={(id) => {
            openChannel(id);
            // The person wants to write there: Tab from the body would take dozens of presses.
            const chosenChannel = mine.find((channel) => channel.id === id);
            if (chosenChannel) focusComposerOf(channelTitle(chosenChannel, user));
          }}
          onClose={close}
        />
      )}
      {dialog === 'create' && (
        <CreateChannel
          api={api}
          workspaceId={workspace.id}
          onCreated={openChannel}
          onClose={close}
        />
      )}
      {dialog === 'browse' && (
        <BrowseChannels api={api} workspaceId={workspace.id} onOpen={openChannel} onClose={close} />
      )}
      {dialog === 'dm' && (
        <DmPicker
          api={api}
          user={user}
          workspaceId={workspace.id}
          onOpen={openChannel}
          onClose={close}
        />
      )}
      {dialog === 'invite' && <InviteDialog api={api} workspaceId={workspace.id} onClose={close} />}
      <Sidebar
        api={api}
        user={user}
        workspace={workspace}
        channels={mine}
        openId={open?.id ?? null}
        onOpen={openChannel}
        onAction={setDialog}
        canBrowse={fullMember}
        canInvite={admin}
      />
      {inbox && !search ? (
        <Inbox api={api} workspaceId={workspace.id} onOpen={openEntry} onClose={onInboxClosed} />
      ) : search ? (
        <SearchResults
          key={search.at}
          api={api}
          user={user}
          workspaceId={workspace.id}
          guest={!fullMember}
          q={search.q}
          channels={mine}
          onOpenMessage={(message, title) => visit(message.channelId, title, message)}
          onOpenChannel={(id, title) => visit(id, title, null)}
          onSearch={onSearch}
          onRemembered={onRemembered}
          onClose={onSearchClosed}
        />
      ) : linked.isError && !open ? (
        <p role="alert" className="nowhere">
          This channel does not exist, or you cannot open it.
        </p>
      ) : (
        open && (
          <ChannelView
            key={`${open.id}/${joins}`}
            api={api}
            user={user}
            channelId={open.id}
            title={open.title}
            workspaceId={workspace.id}
            focus={focus?.channelId === open.id ? focus : null}
            thread={place.threadId}
            onThreadChange={(threadId) =>
              to({
                threadId,
                messageId: threadId === place.threadId ? place.messageId : null,
              })
            }
            onJoin={
              !channels.isSuccess || mine.some((channel) => channel.id === open.id)
                ? undefined
                : () => join(open.id)
            }
          />
        )
      )}
    </section>
  );
}
