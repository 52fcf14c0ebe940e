import { docName } from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import { createContext, type ReactNode, useContext, useEffect, useRef } from 'react';
import type { Api, User } from '../api/api';
import type { OpenDoc } from './open-doc';
import { useSyncDoc } from './use-sync-doc';

/** What the server streams on the user doc's socket (sync-server/PROTOCOL.md "Activity"). */
export type Activity =
  | {
      kind: 'message';
      channelId: string;
      messageId: string;
      authorId: string | null;
      parentId: string | null;
      mention: boolean;
    }
  | { kind: 'read'; markerKey: string; messageId: string }
  | { kind: 'channels' }
  /** Not from the server: the socket (re)synced, so whatever was missed meanwhile is unknown. */
  | { kind: 'resynced' };

const ACTIVITY_MESSAGE = 102;

interface UserDoc {
  open: OpenDoc | null;
  listeners: Set<(activity: Activity) => void>;
}

const UserDocContext = createContext<UserDoc>({ open: null, listeners: new Set() });

/**
 * The signed-in user's own doc (read markers, drafts, saved items), open for as long as they
 * are signed in. Its socket is the app's always-open one: activity in every channel arrives on
 * it, so the sidebar updates for channels that are not open.
 */
export function UserDocProvider({
  api,
  user,
  children,
}: {
  api: Api;
  user: User;
  children: ReactNode;
}) {
  const { open } = useSyncDoc(api, docName({ kind: 'user', userId: user.id }));
  const listeners = useRef(new Set<(activity: Activity) => void>()).current;
  useEffect(() => {
    if (!open) return;
    const emit = (activity: Activity) => {
      for (const listener of listeners) {
        // One screen's failing listener must neither starve the others nor break the socket.
        try {
          listener(activity);
        } catch (error) {
          reportError(error);
        }
      }
    };
    open.provider.messageHandlers[ACTIVITY_MESSAGE] = (
      _encoder: unknown,
      decoder: decoding.Decoder,
    ) => {
      let activity: Activity;
      try {
        activity = JSON.parse(decoding.readVarString(decoder)) as Activity;
      } catch {
        // A malformed event is dropped; the next refetch corrects whatever it meant.
        return;
      }
      emit(activity);
    };
    const onSync = (synced: boolean) => synced && emit({ kind: 'resynced' });
    open.provider.on('sync', onSync);
    return () => open.provider.off('sync', onSync);
  }, [open, listeners]);
  return <UserDocContext.Provider value={{ open, listeners }}>{children}</UserDocContext.Provider>;
}

/** The user doc once loaded, else null (the caller waits for it). */
export const useUserDoc = () => useContext(UserDocContext).open;

/** Calls `listener` with every activity event while the component is mounted. */
export function useActivity(listener: (activity: Activity) => void) {
  const { listeners } = useContext(UserDocContext);
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
