import { docName } from '@confab/db/model';
import { createContext, type ReactNode, useContext } from 'react';
import type { Api, User } from '../api/api';
import type { OpenDoc } from './open-doc';
import { useSyncDoc } from './use-sync-doc';

const UserDocContext = createContext<OpenDoc | null>(null);

/**
 * The signed-in user's own doc (read markers, drafts, saved items), open for as long as they
 * are signed in: the one doc every screen may write to.
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
  return <UserDocContext.Provider value={open}>{children}</UserDocContext.Provider>;
}

/** The user doc once loaded, else null (the caller waits for it). */
export const useUserDoc = () => useContext(UserDocContext);
