import {
  channelMarkerKey,
  docName,
  type Intent,
  type MessageView,
  markRead,
  messageCount,
  newMessageId,
  readMessages,
  threadMarkerKey,
} from '@confab/db/model';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/api';
import { FilesPanel } from '../files/FilesPanel';
import { PendingPostList } from '../files/PendingPostList';
import { type Attachments, useAttachments } from '../files/use-attachments';
import { useFileDrop } from '../files/use-file-drop';
import { usePendingPosts } from '../files/use-pending-posts';
import { ChannelNotifyMenu } from '../notifications/ChannelNotifyMenu';
import { SentContext } from '../notifications/WebNotifications';
import type { MessageFocus } from '../search/jump';
import { PersonMarks } from '../status/PersonMarks';
import { useActivity } from '../sync/activity';
import { lookUpChannel } from '../sync/channel-lookup';
import type { OpenDoc } from '../sync/open-doc';
import { NO_SYNC_DOC, type SyncDoc, useSyncDoc, useSyncDocs } from '../sync/use-sync-doc';
import { useUserDoc } from '../sync/user-doc';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Composer } from './Composer';
import { useEmoji } from './emoji';
import { LockIcon } from './LockIcon';
import { MemberList } from './MemberList';
import { MessageList, type ServerStatus } from './MessageList';
import { MessageText } from './MessageText';
import type { Person } from './mentions';
import { typingLine, useTyping } from './typing';

/**
 * A refetch for bursts of activity (a segment's first projection reports each of its thousand
 * messages): at most one request in flight, and one more after it when events came meanwhile,
 * so the answer is never older than the last event. React Query's own refetch cancels and
 * restarts, one request per event.
 */
function useCoalescedRefetch(refetch: () => Promise<unknown>): () => void {
  const latest = useRef(refetch);
  latest.current = refetch;
  const state = useRef({ running: false, again: false });
  return useCallback(function request() {
    const now = state.current;
    if (now.running) {
      now.again = true;
      return;
    }
    now.running = true;
    void latest.current().finally(() => {
      now.running = false;
      if (!now.again) return;
      now.again = false;
      request();
    });
  }, []);
}

/** The channel's members (names for authors and mentions); reloaded when someone unknown writes. */
function useChannelPeople(api: Api, channelId: string, authors: string[]) {
  const members = useQuery({
    queryKey: ['members', channelId],
    queryFn: () => api.request('GET /api/channels/{channelId}/members', { params: { channelId } }),
  });
  const people: Person[] =
    members.data?.members.map((member) => ({ id: member.userId, name: member.name })) ?? [];
  const names = new Map(people.map((person) => [person.id, person.name]));
  const unknown = members.isSuccess && authors.some((author) => !names.has(author));
  const refetch = members.refetch;
  useEffect(() => {
    if (unknown) void refetch();
  }, [unknown, refetch]);
  return { names, people };
}

export interface ThreadSummary {
  replyCount: number;
  lastReplyAt: string | null;
}

/**
 * What the projection knows of the channel's newest 200 messages: reply counts of thread roots,
 * and in DMs my messages' delivery (sent, delivered, read). One request, loaded again whenever
 * the activity stream reports a message here or a change of my messages' status, and after the
 * stream's socket synced again (what it missed meanwhile is unknown).
 */
function useHistorySummary(api: Api, channelId: string) {
  const history = useQuery({
    queryKey: ['history-summary', channelId],
    queryFn: () =>
      api.request('GET /api/channels/{channelId}/messages', {
        params: { channelId },
        query: { limit: 200 },
      }),
  });
  const refetch = useCoalescedRefetch(history.refetch);
  useActivity((activity) => {
    if (
      activity.kind === 'resynced' ||
      ((activity.kind === 'message' || activity.kind === 'status') &&
        activity.channelId === channelId)
    )
      refetch();
  });
  const messages = history.data?.messages ?? [];
  return {
    threads: new Map(
      messages.flatMap((message) =>
        message.thread ? [[message.id, message.thread] as const] : [],
      ),
    ),
    statuses: new Map(
      messages.flatMap((message) =>
        message.status ? [[message.id, message.status] as const] : [],
      ),
    ),
  };
}

