import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/api';
import { complete, completionAt } from './operators';
import { clearRecentSearches, recentSearches } from './recent';
import { useOnline, useSuggestions } from './search-api';

/** One line of the box's list: a recent search, an operator, or a channel or person. */
interface Option {
  key: string;
  label: string;
  hint: string;
  /** Completes the word being typed; a recent search replaces everything and runs. */
  insert: string;
  recent: boolean;
}

/** Whether a key press happened while the user types somewhere (then `/` is just a slash). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/**
 * The header's search box, an ARIA combobox: Ctrl/Cmd+F or `/` focuses it, Enter searches, Esc
 * closes the list and then the search. While the box is empty it lists recent searches; while
 * one types, the operators, and after `in:#`, `in:@` or `from:@` the channels or people the
 * server suggests (arrows move, Enter or Tab completes).
 */
export function SearchBox({
  api,
  user,
  workspaceId,
  onSearch,
  onClose,
  recentVersion,
}: {
  api: Api;
  user: User;
  workspaceId: string;
  onSearch: (q: string) => void;
  onClose: () => void;
  /** Changes when a search was remembered, so the recent list is read again. */
  recentVersion: number;
}) {
  const field = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const [active, setActive] = useState(-1);
  const [recent, setRecent] = useState<string[]>([]);
  const online = useOnline();

  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      const find = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f';
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey;
      if (!find && !(slash && !typingIn(event.target))) return;
      event.preventDefault();
      field.current?.focus();
      field.current?.select();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: recentVersion says the list changed
  useEffect(() => setRecent(recentSearches(user.id)), [user.id, recentVersion, focused]);

  const completion = value ? completionAt(value, caret) : null;
  const wanted =
    completion && completion.kind !== 'operator'
      ? { kind: completion.kind, prefix: completion.prefix }
      : null;
  const suggestions = useSuggestions(api, workspaceId, wanted, online);
  let options: Option[] = [];
  if (!value)
    options = recent.map((text) => ({
      key: `recent:${text}`,
      label: text,
      hint: 'recent',
      insert: text,
      recent: true,
    }));
  else if (completion?.kind === 'operator')
    options = completion.options.map((option) => ({
      key: option.insert,
      label: option.insert,
      hint: option.hint,
      insert: option.insert,
      recent: false,
    }));
  else if (completion)
    options = suggestions.map((suggestion) => ({
      key: suggestion.id,
      label: suggestion.label,
      // A channel's label is its value (`#general`); a person's is their name, beside `@ada`.
      hint: suggestion.label === suggestion.value ? '' : suggestion.value,
      insert: `${completion.operator}:${suggestion.value}`,
      recent: false,
    }));
  const shown = focused && !dismissed && options.length > 0;
  // Names are what one is after once `in:#` is typed: the first is taken unless one moves.
  const current = shown
    ? active >= 0
      ? active
      : completion && completion.kind !== 'operator'
        ? 0
        : -1
    : -1;

  const edit = (text: string, at: number) => {
    setValue(text);
    setCaret(at);
    setActive(-1);
    setDismissed(false);
  };
  const submit = (q: string) => {
    const text = q.trim();
    if (!text) return;
    setDismissed(true);
    onSearch(text);
  };
  const take = (option: Option) => {
    if (option.recent) {
      edit(option.insert, option.insert.length);
      submit(option.insert);
      return;
    }
    const start = completion?.start ?? caret;
    const next = complete(value, start, caret, option.insert);
    edit(next.text, next.caret);
    requestAnimationFrame(() => field.current?.setSelectionRange(next.caret, next.caret));
  };

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const chosen = options[current];
    if (shown && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const next = current + step;
      setActive(next >= options.length ? 0 : next < 0 ? options.length - 1 : next);
      return;
    }
    if (event.key === 'Tab' && shown && !event.shiftKey) {
      event.preventDefault();
      take(chosen ?? (options[0] as Option));
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      if (shown && chosen) take(chosen);
      else submit(value);
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      if (shown) setDismissed(true);
      else {
        onClose();
        field.current?.blur();
      }
    }
  }

  const listId = 'search-options';
  return (
    <div className="search-box">
      <input
        ref={field}
        type="search"
        role="combobox"
        aria-label="Search"
        aria-expanded={shown}
        aria-controls={shown ? listId : undefined}
        aria-autocomplete="list"
        aria-activedescendant={shown && current >= 0 ? `${listId}-${current}` : undefined}
        placeholder="Search (Ctrl+F or /)"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => edit(event.target.value, event.target.selectionStart ?? 0)}
        onSelect={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
        onKeyDown={onKeyDown}
        onFocus={() => {
          setFocused(true);
          setDismissed(false);
        }}
        onBlur={() => setFocused(false)}
      />
      {focused && !online && <p className="search-popup muted">Search needs a connection.</p>}
      {shown && (
        <div className="search-popup">
          <div id={listId} role="listbox" aria-label="Search suggestions">
            {options.map((option, index) => (
              <div
                key={option.key}
                id={`${listId}-${index}`}
                role="option"
                tabIndex={-1}
                aria-selected={index === current}
                onMouseDown={(event) => {
                  // Keep the focus in the box.
                  event.preventDefault();
                  take(option);
                }}
              >
                <span>{option.label}</span> <span className="muted">{option.hint}</span>
              </div>
            ))}
          </div>
          {!value && (
            <button
              type="button"
              className="clear-recent"
              onMouseDown={(event) => {
                event.preventDefault();
                clearRecentSearches(user.id);
                setRecent([]);
              }}
            >
              Clear recent searches
            </button>
          )}
        </div>
      )}
    </div>
  );
}
