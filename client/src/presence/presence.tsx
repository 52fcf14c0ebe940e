import { UUID_PATTERN } from '@confab/db/model';
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import { type Presence, PresenceStore } from './presence-store';
import { WatchList } from './watch-list';

export interface PresenceHub {
  store: PresenceStore;
  watch: WatchList;
  /** Changes how long without input this device waits before it says away. */
  setIdleMs(ms: number): void;
}

/** Outside a signed-in screen (tests of one component): nothing is watched or known. */
const NOWHERE: PresenceHub = {
  store: new PresenceStore(),
  watch: new WatchList(() => {}),
  setIdleMs: () => {},
};

export const PresenceContext = createContext<PresenceHub>(NOWHERE);

/** A user's presence, re-rendering when it changes; undefined until the server said. */
export function usePresence(userId: string | undefined): Presence | undefined {
  const { store } = useContext(PresenceContext);
  return useSyncExternalStore(
    (notify) => store.subscribe(notify),
    () => (userId === undefined ? undefined : store.get(userId)),
  );
}

/**
 * Watches `userIds` while the component shows them (the server reports their presence). Only
 * well-formed user ids: the server closes the socket on a watch naming anything else, and the
 * activity stream would go with it.
 */
export function useWatch(userIds: readonly string[]): void {
  const { watch } = useContext(PresenceContext);
  const key = [...new Set(userIds)]
    .filter((id) => UUID_PATTERN.test(id))
    .sort()
    .join();
  useEffect(() => (key ? watch.add(key.split(',')) : undefined), [watch, key]);
}
