import { docName, localStatus, postMessage, readMessages } from '@confab/db/model';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useState, useSyncExternalStore } from 'react';
import type { Api, User } from '../api/api';
import { type OpenDoc, openDoc } from '../sync/open-doc';

interface Channel {
  id: string;
  name: string | null;
  headSegment: number;
}

const versions = new WeakMap<OpenDoc, number>();

/** Re-renders on every change of the doc and whenever its pending state flips. */
function useDocVersion(open: OpenDoc | null): number {
  return useSyncExternalStore(
    (notify) => {
      if (!open) return () => {};
      const bump = () => {
        versions.set(open, (versions.get(open) ?? 0) + 1);
        notify();
      };
      open.doc.on('update', bump);
      const stop = open.tracker.onChange(bump);
      return () => {
        open.doc.off('update', bump);
        stop();
      };
    },
    () => (open ? (versions.get(open) ?? 0) : 0),
  );
}

/** One channel: its newest segment's messages, live, and a composer. */
export function ChannelView({ api, user, channelId }: { api: Api; user: User; channelId: string }) {
  const channel = useQuery({
    queryKey: ['channel', channelId],
    queryFn: () => api.call<{ channel: Channel }>('GET', `/api/channels/${channelId}`),
  });
  const members = useQuery({
    queryKey: ['members', channelId],
    queryFn: () =>
      api.call<{ members: Array<{ userId: string; name: string }> }>(
        'GET',
        `/api/channels/${channelId}/members`,
      ),
  });
  const head = channel.data?.channel.headSegment;
  const [open, setOpen] = useState<OpenDoc | null>(null);
  useEffect(() => {
    if (head === undefined) return;
    let current: OpenDoc | null = null;
    let live = true;
    void openDoc(api, docName({ kind: 'segment', channelId, index: head })).then((opened) => {
      if (!live) return opened.close();
      current = opened;
      setOpen(opened);
    });
    return () => {
      live = false;
      current?.close();
      setOpen(null);
    };
  }, [api, channelId, head]);
  useDocVersion(open);

  const names = new Map(members.data?.members.map((member) => [member.userId, member.name]));
  const messages = open ? readMessages(open.doc) : [];
  // Someone who joined after the member list was loaded: load it again.
  const unknownAuthor = members.isSuccess && messages.some((message) => !names.has(message.author));
  const refetchMembers = members.refetch;
  useEffect(() => {
    if (unknownAuthor) void refetchMembers();
  }, [unknownAuthor, refetchMembers]);

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    const text = event.currentTarget.value.trim();
    if (!text || !open) return;
    postMessage(open.doc, { author: user.id, text });
    event.currentTarget.value = '';
  }

  return (
    <section className="channel" aria-label={`# ${channel.data?.channel.name ?? ''}`}>
      <h2># {channel.data?.channel.name}</h2>
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => {
          const status =
            open && message.author === user.id
              ? localStatus(open.doc, open.tracker.durable, message.id)
              : null;
          return (
            <li
              key={message.id}
              aria-label={`Message from ${names.get(message.author) ?? 'someone'}`}
            >
              <strong>{names.get(message.author) ?? 'Someone'}</strong>{' '}
              <span className="text">
                {message.deleted ? 'This message was deleted.' : message.text}
              </span>
              {status === 'sending' && <span className="status"> · sending</span>}
            </li>
          );
        })}
      </ol>
      <textarea
        aria-label={`Message # ${channel.data?.channel.name ?? ''}`}
        placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
        onKeyDown={onKeyDown}
        disabled={!open}
        rows={2}
      />
    </section>
  );
}
