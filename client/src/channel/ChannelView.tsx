import {
  channelMarkerKey,
  docName,
  type Intent,
  type MessageView,
  markRead,
  newMessageId,
  readMessages,
  threadMarkerKey,
} from '@confab/db/model';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Api, User } from '../api/api';
import { type SyncDoc, useSyncDoc } from '../sync/use-sync-doc';
import { useUserDoc } from '../sync/user-doc';
import { Composer } from './Composer';
import { MemberList } from './MemberList';
import { MessageList, type ServerStatus } from './MessageList';
import type { Person } from './mentions';
import { typingLine, useTyping } from './typing';

interface Channel {
  id: string;
  name: string | null;
  kind: 'public' | 'private' | 'dm' | 'group_dm';
  headSegment: number;
}

/** The channel's members (names for authors and mentions); reloaded when someone unknown writes. */
function useChannelPeople(api: Api, channelId: string, authors: string[]) {
  const members = useQuery({
    queryKey: ['members', channelId],
    queryFn: () =>
      api.call<{ members: Array<{ userId: string; name: string }> }>(
        'GET',
        `/api/channels/${channelId}/members`,
      ),
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

/** In DMs, my messages' delivery as the server knows it, checked again as the doc changes. */
function useDeliveryStatus(api: Api, channelId: string, enabled: boolean, lastId?: string) {
  const history = useQuery({
    queryKey: ['delivery', channelId, lastId],
    queryFn: () =>
      api.call<{ messages: Array<{ id: string; status?: ServerStatus }> }>(
        'GET',
        `/api/channels/${channelId}/messages?limit=50`,
      ),
    enabled,
    refetchInterval: 10_000,
    placeholderData: (previous) => previous,
  });
  return new Map(
    (history.data?.messages ?? []).flatMap((message) =>
      message.status ? [[message.id, message.status] as const] : [],
    ),
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

/** One channel: its newest segment's messages, live, a composer, a thread and the member list. */
export function ChannelView({
  api,
  user,
  channelId,
  title,
  workspaceId,
}: {
  api: Api;
  user: User;
  channelId: string;
  /** `# name`, or the other people's names in a DM. */
  title: string;
  workspaceId: string;
}) {
  const channel = useQuery({
    queryKey: ['channel', channelId],
    queryFn: () => api.call<{ channel: Channel }>('GET', `/api/channels/${channelId}`),
  });
  const head = channel.data?.channel.headSegment;
  const segment = useSyncDoc(
    api,
    head === undefined ? null : docName({ kind: 'segment', channelId, index: head }),
  );
  const messages = segment.open ? readMessages(segment.open.doc) : [];
  const [thread, setThread] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const threadDoc = useSyncDoc(
    api,
    thread ? docName({ kind: 'thread', channelId, rootId: thread }) : null,
  );
  const replyMessages = threadDoc.open ? readMessages(threadDoc.open.doc) : [];
  const { names, people } = useChannelPeople(api, channelId, [
    ...messages.map((message) => message.author),
    ...replyMessages.map((message) => message.author),
  ]);
  const kind = channel.data?.channel.kind;
  const statuses = useDeliveryStatus(
    api,
    channelId,
    kind === 'dm' || kind === 'group_dm',
    messages.at(-1)?.id,
  );
  useMarkRead(channelMarkerKey(channelId), messages.at(-1));
  useEffect(() => {
    if (!thread) return;
    const closeOnEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') setThread(null);
    };
    document.addEventListener('keydown', closeOnEscape);
    return () => document.removeEventListener('keydown', closeOnEscape);
  }, [thread]);
  const [membersOpen, setMembersOpen] = useState(false);
  const root = messages.find((message) => message.id === thread);
  const shared = { user, names, people, editing, setEditing };

  return (
    <div className="channel-and-thread">
      <section className="channel" aria-label={title}>
        <header>
          <h2>{title}</h2>
          <button
            type="button"
            aria-expanded={membersOpen}
            onClick={() => setMembersOpen(!membersOpen)}
          >
            Members
          </button>
        </header>
        <DocPane
          {...shared}
          doc={segment}
          messages={messages}
          statuses={statuses}
          label={`Message ${title}`}
          draftKey={`confab.draft:${channelMarkerKey(channelId)}`}
          onReply={setThread}
        />
      </section>
      {membersOpen && (
        <MemberList
          api={api}
          user={user}
          channelId={channelId}
          workspaceId={workspaceId}
          onClose={() => setMembersOpen(false)}
        />
      )}
      {thread && (
        <aside className="thread" aria-label="Thread">
          <header>
            <h3>Thread</h3>
            <button type="button" onClick={() => setThread(null)} aria-label="Close the thread">
              ×
            </button>
          </header>
          {root && (
            <p className="root">
              <strong>{names.get(root.author) ?? 'Someone'}</strong> {root.text}
            </p>
          )}
          <ThreadPane {...shared} doc={threadDoc} messages={replyMessages} rootId={thread} />
        </aside>
      )}
    </div>
  );
}

function ThreadPane(props: Omit<DocPaneProps, 'label' | 'draftKey'> & { rootId: string }) {
  useMarkRead(threadMarkerKey(props.rootId), props.messages.at(-1));
  return (
    <DocPane
      {...props}
      label="Reply in thread"
      draftKey={`confab.draft:${threadMarkerKey(props.rootId)}`}
      parentId={props.rootId}
    />
  );
}

const post = (user: User, text: string): Extract<Intent, { kind: 'post' }> => ({
  kind: 'post',
  id: newMessageId(),
  author: user.id,
  text,
  createdAt: Date.now(),
});

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
          <span role="alert">Not sent: {intent.text}</span>{' '}
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
  doc: SyncDoc;
  messages: MessageView[];
  user: User;
  names: Map<string, string>;
  people: Person[];
  statuses?: ReadonlyMap<string, ServerStatus>;
  label: string;
  draftKey: string;
  /** Set in a thread: every post is a reply to it. */
  parentId?: string;
  onReply?: (messageId: string) => void;
  editing: string | null;
  setEditing: (messageId: string | null) => void;
}

/** A doc's messages, what it failed to send, who is typing, and its composer. */
function DocPane({
  doc,
  messages,
  user,
  names,
  people,
  statuses,
  label,
  draftKey,
  parentId,
  onReply,
  editing,
  setEditing,
}: DocPaneProps) {
  const { open } = doc;
  const typing = useTyping(open, user.id);
  return (
    <>
      {open ? (
        <MessageList
          open={open}
          messages={messages}
          user={user}
          names={names}
          people={people}
          statuses={statuses}
          onReply={onReply}
          editing={editing}
          setEditing={setEditing}
        />
      ) : (
        <p className="loading">Loading messages…</p>
      )}
      <FailedDrafts failed={doc.failed} retry={doc.retry} dismiss={doc.dismiss} />
      <p className="typing" aria-live="polite">
        {typingLine(typing.typists.map((id) => names.get(id) ?? 'Someone'))}
      </p>
      <Composer
        label={label}
        disabled={!open}
        people={people}
        draftKey={draftKey}
        onTyping={typing.typing}
        onSend={(text) => {
          typing.stopped();
          void open?.perform({ ...post(user, text), parentId });
        }}
        onEditLast={() => {
          const last = messages.findLast((m) => m.author === user.id && !m.deleted);
          if (last) setEditing(last.id);
        }}
      />
    </>
  );
}
