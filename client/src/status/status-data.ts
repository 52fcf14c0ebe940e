import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect } from 'react';
import type { Api, ApiResponse } from '../api/api';
import { type Activity, ActivityContext, type ActivityListener } from '../sync/activity';

/** A user's custom status and do-not-disturb, as the status routes answer them. */
export type UserStatus = ApiResponse<'GET /api/me/status'>;

/** Ids per `GET /api/workspaces/{id}/statuses?ids=` (the route's limit). */
const BATCH = 100;

type Waiter = { resolve: (status: UserStatus | null) => void; reject: (error: unknown) => void };

/**
 * Collects the user ids that names on screen ask for within one tick and loads their statuses
 * with one request per hundred: a sidebar, a channel and a member list cost one round trip.
 */
export class StatusLoader {
  private queued = new Map<string, Waiter[]>();

  constructor(
    private readonly api: Pick<Api, 'request'>,
    private readonly workspaceId: string,
  ) {}

  /** The user's status, or null when the caller may not see them (or they do not exist). */
  load(userId: string): Promise<UserStatus | null> {
    return new Promise((resolve, reject) => {
      if (!this.queued.size) setTimeout(() => void this.flush(), 0);
      const waiters = this.queued.get(userId) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(userId, waiters);
    });
  }

  private async flush() {
    const queued = this.queued;
    this.queued = new Map();
    const ids = [...queued.keys()];
    for (let at = 0; at < ids.length; at += BATCH) {
      const batch = ids.slice(at, at + BATCH);
      try {
        const { statuses } = await this.api.request('GET /api/workspaces/{workspaceId}/statuses', {
          params: { workspaceId: this.workspaceId },
          query: { ids: batch },
        });
        const found = new Map(statuses.map(({ userId, ...status }) => [userId, status]));
        for (const id of batch)
          for (const waiter of queued.get(id) ?? []) waiter.resolve(found.get(id) ?? null);
      } catch (error) {
        for (const id of batch) for (const waiter of queued.get(id) ?? []) waiter.reject(error);
      }
    }
  }
}

export const statusKey = (userId: string) => ['user-status', userId];
export const MY_STATUS_KEY = ['my-status'];

/**
 * Someone's status changed or expired: their cached status is asked again if on screen and
 * dropped if not. `user_status` activity names the user (my own devices hear of mine); presence
 * frames (105) name the watched users whose status changed. After a reconnect every status on
 * screen is asked again, as what was said meanwhile is lost.
 */
export function refreshStatuses(client: QueryClient, userIds: readonly string[] | 'all'): void {
  if (userIds === 'all') {
    void client.invalidateQueries({ queryKey: ['user-status'] });
    void client.invalidateQueries({ queryKey: MY_STATUS_KEY });
    return;
  }
  for (const userId of userIds) {
    const queryKey = statusKey(userId);
    void client.invalidateQueries({ queryKey, exact: true });
    client.removeQueries({ queryKey, exact: true, type: 'inactive' });
  }
}

/** What activity on the user doc socket means for cached statuses. */
export function applyStatusActivity(client: QueryClient, me: string, activity: Activity): void {
  if (activity.kind === 'resynced') refreshStatuses(client, 'all');
  else if (activity.kind === 'user_status') {
    refreshStatuses(client, [activity.userId]);
    if (activity.userId === me) void client.invalidateQueries({ queryKey: MY_STATUS_KEY });
  }
}

/** Listener sets already feeding the status cache: one listener per signed-in user. */
const following = new WeakSet<Set<ActivityListener>>();

function useStatusActivity(me: string) {
  const listeners = useContext(ActivityContext);
  const client = useQueryClient();
  useEffect(() => {
    if (following.has(listeners)) return;
    following.add(listeners);
    listeners.add((activity) => applyStatusActivity(client, me, activity));
  }, [listeners, client, me]);
}

const loaders = new WeakMap<Api, Map<string, StatusLoader>>();

function loaderFor(api: Api, workspaceId: string): StatusLoader {
  let byWorkspace = loaders.get(api);
  if (!byWorkspace) {
    byWorkspace = new Map();
    loaders.set(api, byWorkspace);
  }
  let loader = byWorkspace.get(workspaceId);
  if (!loader) {
    loader = new StatusLoader(api, workspaceId);
    byWorkspace.set(workspaceId, loader);
  }
  return loader;
}

/** Refetched this often anyway: a DND schedule starts and ends without any event. */
const SCHEDULE_REFRESH_MS = 5 * 60_000;

/** Someone's status (batched with every other name on screen), kept current by activity. */
export function useUserStatus(
  api: Api,
  me: string,
  workspaceId: string,
  /** Nobody (a hook must be called all the same): nothing is loaded. */
  userId: string | undefined,
) {
  useStatusActivity(me);
  const loader = loaderFor(api, workspaceId);
  return useQuery({
    queryKey: statusKey(userId ?? ''),
    queryFn: () => loader.load(userId ?? ''),
    enabled: userId !== undefined,
    staleTime: 60_000,
    refetchInterval: (query) => (query.state.data?.dnd.schedule ? SCHEDULE_REFRESH_MS : false),
  });
}

/** My own status and do-not-disturb. */
export function useMyStatus(api: Api, me: string) {
  useStatusActivity(me);
  return useQuery({
    queryKey: MY_STATUS_KEY,
    queryFn: () => api.request('GET /api/me/status'),
    refetchInterval: (query) => (query.state.data?.dnd.schedule ? SCHEDULE_REFRESH_MS : false),
  });
}

/** After a change of mine: my status everywhere it shows, at once. */
export function storeMyStatus(client: QueryClient, me: string, status: UserStatus): void {
  client.setQueryData(MY_STATUS_KEY, status);
  client.setQueryData(statusKey(me), status);
}
