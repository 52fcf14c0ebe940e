import { docName, MessageType } from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import { createContext, type ReactNode, useContext, useEffect, useRef } from 'react';
import type { Api, User } from '../api/api';
import { type Activity, ActivityContext } from './activity';
import type { OpenDoc } from './open-doc';
import { useSyncDoc } from './use-sync-doc';

const UserDocContext = createContext<OpenDoc | null>(null);

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
  const { open } = useSyncDoc(api, user.id, docName({ kind: 'user', userId: user.id }));
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
    open.provider.messageHandlers[MessageType.activity] = (
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
  return (
    <UserDocContext.Provider value={open}>
      <ActivityContext.Provider value={listeners}>{children}</ActivityContext.Provider>
    </UserDocContext.Provider>
  );
}

/** The user doc once loaded, else null (the caller waits for it). */
export const useUserDoc = () => useContext(UserDocContext);
