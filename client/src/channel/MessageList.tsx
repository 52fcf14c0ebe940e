import { localStatus, type MessageView } from '@confab/db/model';
import { useVirtualizer, type VirtualItem } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/api';
import { Attachments } from '../files/Attachments';
import { useWatch } from '../presence/presence';
import type { OpenDoc } from '../sync/open-doc';
import { Avatar } from './Avatar';
import { useEmoji } from './emoji';
import { type Row, toRows } from './grouping';
import { useLongPressMenu } from './long-press';
import { MessageText } from './MessageText';
import { type Person, toEditable, toStored } from './mentions';

const QUICK_REACTIONS = ['👍', '🎉', '❤️', '😄', '👀'];
/** Rows rendered beyond the visible ones, so a fast scroll does not show blank space. */
const OVERSCAN = 12;
/** How close to the top (px) a reader scrolling up asks for the previous page. */
const LOAD_OLDER_WITHIN = 300;
/** How long a message opened from a search stays highlighted. */
const FLASH_MS = 4_000;

export type ServerStatus = 'sent' | 'delivered' | 'read';

/**
 * One doc's messages as a virtualized list (only rows near the viewport are in the DOM, so a
 * channel of thousands scrolls like one of ten): day dividers, one author's consecutive messages
 * grouped, markup rendered, reactions, edit and delete of one's own, replies, and message status
 * (sending until the server committed it; in DMs sent, delivered and read from the server).
 */
