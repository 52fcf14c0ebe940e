import type { ClientActivity } from '@confab/db/model';
import { createContext, useContext, useEffect, useRef } from 'react';

/** What the server streams on the user doc's socket, and one event of the client's own. */
export type Activity =
  | ClientActivity
  /** Not from the server: the socket (re)synced, so whatever was missed meanwhile is unknown. */
  | { kind: 'resynced' };

export type ActivityListener = (activity: Activity) => void;

/** The listeners of the user doc socket's activity (UserDocProvider fills and calls them). */
export const ActivityContext = createContext<Set<ActivityListener>>(new Set());

/** Calls `listener` with every activity event while the component is mounted. */
export function useActivity(listener: (activity: Activity) => void) {
  const listeners = useContext(ActivityContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward = (activity: Activity) => latest.current(activity);
    listeners.add(forward);
    return () => {
      listeners.delete(forward);
    };
  }, [listeners]);
}
