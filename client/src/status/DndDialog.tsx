import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Api, RequestArgs } from '../api/api';
import { timeZone } from '../search/search-api';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { storeMyStatus, type UserStatus } from './status-data';
import { DND_CHOICES, isoToLocalInput, localInputToIso, untilLabel } from './status-time';

type DndBody = RequestArgs<'PUT /api/me/dnd'>['body'];

/**
 * Do-not-disturb: pause notifications until a time (a few quick choices or a date), or every
 * day on a schedule, or resume them. The server keeps it and ends it on time.
 */
export function DndDialog({
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
  const dnd = current?.dnd;
  const client = useQueryClient();
  const done = (status: UserStatus) => {
    storeMyStatus(client, me, status);
    onClose();
  };
  const pause = useMutation({
    mutationFn: (body: DndBody) => api.request('PUT /api/me/dnd', { body }),
    onSuccess: done,
  });
  const resume = useMutation({
    mutationFn: () => api.request('DELETE /api/me/dnd'),
    onSuccess: done,
  });
  const [custom, setCustom] = useState(() => isoToLocalInput(Date.now() + 3 * 60 * 60_000));
  const [start, setStart] = useState(dnd?.schedule?.start ?? '18:00');
  const [end, setEnd] = useState(dnd?.schedule?.end ?? '09:00');
  const until = (ms: number) => pause.mutate({ until: new Date(ms).toISOString() });
  const pauseUntilCustom = (event: FormEvent) => {
    event.preventDefault();
    const iso = localInputToIso(custom);
    if (iso) pause.mutate({ until: iso });
  };
  const saveSchedule = (event: FormEvent) => {
    event.preventDefault();
    pause.mutate({ schedule: { start, end, timeZone: timeZone() } });
  };
  const error = pause.error ?? resume.error;
  return (
    <Dialog label="Pause notifications" onClose={onClose}>
      <p className="dnd-state" aria-live="polite">
        {dnd?.now
          ? `Notifications are paused${dnd.until ? ` ${untilLabel(dnd.until)}` : ' (schedule)'}.`
          : 'Notifications are on.'}
        {dnd?.schedule && ` Every day from ${dnd.schedule.start} to ${dnd.schedule.end}.`}
      </p>
      <fieldset className="dnd-choices">
        <legend>Pause for</legend>
        {DND_CHOICES.map((choice) => (
          <button
            key={choice.label}
            type="button"
            disabled={pause.isPending}
            onClick={() => until(choice.end(Date.now()))}
          >
            {choice.label}
          </button>
        ))}
      </fieldset>
      <form className="inline-form" onSubmit={pauseUntilCustom} aria-label="Pause until a time">
        <label>
          Until
          <input
            type="datetime-local"
            value={custom}
            min={isoToLocalInput(Date.now())}
            onChange={(event) => setCustom(event.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={pause.isPending}>
          Pause
        </button>
      </form>
      <form className="inline-form" onSubmit={saveSchedule} aria-label="Daily schedule">
        <label>
          Every day from
          <input type="time" value={start} onChange={(event) => setStart(event.target.value)} />
        </label>
        <label>
          to
          <input type="time" value={end} onChange={(event) => setEnd(event.target.value)} />
        </label>
        <button type="submit" disabled={pause.isPending}>
          Save schedule
        </button>
      </form>
      <ErrorAlert error={error} fallback="Could not change do-not-disturb." />
      {(dnd?.until || dnd?.schedule) && (
        <div className="dialog-actions">
          <button type="button" disabled={resume.isPending} onClick={() => resume.mutate()}>
            Resume notifications{dnd.schedule ? ' and remove the schedule' : ''}
          </button>
        </div>
      )}
    </Dialog>
  );
}