/** Follow or stop following a thread (the root's author and repliers follow it already). */
function FollowButton({ api, channelId, rootId }: { api: Api; channelId: string; rootId: string }) {
  const params = { channelId, messageId: rootId };
  const key = ['follow', rootId];
  const client = useQueryClient();
  const state = useQuery({
    queryKey: key,
    queryFn: () =>
      api.request('GET /api/channels/{channelId}/messages/{messageId}/follow', { params }),
    // A brand-new root is not projected yet (404): ask again shortly.
    retry: 3,
  });
  const refetch = state.refetch;
  // Replying makes one a follower (the projector records it): ask again after each reply.
  useActivity((activity) => {
    if (activity.kind === 'message' && activity.parentId === rootId) void refetch();
  });
  const change = useMutation({
    mutationFn: (following: boolean) =>
      api.request('PUT /api/channels/{channelId}/messages/{messageId}/follow', {
        params,
        body: { following },
      }),
    onSuccess: (answer) => client.setQueryData(key, answer),
  });
  const following = state.data?.following ?? false;
  return (
    <button
      type="button"
      aria-pressed={following}
      disabled={!state.data || change.isPending}
      onClick={() => change.mutate(!following)}
    >
      {following ? 'Following' : 'Follow'}
    </button>
  );
}

