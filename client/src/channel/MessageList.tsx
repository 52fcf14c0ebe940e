import { localStatus, type MessageView, toggleReaction } from '@confab/db/model';
import type { KeyboardEvent } from 'react';
import type { User } from '../api/api';
import type { OpenDoc } from '../sync/open-doc';

const QUICK_REACTIONS = ['👍', '🎉', '❤️', '😄', '👀'];

/** Messages of one doc, with reactions (chips and a small picker) and, optionally, replies. */
export function MessageList({
  open,
  messages,
  user,
  names,
  onReply,
  editing,
  setEditing,
}: {
  open: OpenDoc;
  messages: MessageView[];
  user: User;
  names: Map<string, string>;
  onReply?: (messageId: string) => void;
  /** The message being edited in place, if any. */
  editing: string | null;
  setEditing: (messageId: string | null) => void;
}) {
  const react = (messageId: string, emoji: string) =>
    toggleReaction(open.doc, { messageId, userId: user.id, emoji });
  return (
    <ol className="messages" aria-label="Messages">
      {messages.map((message) => {
        const author = names.get(message.author) ?? 'Someone';
        const status =
          message.author === user.id
            ? localStatus(open.doc, open.tracker.durable, message.id)
            : null;
        return (
          <li key={message.id} aria-label={`Message from ${author}`}>
            <strong>{author}</strong>{' '}
            {editing === message.id ? (
              <textarea
                aria-label="Edit message"
                defaultValue={message.text}
                // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message
                autoFocus
                onKeyDown={(event) => {
                  if (event.key === 'Escape') setEditing(null);
                  if (event.key !== 'Enter' || event.shiftKey) return;
                  event.preventDefault();
                  const text = event.currentTarget.value.trim();
                  if (text && text !== message.text)
                    void open.perform({ kind: 'edit', id: message.id, text, at: Date.now() });
                  setEditing(null);
                }}
              />
            ) : (
              <span className="text">
                {message.deleted ? 'This message was deleted.' : message.text}
              </span>
            )}
            {message.editedAt !== null && !message.deleted && (
              <span className="status"> (edited)</span>
            )}
            {status === 'sending' && <span className="status"> · sending</span>}
            {!message.deleted && (
              <div className="actions">
                {[...message.reactions].map(([emoji, users]) => (
                  <button
                    key={emoji}
                    type="button"
                    className="chip"
                    aria-pressed={users.includes(user.id)}
                    aria-label={`${emoji} ${users.length}`}
                    onClick={() => react(message.id, emoji)}
                  >
                    {emoji} {users.length}
                  </button>
                ))}
                <details className="picker">
                  <summary aria-label="Add a reaction">☺+</summary>
                  {QUICK_REACTIONS.map((emoji) => (
                    <button
                      key={emoji}
                      type="button"
                      aria-label={`React with ${emoji}`}
                      onClick={(event) => {
                        react(message.id, emoji);
                        event.currentTarget.closest('details')?.removeAttribute('open');
                      }}
                    >
                      {emoji}
                    </button>
                  ))}
                </details>
                {message.author === user.id && (
                  <>
                    <button type="button" onClick={() => setEditing(message.id)}>
                      Edit
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void open.perform({ kind: 'delete', id: message.id, at: Date.now() })
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
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** A composer: Enter sends, Shift+Enter starts a new line. */
export function Composer({
  label,
  disabled,
  onSend,
  onEditLast,
}: {
  label: string;
  disabled: boolean;
  onSend: (text: string) => void;
  /** Up in an empty composer edits one's last message, as in Slack. */
  onEditLast?: () => void;
}) {
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'ArrowUp' && !event.currentTarget.value && onEditLast) {
      event.preventDefault();
      onEditLast();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    const text = event.currentTarget.value.trim();
    if (!text) return;
    onSend(text);
    event.currentTarget.value = '';
  }
  return (
    <textarea
      aria-label={label}
      placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
      onKeyDown={onKeyDown}
      disabled={disabled}
      rows={2}
    />
  );
}
