import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Api, ApiError } from '../api/api';
import { timeZone } from '../search/search-api';
import { Dialog } from '../ui/Dialog';
import { storeMyStatus, type UserStatus } from './status-data';
import {
  EXPIRY_CHOICES,
  type ExpiryChoice,
  expiryFor,
  isoToLocalInput,
  STATUS_PRESETS,
  untilLabel,
} from './status-time';

const errorText = (error: unknown) =>
  error instanceof ApiError ? error.message : 'Could not save your status.';

/** Sets or clears my custom status: an emoji, a text and when it clears itself. */
export function StatusDialog({
  api,
  me,
  current,
  onClose,
}: {
  api: Api;
  me: string;
  current: UserStatus | undefined;
  onClose: () => void;
}) {
  const now = current?.status;
  const [emoji, setEmoji] = useState(now?.emoji ?? '');
  const [text, setText] = useState(now?.text ?? '');
  const [expiry, setExpiry] = useState<ExpiryChoice>(now ? 'never' : '1h');
  const [date, setDate] = useState(() => isoToLocalInput(Date.now() + 2 * 60 * 60_000));
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: async () => {
      const until = expiryFor(expiry, date);
      if (until === undefined) throw new Error('Choose a date and time.');
      return api.request('PUT /api/me/status', {
        body: {
          emoji: emoji.trim() || null,
          text: text.trim() || null,
          expiry: until,
          timeZone: timeZone(),
        },
      });
    },
    onSuccess: (status) => {
      storeMyStatus(client, me, status);
      onClose();
    },
  });
  const clear = useMutation({
    mutationFn: () => api.request('DELETE /api/me/status'),
    onSuccess: (status) => {
      storeMyStatus(client, me, status);
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const empty = !emoji.trim() && !text.trim();
  const error = save.error ?? clear.error;
  return (
    <Dialog label="Set a status" onClose={onClose}>
      <form onSubmit={submit} className="status-form">
        <div className="status-fields">
          <label className="status-emoji-field">
            Emoji
            <input
              value={emoji}
              maxLength={16}
              onChange={(event) => setEmoji(event.target.value)}
              placeholder="💬"
            />
          </label>
          <label>
            What's your status?
            <input
              value={text}
              maxLength={100}
              onChange={(event) => setText(event.target.value)}
              placeholder="In a meeting"
            />
          </label>
        </div>
        {now?.expiresAt && (
          <p className="muted">Your current status clears {untilLabel(now.expiresAt)}.</p>
        )}
        <fieldset className="status-presets">
          <legend>Suggestions</legend>
          {STATUS_PRESETS.map((preset) => (
            <button
              key={preset.text}
              type="button"
              onClick={() => {
                setEmoji(preset.emoji);
                setText(preset.text);
                setExpiry(preset.expiry);
              }}
            >
              <span aria-hidden="true">{preset.emoji}</span> {preset.text}
            </button>
          ))}
        </fieldset>
        <label>
          Clear after
          <select
            value={expiry}
            onChange={(event) => setExpiry(event.target.value as ExpiryChoice)}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        {expiry === 'date' && (
          <label>
            Clear at
            <input
              type="datetime-local"
              value={date}
              min={isoToLocalInput(Date.now())}
              onChange={(event) => setDate(event.target.value)}
              required
            />
          </label>
        )}
        {error && <p role="alert">{errorText(error)}</p>}
        <div className="dialog-actions">
          {now && (
            <button type="button" disabled={clear.isPending} onClick={() => clear.mutate()}>
              Clear status
            </button>
          )}
          <button type="submit" className="primary" disabled={empty || save.isPending}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