/** Marks the newest message read in the user doc while the pane shows it and the tab is visible. */
function useMarkRead(markerKey: string, newest: MessageView | undefined) {
  const userDoc = useUserDoc();
  useEffect(() => {
    if (!userDoc || !newest) return;
    const mark = () => {
      if (document.visibilityState === 'visible') markRead(userDoc.doc, markerKey, newest.id);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [userDoc, markerKey, newest]);
}

/**
 * In place of the composer in a public channel I am reading without being a member (opened from
 * a search hit): the server refuses posts from non-members, so the way to write is to join.
 */
function JoinBar({ name, onJoin }: { name: string; onJoin: () => Promise<void> }) {
  const join = useMutation({ mutationFn: onJoin });
  return (
    <div className="join-bar">
      <p>
        You are reading <strong># {name}</strong> without being a member.
      </p>
      <button type="button" disabled={join.isPending} onClick={() => join.mutate()}>
        Join # {name}
      </button>
      <ErrorAlert error={join.error} fallback="Could not join the channel." />
    </div>
  );
}

/** A search hit at most this many segments below the open ones opens them all, without a gap. */
const JUMP_FILL = 2;

/**
 * A channel's segment docs [S6], newest (the head, where new messages go) and as many older ones
 * as the reader scrolled back to. The head first seen stays open when the head moves on, so a
 * channel rolling over while open loses nothing from view. A search hit's segment opens too: with
 * the ones between when it is close, apart (the island) when it is far.
 */
function useSegments(
  api: Api,
  user: User,
  channelId: string,
  head: number | undefined,
  /** A segment that must be open (a search hit's). */
  wanted: number | null,
) {
  const [oldest, setOldest] = useState<number | null>(null);
  // Segments opened around a search hit far below the ones open from the head: opening every
  // segment in between would load thousands of messages, so they open apart, with a gap that
  // fills one segment at a time when the reader asks (or as they meet).
  const [island, setIsland] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => {
    if (head === undefined) return;
    const tail = oldest ?? head;
    if (oldest === null) setOldest(head);
    if (wanted === null || wanted >= tail) return;
    if (island && wanted >= island.from && wanted <= island.to) return;
    if (wanted >= tail - JUMP_FILL) setOldest(wanted);
    else
      setIsland(
        island && wanted === island.from - 1
          ? { ...island, from: wanted }
          : { from: wanted, to: wanted },
      );
  }, [head, oldest, wanted, island]);
  useEffect(() => {
    if (island && oldest !== null && island.to + 1 >= oldest) {
      setOldest(Math.min(oldest, island.from));
      setIsland(null);
    }
  }, [island, oldest]);
  const from = island?.from ?? oldest ?? head;
  const range = (first: number, last: number) =>
    Array.from({ length: last - first + 1 }, (_, at) =>
      docName({ kind: 'segment', channelId, index: first + at }),
    );
  const islandNames = island ? range(island.from, island.to) : [];
  const names =
    head === undefined || from === undefined
      ? []
      : [...islandNames, ...range(oldest ?? head, head)];
  const docs = useSyncDocs(api, user.id, names);
  const docOf = new Map<string, OpenDoc>();
  const messages: MessageView[] = [];
  let gapAfter: string | undefined;
  for (const name of names) {
    const open = docs.get(name)?.open;
    if (!open) continue;
    const inIsland = islandNames.includes(name);
    for (const message of readMessages(open.doc)) {
      messages.push(message);
      docOf.set(message.id, open);
      if (inIsland && (gapAfter === undefined || message.id > gapAfter)) gapAfter = message.id;
    }
  }
  // Late posts (from clients that were offline) can sit in an older segment than their time.
  messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const headName = names.at(-1);
  const headDoc = (headName && docs.get(headName)) || NO_SYNC_DOC;
  const oldestDoc = (names[0] !== undefined && docs.get(names[0])?.open) || null;
  const oldestSynced = useSynced(oldestDoc);
  const islandEnd = island
    ? docs.get(docName({ kind: 'segment', channelId, index: island.to }))
    : undefined;
  const islandEndSynced = useSynced(islandEnd?.open ?? null);
  return {
    messages,
    docOf,
    headDoc,
    // One segment at a time, and only once the previous one is in: synced from the server, or
    // kept on this device. Otherwise a list still too short to scroll (an empty head that just
    // rolled over, whose newest messages are the previous segment's) would ask again and again.
    hasOlder: from !== undefined && from > 0,
    loadOlder:
      from !== undefined &&
      from > 0 &&
      (oldestSynced || (oldestDoc !== null && messageCount(oldestDoc.doc) > 0))
        ? () => (island ? setIsland({ ...island, from: from - 1 }) : setOldest(from - 1))
        : undefined,
    /** The newest message before the gap, if segments around a search hit opened apart. */
    gapAfter: island ? gapAfter : undefined,
    loadNewer:
      island && islandEndSynced ? () => setIsland({ ...island, to: island.to + 1 }) : undefined,
  };
}

/** Whether the doc's provider has synced with the server (re-renders when it first does). */
function useSynced(open: OpenDoc | null): boolean {
  const [synced, setSynced] = useState<OpenDoc | null>(null);
  useEffect(() => {
    if (!open) return;
    const provider = open.provider;
    const check = () => {
      if (provider.synced) setSynced(open);
    };
    check();
    provider.on('sync', check);
    return () => provider.off('sync', check);
  }, [open]);
  return open !== null && synced === open;
}

/** One channel: its newest segment's messages, live, a composer, a thread and the member list. */
export function ChannelView({
  api,
  user,
  channelId,
  title,
  workspaceId,
  focus = null,
  onJoin,
  thread: shownThread,
  onThreadChange,
}: {
  api: Api;
  user: User;
  channelId: string;
  /** `# name`, or the other people's names in a DM. */
  title: string;
  workspaceId: string;
  /** A message to scroll to and highlight (a search hit), loading its segment or thread. */
  focus?: MessageFocus | null;
  /** Set when I am not a member: a public channel shows a join bar instead of its composers. */
  onJoin?: () => Promise<void>;
  /** The thread the URL opens (Back and Forward change it); undefined leaves it to the view. */
  thread?: string | null;
  /** The view opened or closed a thread (Reply, Esc, ×, a search hit), to put in the URL. */
  onThreadChange?: (rootId: string | null) => void;
}) {
  // Shared with the channel's docs, which need its rules [S5]: one lookup per channel open.
  const channel = useQuery({
    queryKey: ['channel', channelId],
    queryFn: () => lookUpChannel(api, user.id, channelId),
  });
  const head = channel.data?.headSegment;
  const refetchChannel = useCoalescedRefetch(channel.refetch);
  const { messages, docOf, headDoc, loadOlder, hasOlder, gapAfter, loadNewer } = useSegments(
    api,
    user,
    channelId,
    head,
    focus?.segment ?? null,
  );
  useActivity((activity) => {
    // A message in this channel that no open segment holds: the head moved on [S6].
    if (
      activity.kind === 'message' &&
      activity.channelId === channelId &&
      !activity.parentId &&
      !docOf.has(activity.messageId)
    )
      refetchChannel();
  });
  const [thread, setThread] = useState<string | null>(shownThread ?? null);
  const focusThread = focus?.threadRootId;
  useEffect(() => {
    if (focusThread) setThread(focusThread);
  }, [focusThread]);
  useEffect(() => {
    if (shownThread !== undefined) setThread(shownThread);
  }, [shownThread]);
  // Told only when the thread changes, so a URL that moved on first is not pushed back.
  const threadChanged = useRef(onThreadChange);
  threadChanged.current = onThreadChange;
  useEffect(() => threadChanged.current?.(thread), [thread]);
  const [editing, setEditing] = useState<string | null>(null);
  const threadDoc = useSyncDoc(
    api,
    user.id,
    thread ? docName({ kind: 'thread', channelId, rootId: thread }) : null,
  );
  const replyMessages = threadDoc.open ? readMessages(threadDoc.open.doc) : [];
  const { names, people } = useChannelPeople(api, channelId, [
    ...messages.map((message) => message.author),
    ...replyMessages.map((message) => message.author),
  ]);
  const { threads, statuses } = useHistorySummary(api, channelId);
  useMarkRead(channelMarkerKey(channelId), messages.at(-1));
  useEffect(() => {
    if (!thread) return;
    const closeOnEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') setThread(null);
    };
    document.addEventListener('keydown', closeOnEscape);
    return () => document.removeEventListener('keydown', closeOnEscape);
  }, [thread]);
  // One side panel at a time beside the channel: its members or its files.
  const [panel, setPanel] = useState<'members' | 'files' | null>(null);
  const toggle = (which: 'members' | 'files') => setPanel(panel === which ? null : which);
  const root = messages.find((message) => message.id === thread);
  const authorMarks = (userId: string) => (
    <PersonMarks api={api} me={user.id} workspaceId={workspaceId} userId={userId} />
  );
  const shared = { api, user, channelId, names, people, editing, setEditing, authorMarks };
  const attachments = useAttachments(api, channelId);
  const drop = useFileDrop(attachments.add);
  const name = channel.data?.kind === 'public' ? channel.data.name : null;
  const joinBar = onJoin && name !== null ? <JoinBar name={name} onJoin={onJoin} /> : undefined;

  return (
    <div className="channel-and-thread">
      <main
        className={drop.over ? 'channel dropping' : 'channel'}
        aria-label={title}
        {...drop.handlers}
      >
        <header>
          <h1 className="channel-title">
            {channel.data?.kind === 'private' && <LockIcon />}
            <bdi>{title}</bdi>
          </h1>
          <span className="header-buttons">
            {!onJoin && (
              <ChannelNotifyMenu api={api} channelId={channelId} workspaceId={workspaceId} />
            )}
            <button type="button" aria-expanded={panel === 'files'} onClick={() => toggle('files')}>
              Files
            </button>
            <button
              type="button"
              aria-expanded={panel === 'members'}
              onClick={() => toggle('members')}
            >
              Members
            </button>
          </span>
        </header>
        <DocPane
          {...shared}
          attachments={attachments}
          target={channelMarkerKey(channelId)}
          doc={headDoc}
          docOf={(id) => docOf.get(id)}
          onLoadOlder={loadOlder}
          hasOlder={hasOlder}
          gapAfter={gapAfter}
          onLoadNewer={loadNewer}
          messages={messages}
          statuses={statuses}
          threads={threads}
          label={`Message ${title}`}
          draftKey={`confab.draft:${channelMarkerKey(channelId)}`}
          onReply={setThread}
          focus={focus && !focus.threadRootId ? focus : null}
          joinBar={joinBar}
        />
      </main>
      {panel === 'members' && (
        <MemberList
          api={api}
          user={user}
          channelId={channelId}
          workspaceId={workspaceId}
          onClose={() => setPanel(null)}
        />
      )}
      {panel === 'files' && (
        <FilesPanel api={api} channelId={channelId} names={names} onClose={() => setPanel(null)} />
      )}
      {thread && (
        <aside className="thread" aria-label="Thread">
          <header>
            <h3>Thread</h3>
            <FollowButton api={api} channelId={channelId} rootId={thread} />
            <button type="button" onClick={() => setThread(null)} aria-label="Close the thread">
              ×
            </button>
          </header>
          {root && <ThreadRoot message={root} names={names} me={user.id} />}
          <ThreadPane
            key={thread}
            {...shared}
            doc={threadDoc}
            messages={replyMessages}
            rootId={thread}
            focus={focus?.threadRootId === thread ? focus : null}
            joinBar={joinBar}
          />
        </aside>
      )}
    </div>
  );
}

