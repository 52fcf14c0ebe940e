import { docName, MessageType } from '@confab/db/model';
import { useQueryClient } from '@tanstack/react-query';
import * as decoding from 'lib0/decoding';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/api';
import { readIdleMs } from '../presence/idle-setting';
import { PresenceContext } from '../presence/presence';
import { PresenceLink } from '../presence/presence-link';
import { refreshStatuses } from '../status/status-data';
import { type Activity, ActivityContext } from './activity';
import type { OpenDoc } from './open-doc';
import { useSyncDoc } from './use-sync-doc';

const UserDocContext = createContext<OpenDoc | null>(null);

/**
 * The signed-in user's own doc (read markers, drafts, saved items), open for as long as they
 * are signed in. Its socket is the app's always-open one: activity in every channel arrives on
 * it, so the sidebar updates for channels that are not open, and presence goes both ways on it
 * (this device's reports and watch list out, the watched users' presence in).
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
  const client = useQueryClient();
  const [presence] = useState(
    () =>
      new PresenceLink({
        idleMs: readIdleMs(),
        onStatuses: (ids) => refreshStatuses(client, ids),
      }),
  );
  useEffect(() => {
    presence.start();
    return () => {
      presence.stop();
      presence.watch.stop();
    };
  }, [presence]);
  useEffect(() => {
    if (!open) return;
    const provider = open.provider;
    provider.messageHandlers[MessageType.presence] = (
      _encoder: unknown,
      decoder: decoding.Decoder,
    ) => {
      try {
        presence.receive(decoding.readVarString(decoder));
      } catch {
        // A frame that is not one string: dropped, the next snapshot corrects it.
      }
    };
    const onStatus = ({ status }: { status: string }) => {
      const ws = provider.ws;
      if (status === 'connected' && ws)
        presence.connected((frame) => {
          // Only on the socket it was meant for: a frame of ours on the next one would be out
          // of order with that socket's own first report.
          if (provider.ws === ws && ws.readyState === ws.OPEN) ws.send(frame);
        });
      else if (status === 'disconnected') presence.disconnected();
    };
    if (provider.wsconnected) onStatus({ status: 'connected' });
    provider.on('status', onStatus);
    return () => {
      provider.off('status', onStatus);
      presence.disconnected();
    };
  }, [open, presence]);
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
      let activities: Activity | Activity[];
      try {
        activities = JSON.parse(decoding.readVarString(decoder)) as Activity | Activity[];
      } catch {
        // A malformed event is dropped; the next refetch corrects whatever it meant.
        return;
      }
      // Several events of one server tick come as one array.
      for (const activity of Array.isArray(activities) ? activities : [activities]) emit(activity);
    };
    const onSync = (synced: boolean) => synced && emit({ kind: 'resynced' });
    open.provider.on('sync', onSync);
    return () => open.provider.off('sync', onSync);
  }, [open, listeners]);
  return (
    <UserDocContext.Provider value={open}>
      <PresenceContext.Provider value={presence}>
        <ActivityContext.Provider value={listeners}>{children}</ActivityContext.Provider>
      </PresenceContext.Provider>
    </UserDocContext.Provider>
  );
}

/** The user doc once loaded, else null (the caller waits for it). */
export const useUserDoc = () => useContext(UserDocContext);
