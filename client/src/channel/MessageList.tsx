import { localStatus, type MessageView } from '@confab/db/model';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { User } from '../api/api';
import type { OpenDoc } from '../sync/open-doc';
import { useEmoji } from './emoji';
import { type Row, toRows } from './grouping';
import { renderMarkup } from './markup';
import { type Person, toEditable, toStored } from './mentions';

const QUICK_REACTIONS = ['👍', '🎉', '❤️', '😄', '👀'];
/** Rows rendered beyond the visible ones, so a fast scroll does not show blank space. */
const OVERSCAN = 12;

export type ServerStatus = 'sent' | 'delivered' | 'read';

/**
 * One doc's messages as a virtualized list (only rows near the viewport are in the DOM, so a
 * channel of thousands scrolls like one of ten): day dividers, one author's consecutive messages
 * grouped, markup rendered, reactions, edit and delete of one's own, replies, and message status
 * (sending until the server committed it; in DMs sent, delivered and read from the server).
 */
export function MessageList({
  docOf,
  messages,
  user,
  names,
  people,
  statuses,
  threads,
  onReply,
  editing,
  setEditing,
  onLoadOlder,
}: {
  /** The doc holding a message (a channel's messages span its loaded segments). */
  docOf: (messageId: string) => OpenDoc | undefined;
  messages: MessageView[];
  user: User;
  names: Map<string, string>;
  people: Person[];
  /** DMs: what the server knows of my messages' delivery. */
  statuses?: ReadonlyMap<string, ServerStatus>;
  /** Reply counts of thread roots. */
  threads?: ReadonlyMap<string, { replyCount: number }>;
  onReply?: (messageId: string) => void;
  /** The message being edited in place, if any. */
  editing: string | null;
  setEditing: (messageId: string | null) => void;
  /** Set while older messages exist that are not loaded: called near the top, or by the button. */
  onLoadOlder?: () => void;
}) {
  const emoji = useEmoji();
  const rows = toRows(messages);
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => {
      const row = rows[index];
      return row?.kind === 'day' ? 36 : row?.continued ? 30 : 60;
    },
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: OVERSCAN,
  });
  const lastKey = rows.at(-1)?.key;
  // Follow new messages while the reader is at the bottom; leave them be when scrolled up.
  useLayoutEffect(() => {
    if (lastKey && pinned.current) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [lastKey, rows.length, virtualizer]);
  // Older messages arrive above: keep what the reader was looking at where it was.
  const firstKey = rows[0]?.key;
  const shownFirst = useRef(firstKey);
  const totalBefore = useRef(0);
  const total = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && shownFirst.current && firstKey !== shownFirst.current && !pinned.current)
      element.scrollTop += total - totalBefore.current;
    shownFirst.current = firstKey;
    totalBefore.current = total;
  }, [firstKey, total]);

  // A list too short to scroll (a new head segment) or scrolled near its top: load older now.
  useEffect(() => {
    if (onLoadOlder && (scroller.current?.scrollTop ?? 0) < 300) onLoadOlder();
  });

  const context = { names, me: user.id, emoji };
  const perform = (messageId: string, intent: Parameters<OpenDoc['perform']>[0]) =>
    void docOf(messageId)?.perform(intent);
  const react = (message: MessageView, emojiChar: string) =>
    perform(message.id, {
      kind: 'reaction',
      messageId: message.id,
      userId: user.id,
      emoji: emojiChar,
      on: !(message.reactions.get(emojiChar) ?? []).includes(user.id),
    });
  const messageCount = messages.length;
  let position = 0;
  const positions = new Map(
    rows.flatMap((row) => (row.kind === 'message' ? [[row.key, ++position] as const] : [])),
  );

  function renderRow(row: Row) {
    if (row.kind === 'day')
      return (
        <div className="day">
          <span>{row.label}</span>
        </div>
      );
    const { message, continued } = row;
    const author = names.get(message.author) ?? 'Someone';
    const mine = message.author === user.id;
    const open = docOf(message.id);
    const local = mine && open ? localStatus(open.doc, open.tracker.durable, message.id) : null;
    const status = local === 'sending' ? 'sending' : mine ? statuses?.get(message.id) : undefined;
    const time = new Date(message.createdAt);
    const replyCount = threads?.get(message.id)?.replyCount ?? 0;
    return (
      <>
        {!continued && <strong className="author">{author}</strong>}{' '}
        <time dateTime={time.toISOString()} title={time.toLocaleString()}>
          {time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
        </time>{' '}
        {editing === message.id ? (
          <textarea
            aria-label="Edit message"
            defaultValue={toEditable(message.text, names)}
            // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message
            autoFocus
            onKeyDown={(event) => {
              if (event.key === 'Escape') setEditing(null);
              if (event.key !== 'Enter' || event.shiftKey) return;
              event.preventDefault();
              const text = toStored(event.currentTarget.value.trim(), people);
              if (text && text !== message.text)
                perform(message.id, { kind: 'edit', id: message.id, text, at: Date.now() });
              setEditing(null);
            }}
          />
        ) : (
          <span className="text">
            {message.deleted ? 'This message was deleted.' : renderMarkup(message.text, context)}
          </span>
        )}
        {message.editedAt !== null && !message.deleted && <span className="status"> (edited)</span>}
        {status && <span className={`status ${status}`}> · {status}</span>}
        {!message.deleted && (
          <div className="actions">
            {[...message.reactions].map(([emojiChar, users]) => (
              <button
                key={emojiChar}
                type="button"
                className="chip"
                aria-pressed={users.includes(user.id)}
                aria-label={`${emojiChar} ${users.length}`}
                title={users.map((id) => names.get(id) ?? 'Someone').join(', ')}
                onClick={() => react(message, emojiChar)}
              >
                {emojiChar} {users.length}
              </button>
            ))}
            <ReactionPicker onPick={(emojiChar) => react(message, emojiChar)} />
            {mine && (
              <>
                <button type="button" onClick={() => setEditing(message.id)}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() =>
                    perform(message.id, { kind: 'delete', id: message.id, at: Date.now() })
                  }
                >
                  Delete
                </button>
              </>
            )}
            {onReply && (
              <button type="button" className="reply" onClick={() => onReply(message.id)}>
                Reply in thread
              </button>
            )}
            {onReply && replyCount > 0 && (
              <button type="button" className="replies" onClick={() => onReply(message.id)}>
                {replyCount} {replyCount === 1 ? 'reply' : 'replies'}
              </button>
            )}
          </div>
        )}
      </>
    );
  }

  return (
    <div
      ref={scroller}
      className="messages"
      onScroll={(event) => {
        const { scrollHeight, scrollTop, clientHeight } = event.currentTarget;
        pinned.current = scrollHeight - scrollTop - clientHeight < 48;
        if (scrollTop < 300) onLoadOlder?.();
      }}
    >
      {onLoadOlder && (
        <button type="button" className="older" onClick={onLoadOlder}>
          Load older messages
        </button>
      )}
      <ol aria-label="Messages" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const author = row.kind === 'message' ? (names.get(row.message.author) ?? 'Someone') : '';
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={row.kind === 'message' && row.continued ? 'continued' : undefined}
              aria-label={row.kind === 'message' ? `Message from ${author}` : row.label}
              aria-setsize={row.kind === 'message' ? messageCount : undefined}
              aria-posinset={row.kind === 'message' ? positions.get(row.key) : undefined}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {renderRow(row)}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Quick reactions, and any emoji by name once the table is loaded. */
function ReactionPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const emoji = useEmoji();
  const [query, setQuery] = useState('');
  const found = query.trim().length >= 2 ? (emoji?.search(query.trim(), 12) ?? []) : [];
  const pick = (emojiChar: string, from: HTMLElement) => {
    onPick(emojiChar);
    setQuery('');
    from.closest('details')?.removeAttribute('open');
  };
  return (
    <details className="picker">
      <summary aria-label="Add a reaction">☺+</summary>
      {[...QUICK_REACTIONS, ...found.map((entry) => entry.emoji)].map((emojiChar) => (
        <button
          key={emojiChar}
          type="button"
          aria-label={`React with ${emojiChar}`}
          onClick={(event) => pick(emojiChar, event.currentTarget)}
        >
          {emojiChar}
        </button>
      ))}
      <input
        type="search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
    </details>
  );
}