/** The message a thread answers, above its replies, with its markup rendered as in the list. */
function ThreadRoot({
  message,
  names,
  me,
}: {
  message: MessageView;
  names: Map<string, string>;
  me: string;
}) {
  const emoji = useEmoji();
  return (
    <div className="root">
      <strong>
        <bdi>{names.get(message.author) ?? 'Someone'}</bdi>
      </strong>{' '}
      {message.deleted ? (
        <span className="text deleted">This message was deleted.</span>
      ) : (
        <MessageText text={message.text} context={{ names, me, emoji }} />
      )}
    </div>
  );
}

function ThreadPane(
  props: Omit<DocPaneProps, 'label' | 'draftKey' | 'docOf' | 'attachments' | 'target'> & {
    rootId: string;
  },
) {
  useMarkRead(threadMarkerKey(props.rootId), props.messages.at(-1));
  const attachments = useAttachments(props.api, props.channelId);
  const drop = useFileDrop(attachments.add);
  return (
    // Drops anywhere on the thread's list or composer go to the thread (events bubble through
    // this box, which takes no space of its own).
    <div className={drop.over ? 'drop-area dropping' : 'drop-area'} {...drop.handlers}>
      <DocPane
        {...props}
        attachments={attachments}
        target={threadMarkerKey(props.rootId)}
        docOf={() => props.doc.open ?? undefined}
        label="Reply in thread"
        draftKey={`confab.draft:${threadMarkerKey(props.rootId)}`}
        parentId={props.rootId}
      />
    </div>
  );
}

