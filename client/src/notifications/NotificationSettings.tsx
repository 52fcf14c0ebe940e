import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useContext, useState } from 'react';
import type { Api } from '../api/api';
import { IDLE_CHOICES, readIdleMs, saveIdleMs } from '../presence/idle-setting';
import { PresenceContext } from '../presence/presence';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { notifyPermission } from './web-notify';

/** The server's limits on keywords (api's notification settings). */
const MAX_KEYWORDS = 25;
const KEYWORD_MIN = 2;
const KEYWORD_MAX = 40;

/** Why a typed keyword cannot be added, or null when it can. */
export function keywordProblem(keyword: string, keywords: readonly string[]): string | null {
  const trimmed = keyword.trim();
  if (trimmed.length < KEYWORD_MIN) return `A keyword has at least ${KEYWORD_MIN} characters.`;
  if (trimmed.length > KEYWORD_MAX) return `A keyword has at most ${KEYWORD_MAX} characters.`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) return 'A keyword is one line of text.';
  if (keywords.some((known) => known.toLocaleLowerCase() === trimmed.toLocaleLowerCase()))
    return 'That keyword is in the list already.';
  if (keywords.length >= MAX_KEYWORDS) return `At most ${MAX_KEYWORDS} keywords.`;
  return null;
}

const PERMISSION_TEXT = {
  granted: 'On: Confab shows a desktop notification while its tab is in the background.',
  denied: 'Blocked in this browser: allow notifications for this site in its settings.',
  default: 'Off in this browser.',
  unsupported: 'This browser cannot show desktop notifications.',
} as const;

/**
 * My notification settings: keywords, the email of unread mentions, desktop notifications, and
 * (this device) how long without input before I show as away.
 */
export function NotificationSettings({ api, onClose }: { api: Api; onClose: () => void }) {
  const settings = useQuery({
    queryKey: ['notification-settings'],
    queryFn: () => api.request('GET /api/me/notification-settings'),
  });
  return (
    <Dialog label="Notification settings" onClose={onClose}>
      {settings.data ? (
        <SettingsForm api={api} initial={settings.data} onClose={onClose} />
      ) : settings.isError ? (
        <p role="alert">Your settings could not be loaded.</p>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </Dialog>
  );
}

function SettingsForm({
  api,
  initial,
  onClose,
}: {
  api: Api;
  initial: { keywords: string[]; emailMentions: boolean };
  onClose: () => void;
}) {
  const [keywords, setKeywords] = useState(initial.keywords);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [email, setEmail] = useState(initial.emailMentions);
  const [permission, setPermission] = useState(notifyPermission);
  const [idleMinutes, setIdleMinutes] = useState(() => readIdleMs() / 60_000);
  const presence = useContext(PresenceContext);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () =>
      api.request('PUT /api/me/notification-settings', {
        body: { keywords, emailMentions: email },
      }),
    onSuccess: (answer) => {
      client.setQueryData(['notification-settings'], answer);
      onClose();
    },
  });
  const add = () => {
    const found = keywordProblem(typed, keywords);
    setProblem(found);
    if (found) return;
    setKeywords([...keywords, typed.trim()]);
    setTyped('');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // This device's own setting: kept even if the server's part fails (offline).
    saveIdleMs(idleMinutes * 60_000);
    presence.setIdleMs(idleMinutes * 60_000);
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="notify-settings">
      <fieldset>
        <legend>Keywords</legend>
        <p className="muted">A message with one of these words notifies you, as a mention does.</p>
        {keywords.length > 0 && (
          <ul className="keywords" aria-label="Keywords">
            {keywords.map((keyword) => (
              <li key={keyword}>
                {keyword}
                <button
                  type="button"
                  aria-label={`Remove ${keyword}`}
                  onClick={() => setKeywords(keywords.filter((known) => known !== keyword))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="keyword-add">
          <input
            aria-label="New keyword"
            value={typed}
            maxLength={KEYWORD_MAX + 20}
            onChange={(event) => setTyped(event.target.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return;
              event.preventDefault();
              add();
            }}
          />
          <button type="button" onClick={add}>
            Add
          </button>
        </div>
        {problem && <p role="alert">{problem}</p>}
      </fieldset>
      <label className="inline">
        <input
          type="checkbox"
          checked={email}
          onChange={(event) => setEmail(event.target.checked)}
        />
        Email me unread mentions and direct messages when I have been offline for 15 minutes
      </label>
      <fieldset>
        <legend>Desktop notifications</legend>
        <p>{PERMISSION_TEXT[permission]}</p>
        {permission === 'default' && (
          <button
            type="button"
            onClick={() => void Notification.requestPermission().then(setPermission)}
          >
            Turn on desktop notifications
          </button>
        )}
      </fieldset>
      <label>
        On this device, show me as away after
        <select
          value={idleMinutes}
          onChange={(event) => setIdleMinutes(Number(event.target.value))}
        >
          {IDLE_CHOICES.map((minutes) => (
            <option key={minutes} value={minutes}>
              {minutes} minutes without activity
            </option>
          ))}
        </select>
      </label>
      <ErrorAlert error={save.error} fallback="Could not save your settings." />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}
