import type { Api } from '../api/api';
import { usePresence } from '../presence/presence';
import type { Presence } from '../presence/presence-store';
import { type UserStatus, useUserStatus } from './status-data';

const PRESENCE_LABEL: Record<Presence, string> = {
  active: 'Active',
  away: 'Away',
  offline: 'Offline',
};

/**
 * Words describing a person's presence and status, for the accessible name of a control that
 * shows their marks ("Active", "📅 In a meeting", "do not disturb").
 */
export function usePersonDescription(
  api: Api,
  me: string,
  workspaceId: string,
  userId: string | undefined,
): string[] {
  const presence = usePresence(userId);
  const status = useUserStatus(api, me, workspaceId, userId).data;
  const custom = status?.status;
  return [
    presence && PRESENCE_LABEL[presence],
    custom && [custom.emoji, custom.text].filter(Boolean).join(' '),
    status?.dnd.now && 'do not disturb',
  ].filter((word): word is string => Boolean(word));
}

/** A presence dot: active filled green, away hollow, offline grey; named for screen readers. */
export function PresenceDot({ userId }: { userId: string }) {
  const presence = usePresence(userId);
  if (!presence) return null;
  const label = PRESENCE_LABEL[presence];
  return (
    <span className={`presence-dot ${presence}`} role="img" aria-label={label} title={label} />
  );
}

/** The status emoji (its text as the tooltip and accessible name) and a DND mark. */
export function StatusMarks({ status }: { status: UserStatus | null | undefined }) {
  if (!status) return null;
  const custom = status.status;
  const description = [custom?.emoji, custom?.text].filter(Boolean).join(' ');
  return (
    <>
      {custom && (
        <span className="status-emoji" role="img" aria-label={description} title={description}>
          {custom.emoji || '💬'}
        </span>
      )}
      {status.dnd.now && (
        <span
          className="dnd-mark"
          role="img"
          aria-label="Do not disturb"
          title="Do not disturb: notifications paused"
        >
          <svg viewBox="0 0 16 16" width="0.8em" height="0.8em" aria-hidden="true">
            <path d="M6.5 1a7 7 0 1 0 8.5 8.5A6 6 0 0 1 6.5 1z" fill="currentColor" />
          </svg>
        </span>
      )}
    </>
  );
}

/**
 * What shows next to a person's name: their presence, status emoji and do-not-disturb. Each
 * name on screen asks for its status (batched) and is watched by its list (`useWatch`).
 */
export function PersonMarks({
  api,
  me,
  workspaceId,
  userId,
  dot = true,
}: {
  api: Api;
  me: string;
  workspaceId: string;
  userId: string;
  /** Message authors show no dot in continued rows: the caller decides. */
  dot?: boolean;
}) {
  const status = useUserStatus(api, me, workspaceId, userId);
  return (
    <span className="person-marks">
      {dot && <PresenceDot userId={userId} />}
      <StatusMarks status={status.data} />
    </span>
  );
}