const post = (user: User, text: string): Extract<Intent, { kind: 'post' }> => ({
  kind: 'post',
  id: newMessageId(),
  author: user.id,
  text,
  createdAt: Date.now(),
});

const filesLabel = (count: number) => (count === 1 ? '1 file' : `${count} files`);

/** Messages the server refused: never lost, shown for the user to retry, copy or drop [S5]. */
function FailedDrafts({
  failed,
  retry,
  dismiss,
}: {
  failed: Intent[];
  retry: (intent: Intent) => void;
  dismiss: (intent: Intent) => void;
}) {
  const posts = failed.filter((intent) => intent.kind === 'post');
  if (!posts.length) return null;
  return (
    <ul className="failed" aria-label="Not sent">
      {posts.map((intent) => (
        <li key={intent.id}>
          <span role="alert">
            Not sent: {intent.text}
            {intent.files?.length ? ` (with ${filesLabel(intent.files.length)})` : ''}
          </span>{' '}
          <button type="button" onClick={() => retry(intent)}>
            Retry
          </button>{' '}
          <button type="button" onClick={() => void navigator.clipboard?.writeText(intent.text)}>
            Copy
          </button>{' '}
          <button type="button" onClick={() => dismiss(intent)}>
            Discard
          </button>
        </li>
      ))}
    </ul>
  );
}

