import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect } from 'react';
import type { Api, ApiResponse } from '../api/api';
import { BatchLoader } from '../api/batch-loader';
import { type Activity, ActivityContext, type ActivityListener } from '../sync/activity';

/** A user's custom status and do-not-disturb, as the status routes answer them. */
export type UserStatus = ApiResponse<'GET /api/me/status'>;

/** Ids per `GET /api/workspaces/{id}/statuses?ids=` (the route's limit). */
const BATCH = 100;

/**
 * The statuses of the names on screen, asked within one tick: one request per hundred, so a
 * sidebar, a channel and a member list cost one round trip.
 */
export class StatusLoader extends BatchLoader<UserStatus> {
  constructor(api: Pick<Api, 'request'>, workspaceId: string) {
    super(async (ids) => {
      const { statuses } = await api.request('GET /api/workspaces/{workspaceId}/statuses', {
        params: { workspaceId },
        query: { ids },
      });
      return new Map(statuses.map(({ userId, ...status }) => [userId, status]));
    }, BATCH);
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
