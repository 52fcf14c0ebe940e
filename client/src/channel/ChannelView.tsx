import {
  docName,
  type Intent,
  type MessageView,
  newMessageId,
  readMessages,
} from '@confab/db/model';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Api, User } from '../api/api';
import { type SyncDoc, useSyncDoc } from '../sync/use-sync-doc';
import { MemberList } from './MemberList';
import { Composer, MessageList } from './MessageList';

interface Channel {
  id: string;
  name: string | null;
  headSegment: number;
}

/** Display names of a channel's members; loaded again when someone unknown writes. */
function useMemberNames(api: Api, channelId: string, authors: string[]) {
  const members = useQuery({
    queryKey: ['members', channelId],
    queryFn: () =>
      api.call<{ members: Array<{ userId: string; name: string }> }>(
        'GET',
        `/api/channels/${channelId}/members`,
      ),
  });
  const names = new Map(members.data?.members.map((member) => [member.userId, member.name]));
  const unknown = members.isSuccess && authors.some((author) => !names.has(author));
  const refetch = members.refetch;
  useEffect(() => {
    if (unknown) void refetch();
  }, [unknown, refetch]);
  return names;
}

/** One channel: its newest segment's messages, live, a composer, and an open thread. */
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
  const open = segment.open;
  const messages = open ? readMessages(open.doc) : [];
  const [thread, setThread] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const threadDoc = useSyncDoc(
    api,
    thread ? docName({ kind: 'thread', channelId, rootId: thread }) : null,
  );
  const replies = threadDoc.open;
  const replyMessages = replies ? readMessages(replies.doc) : [];
  const names = useMemberNames(api, channelId, [
    ...messages.map((message) => message.author),
    ...replyMessages.map((message) => message.author),
  ]);
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
          doc={segment}
          messages={messages}
          user={user}
          names={names}
          label={`Message ${title}`}
          onReply={setThread}
          editing={editing}
          setEditing={setEditing}
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
          <DocPane
            doc={threadDoc}
            messages={replyMessages}
            user={user}
            names={names}
            label="Reply in thread"
            parentId={thread}
            editing={editing}
            setEditing={setEditing}
          />
        </aside>
      )}
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

/** A doc's messages, what it failed to send, and its composer: the channel and a thread alike. */
function DocPane({
  doc,
  messages,
  user,
  names,
  label,
  parentId,
  onReply,
  editing,
  setEditing,
}: {
  doc: SyncDoc;
  messages: MessageView[];
  user: User;
  names: Map<string, string>;
  label: string;
  /** Set in a thread: every post is a reply to it. */
  parentId?: string;
  onReply?: (messageId: string) => void;
  editing: string | null;
  setEditing: (messageId: string | null) => void;
}) {
  const { open } = doc;
  return (
    <>
      {open && (
        <MessageList
          open={open}
          messages={messages}
          user={user}
          names={names}
          onReply={onReply}
          editing={editing}
          setEditing={setEditing}
        />
      )}
      <FailedDrafts failed={doc.failed} retry={doc.retry} dismiss={doc.dismiss} />
      <Composer
        label={label}
        disabled={!open}
        onSend={(text) => void open?.perform({ ...post(user, text), parentId })}
        onEditLast={() => {
          const last = messages.findLast((m) => m.author === user.id && !m.deleted);
          if (last) setEditing(last.id);
        }}
      />
    </>
  );
}