interface DocPaneProps {
  api: Api;
  channelId: string;
  /** Where pending posts with files belong: the channel's or the thread's marker key. */
  target: string;
  attachments: Attachments;
  /** The doc new messages go to (a channel's head segment, or the thread). */
  doc: SyncDoc;
  docOf: (messageId: string) => OpenDoc | undefined;
  onLoadOlder?: () => void;
  hasOlder?: boolean;
  /** Segments opened apart around a search hit: the newest message before the gap. */
  gapAfter?: string;
  onLoadNewer?: () => void;
  messages: MessageView[];
  user: User;
  names: Map<string, string>;
  people: Person[];
  statuses?: ReadonlyMap<string, ServerStatus>;
  threads?: ReadonlyMap<string, ThreadSummary>;
  label: string;
  draftKey: string;
  /** Set in a thread: every post is a reply to it. */
  parentId?: string;
  onReply?: (messageId: string) => void;
  editing: string | null;
  setEditing: (messageId: string | null) => void;
  /** A message to scroll to and highlight once it is in the list. */
  focus?: MessageFocus | null;
  /** Shown instead of the composer (I am not a member). */
  joinBar?: ReactNode;
  authorMarks?: (userId: string) => ReactNode;
}

/** A doc's messages, what it failed to send, who is typing, and its composer. */
function DocPane({
  api,
  channelId,
  target,
  attachments,
  doc,
  docOf,
  onLoadOlder,
  hasOlder,
  gapAfter,
  onLoadNewer,
  messages,
  user,
  names,
  people,
  statuses,
  threads,
  label,
  draftKey,
  parentId,
  onReply,
  editing,
  setEditing,
  focus,
  joinBar,
  authorMarks,
}: DocPaneProps) {
  const { open } = doc;
  const typing = useTyping(open, user.id);
  const pending = usePendingPosts({ api, user, channelId, target, parentId, open });
  const sent = useContext(SentContext);
  return (
    <>
      {open ? (
        <MessageList
          api={api}
          docOf={docOf}
          onLoadOlder={onLoadOlder}
          hasOlder={hasOlder}
          gapAfter={gapAfter}
          onLoadNewer={onLoadNewer}
          messages={messages}
          user={user}
          names={names}
          people={people}
          statuses={statuses}
          threads={threads}
          onReply={onReply}
          editing={editing}
          setEditing={setEditing}
          focus={focus}
          readOnly={joinBar !== undefined}
          authorMarks={authorMarks}
        />
      ) : (
        <p className="loading">Loading messages…</p>
      )}
      <PendingPostList pending={pending} />
      <FailedDrafts failed={doc.failed} retry={doc.retry} dismiss={doc.dismiss} />
      <p className="typing" aria-live="polite">
        {typingLine(typing.typists.map((id) => names.get(id) ?? 'Someone'))}
      </p>
      {joinBar ?? (
        <Composer
          label={label}
          disabled={!open}
          people={people}
          draftKey={draftKey}
          onTyping={typing.typing}
          attachments={attachments}
          onSend={(text, files) => {
            typing.stopped();
            sent();
            // Files go through the pending posts (uploaded first, kept across a reload).
            if (files.length) void pending.send(text, files);
            else void open?.perform({ ...post(user, text), parentId });
          }}
          onEditLast={() => {
            const last = messages.findLast((m) => m.author === user.id && !m.deleted);
            if (last) setEditing(last.id);
          }}
        />
      )}
    </>
  );
}