export function MessageList({
  api,
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
  hasOlder = onLoadOlder !== undefined,
  gapAfter,
  onLoadNewer,
  focus,
  readOnly = false,
  authorMarks,
}: {
  /** For the metadata of attached files. */
  api: Api;
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
  /**
   * Set while older messages exist that are not loaded and none is on its way: called when the
   * reader scrolls up near the top, by the button, or while the list is too short to scroll;
   * one page per call.
   */
  onLoadOlder?: () => void;
  /** Older messages exist (loaded or on their way): the button stays, so rows do not shift. */
  hasOlder?: boolean;
  /**
   * Segments opened apart around a search hit: after this message come newer ones that are not
   * loaded, before the rest of the list; `onLoadNewer` (set once the last one is in) brings the
   * next segment.
   */
  gapAfter?: string;
  onLoadNewer?: () => void;
  /**
   * A message to scroll to and highlight briefly (a search hit), once it is in the list; each
   * request (`at`) once, so the reader can scroll away afterwards.
   */
  focus?: { messageId: string; at: number } | null;
  /**
   * Read without membership (a public channel opened from a search hit): reactions are shown but
   * not offered, nor replies or edits, which the server would refuse.
   */
  readOnly?: boolean;
  /** Shown after an author's name: their presence and status. */
  authorMarks?: (userId: string) => ReactNode;
}) {
  const emoji = useEmoji();
  const rows = toRows(messages);
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
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
  // The list keeps its place itself (below).
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = () => false;
  const total = virtualizer.getTotalSize();
  // The authors on screen (and just beyond it) are the ones whose presence is watched.
  useWatch(
    virtualizer.getVirtualItems().flatMap((item) => {
      const row = rows[item.index];
      return row?.kind === 'message' ? [row.message.author] : [];
    }),
  );
  // Pinned to the bottom, the list stays there whatever changes size: new messages, older ones
  // arriving above, rows measured taller or shorter than estimated.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && pinned.current && total > 0) element.scrollTop = element.scrollHeight;
  }, [total]);
  // The list's own box shrinking changes the room without changing the rows (the composer,
  // pending posts or failed drafts growing under it, a phone's keyboard): pinned, it follows.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  // Scrolled up, the message at the top of the screen stays exactly where it was whatever
  // changes above it: older messages arriving, rows measured taller or shorter than estimated.
  // The virtualizer's own correction is off: it works from an offset that lags behind a
  // programmatic scroll, and only this one knows which row the reader was looking at.
  const anchor = useRef<{ key: VirtualItem['key']; offset: number } | null>(null);
  /** Where keeping the place scrolled to: that scroll is not the reader's, the anchor stays. */
  const kept = useRef<number | null>(null);
  useLayoutEffect(() => {
    const element = scroller.current;
    const before = anchor.current;
    if (!element || !before || pinned.current || total === 0) return;
    const item = virtualizer.measurementsCache.find((entry) => entry.key === before.key);
    if (!item) return;
    const wanted = (list.current?.offsetTop ?? 0) + item.start - before.offset;
    if (Math.abs(element.scrollTop - wanted) < 1) return;
    element.scrollTop = wanted;
    kept.current = element.scrollTop;
  }, [total, virtualizer]);
  /** Notes the row at the top of the screen, to put it back there when older rows arrive. */
  const noteAnchor = (element: HTMLDivElement) => {
    const scrolled = element.scrollTop - (list.current?.offsetTop ?? 0);
    // From the measurements, not the rendered items: those may still be the previous offset's.
    // A message, never a day divider: older messages of the same day move that divider up.
    let at = virtualizer.getVirtualItemForOffset(Math.max(0, scrolled))?.index ?? rows.length;
    while (at < rows.length && rows[at]?.kind !== 'message') at++;
    const top = virtualizer.measurementsCache[at];
    anchor.current = top ? { key: top.key, offset: top.start - scrolled } : null;
  };
  // A list that cannot scroll (an empty or short head segment) gives the reader no way to ask
  // for more: bring the previous page in (offered only once the rows so far are all known).
  useEffect(() => {
    const element = scroller.current;
    const height = (list.current?.offsetTop ?? 0) + total;
    if (onLoadOlder && element && height <= element.clientHeight) onLoadOlder();
  }, [onLoadOlder, total]);
  const lastTop = useRef(0);
  const focused = useRef<number | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  useEffect(() => {
    if (!focus || focused.current === focus.at) return;
    const index = rows.findIndex(
      (row) => row.kind === 'message' && row.message.id === focus.messageId,
    );
    if (index < 0) return;
    focused.current = focus.at;
    // Off the bottom: new messages must not pull the list away from the message shown. The
    // place kept so far is forgotten too (the scroll below notes the new one), or rows measured
    // before that scroll's event would put the list back where it was.
    pinned.current = false;
    anchor.current = null;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setFlash(focus.messageId);
  }, [focus, rows, virtualizer]);
  useEffect(() => {
    if (!flash) return;
    const timer = setTimeout(() => setFlash(null), FLASH_MS);
    return () => clearTimeout(timer);
  }, [flash]);

  const context = { names, me: user.id, emoji };
  const menu = useLongPressMenu();
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
    const actions = !message.deleted && !readOnly && (
      <div className="message-actions" role="toolbar" aria-label="Message actions">
        <ReactionPicker onPick={(emojiChar) => react(message, emojiChar)} />
        {onReply && (
          <button type="button" className="reply" onClick={() => onReply(message.id)}>
            Reply in thread
          </button>
        )}
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
        {menu.open === message.id && (
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(toEditable(message.text, names));
              menu.close();
            }}
          >
            Copy text
          </button>
        )}
      </div>
    );
    const clock = (
      <time dateTime={time.toISOString()} title={time.toLocaleString()}>
        {time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
      </time>
    );
    return (
      <>
        <div className="gutter">
          {continued ? clock : <Avatar userId={message.author} name={author} />}
        </div>
        <div className="body">
          {!continued && (
            <div className="meta">
              <strong className="author">
                <bdi>{author}</bdi>
              </strong>
              {authorMarks?.(message.author)} {clock}
            </div>
          )}
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
          ) : message.deleted ? (
            <span className="text deleted">This message was deleted.</span>
          ) : (
            <MessageText text={message.text} context={context} />
          )}
          {message.editedAt !== null && !message.deleted && (
            <span className="status"> (edited)</span>
          )}
          {status && <span className={`status ${status}`}> · {status}</span>}
          {!message.deleted && message.files.length > 0 && (
            <Attachments api={api} fileIds={message.files} />
          )}
          {!message.deleted && (message.reactions.size > 0 || (onReply && replyCount > 0)) && (
            <div className="reactions">
              {[...message.reactions].map(([emojiChar, users]) => (
                <button
                  key={emojiChar}
                  type="button"
                  className="chip"
                  aria-pressed={users.includes(user.id)}
                  aria-label={`${emojiChar} ${users.length}`}
                  title={users.map((id) => names.get(id) ?? 'Someone').join(', ')}
                  disabled={readOnly}
                  onClick={() => react(message, emojiChar)}
                >
                  {emojiChar} {users.length}
                </button>
              ))}
              {onReply && replyCount > 0 && (
                <button type="button" className="replies" onClick={() => onReply(message.id)}>
                  {replyCount} {replyCount === 1 ? 'reply' : 'replies'}
                </button>
              )}
            </div>
          )}
          {message.id === gapAfter && (
            <button type="button" className="newer" disabled={!onLoadNewer} onClick={onLoadNewer}>
              Load newer messages
            </button>
          )}
        </div>
        {actions}
      </>
    );
  }

  return (
    <div
      ref={scroller}
      className="messages"
      // The list's offsetTop is then measured from the top of what scrolls.
      style={{ position: 'relative' }}
      onScroll={(event) => {
        const element = event.currentTarget;
        const { scrollHeight, scrollTop, clientHeight } = element;
        const atBottom = scrollHeight - scrollTop - clientHeight < 48;
        // Only the reader scrolling up leaves the bottom. Rows rendered taller than estimated
        // overflow the list before the virtualizer measures them, so a scroll event can see the
        // bottom far below without anyone having moved: that must not unpin the list (after a
        // reload it left the channel short of its newest message).
        if (atBottom || scrollTop < lastTop.current - 1) pinned.current = atBottom;
        const ours = kept.current !== null && Math.abs(scrollTop - kept.current) < 1;
        kept.current = null;
        if (!ours) noteAnchor(element);
        // Only the reader moving up near the top asks for a page: keeping the place after a
        // page arrived moves down, so it cannot chain into loading the whole history.
        if (scrollTop < lastTop.current && scrollTop < LOAD_OLDER_WITHIN) onLoadOlder?.();
        lastTop.current = scrollTop;
      }}
    >
      {hasOlder && (
        <button type="button" className="older" disabled={!onLoadOlder} onClick={onLoadOlder}>
          Load older messages
        </button>
      )}
      <ol
        ref={list}
        aria-label="Messages"
        style={{ height: virtualizer.getTotalSize() }}
        {...menu.handlers}
        onContextMenu={(event) => {
          // A long press on a touch screen opens the message's menu, not the browser's.
          if ((event.nativeEvent as PointerEvent).pointerType === 'touch') event.preventDefault();
        }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const author = row.kind === 'message' ? (names.get(row.message.author) ?? 'Someone') : '';
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              data-message-id={row.kind === 'message' ? row.message.id : undefined}
              className={
                [
                  row.kind === 'message' ? 'message' : '',
                  row.kind === 'message' && row.continued ? 'continued' : '',
                  row.kind === 'message' && row.message.id === flash ? 'focused' : '',
                  row.kind === 'message' && row.message.id === menu.open ? 'menu-open' : '',
                ]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
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
