import type { Api, User } from './api/api';
import { InvitationScreen } from './invitations/InvitationScreen';
import { UserDocProvider } from './sync/user-doc';
import { ConnectionBanner } from './ui/ConnectionBanner';
import { WorkspaceHome } from './workspaces/WorkspaceHome';

/**
 * Everything behind the sign-in: the workspace screens, Yjs and the sync layer. A chunk of its
 * own (App.tsx loads it lazily), so a first visit to the sign-in form does not download it.
 */
export function SignedIn({
  api,
  user,
  invitation,
  onInvitationDone,
}: {
  api: Api;
  user: User;
  invitation: string | null;
  onInvitationDone(): void;
}) {
  return invitation ? (
    <InvitationScreen api={api} token={invitation} onDone={onInvitationDone} />
  ) : (
    <UserDocProvider api={api} user={user}>
      <ConnectionBanner />
      <WorkspaceHome api={api} user={user} />
    </UserDocProvider>
  );
}
