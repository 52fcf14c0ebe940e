import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { AttachmentChips } from '../files/AttachmentChips';
import type { PendingFile } from '../files/pending-posts';
import type { Attachments } from '../files/use-attachments';
import { useEmoji } from './emoji';
import { type Person, tokenBeforeCaret, toStored } from './mentions';

interface Suggestion {
  key: string;
  label: string;
  insert: string;
}

const BROADCASTS: Suggestion[] = [
  { key: 'here', label: '@here (everyone online)', insert: '@here' },
  { key: 'channel', label: '@channel (everyone in the channel)', insert: '@channel' },
];

/**
 * The composer: Enter sends, Shift+Enter starts a new line, `@` suggests the channel's people
 * and `:` emoji (arrows choose, Enter or Tab takes, Esc closes). What is typed but not sent is
 * kept in localStorage under `draftKey`, so a reload or a closed tab loses nothing. Files come
 * from the attach button, a paste, or a drop on the channel (handled by its owner); they upload
 * at once, and a message may be files alone.
 */
export function Composer({
  label,
  disabled,
  people,
  draftKey,
  onSend,
  onEditLast,
  onTyping,
  attachments,
}: {
  label: string;
  disabled: boolean;
  people: Person[];
  draftKey: string;
  /** The text in its stored form (mentions as `<@id>`), and the attached files (maybe none). */
  onSend: (text: string, files: PendingFile[]) => void;
  /** Up in an empty composer edits one's last message, as in Slack. */
  onEditLast?: () => void;
  onTyping?: () => void;
  attachments: Attachments;
}) {
  const [value, setValue] = useState(() => localStorage.getItem(draftKey) ?? '');
  const [caret, setCaret] = useState(0);
  const [chosen, setChosen] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const emoji = useEmoji();
  const field = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (value) localStorage.setItem(draftKey, value);
    else localStorage.removeItem(draftKey);
  }, [draftKey, value]);

  const token = tokenBeforeCaret(value, caret);
  let suggestions: Suggestion[] = [];
  if (token && token.start !== dismissed) {
    const query = token.query.toLowerCase();
    suggestions =
      token.kind === '@'
        ? [
            ...people
              .filter((person) => person.name.toLowerCase().startsWith(query))
              .map((person) => ({ key: person.id, label: person.name, insert: `@${person.name}` })),
            ...BROADCASTS.filter((broadcast) => broadcast.key.startsWith(query)),
          ].slice(0, 8)
        : (emoji?.search(token.query) ?? []).map((entry) => ({
            key: entry.emoji,
            label: `${entry.emoji} :${entry.names[0]}:`,
            insert: entry.emoji,
          }));
  }
  const active = Math.min(chosen, suggestions.length - 1);

  function take(suggestion: Suggestion) {
    if (!token) return;
    const before = `${value.slice(0, token.start)}${suggestion.insert} `;
    setValue(before + value.slice(caret));
    setCaret(before.length);
    requestAnimationFrame(() => field.current?.setSelectionRange(before.length, before.length));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.length) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setChosen((active + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const suggestion = suggestions[active];
        if (suggestion) take(suggestion);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setDismissed(token?.start ?? null);
        return;
      }
    }
    if (event.key === 'ArrowUp' && !value && onEditLast) {
      event.preventDefault();
      onEditLast();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    send();
  }

  function send() {
    const text = value.trim();
    const files = attachments.list;
    // A refused file blocks the message until removed, so that nothing goes out without it
    // unnoticed; its chip says why.
    if ((!text && !files.length) || files.some((file) => file.state === 'refused')) return;
    onSend(toStored(text, people), files.length ? attachments.take() : []);
    setValue('');
    setCaret(0);
  }

  const listId = `${draftKey}-suggestions`;
  return (
    <div className="composer">
      {suggestions.length > 0 && (
        <div id={listId} role="listbox" aria-label="Suggestions" className="suggestions">
          {suggestions.map((suggestion, index) => (
            <div
              key={suggestion.key}
              id={`${listId}-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              onMouseDown={(event) => {
                // Keep the focus in the composer.
                event.preventDefault();
                take(suggestion);
              }}
            >
              {suggestion.label}
            </div>
          ))}
        </div>
      )}
      <AttachmentChips attachments={attachments} />
      <div className="composer-row">
        <textarea
          ref={field}
          aria-label={label}
          aria-autocomplete="list"
          aria-controls={suggestions.length ? listId : undefined}
          aria-activedescendant={suggestions.length ? `${listId}-${active}` : undefined}
          placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
          value={value}
          onChange={(event) => {
            setValue(event.target.value);
            setCaret(event.target.selectionStart);
            setChosen(0);
            if (event.target.value) onTyping?.();
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={(event) => {
            const files = [...event.clipboardData.files];
            if (!files.length) return;
            event.preventDefault();
            attachments.add(files);
          }}
          disabled={disabled}
          rows={2}
        />
        <button
          type="button"
          className="attach"
          aria-label="Attach files"
          title="Attach files"
          disabled={disabled}
          onClick={() => picker.current?.click()}
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
            />
          </svg>
        </button>
        <button
          type="button"
          className="send"
          aria-label="Send"
          title="Send"
          disabled={disabled}
          // Keeps the on-screen keyboard up: the focus stays in the text.
          onMouseDown={(event) => event.preventDefault()}
          onClick={send}
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d="M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z" fill="currentColor" />
          </svg>
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Choose files to attach"
          onChange={(event) => {
            attachments.add(event.currentTarget.files ?? []);
            // The same file can be chosen again after it was removed.
            event.currentTarget.value = '';
          }}
        />
      </div>
    </div>
  );
}
