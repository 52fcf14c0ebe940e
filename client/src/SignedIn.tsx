import { useEffect } from 'react';
import { AboutPage } from './about/AboutPage';
import type { Api, User } from './api/api';
import { InvitationScreen } from './invitations/InvitationScreen';
import { type Route, routePath } from './routing/place';
import { navigate } from './routing/router';
import { UserDocProvider } from './sync/user-doc';
import { WorkspaceHome } from './workspaces/WorkspaceHome';

/**
 * Everything behind the sign-in: the workspace screens, Yjs and the sync layer. A chunk of its
 * own (App.tsx loads it lazily), so a first visit to the sign-in form does not download it.
 */
export function SignedIn({ api, user, route }: { api: Api; user: User; route: Route }) {
  // An old link's form (`/?workspace=&channel=&message=`) becomes the place's own URL.
  const canonical = routePath(route);
  useEffect(() => {
    if (route.kind === 'place') navigate(canonical, { replace: true });
  }, [route.kind, canonical]);
  if (route.kind === 'invite') return <InvitationScreen api={api} token={route.token} />;
  if (route.kind === 'about') return <AboutPage api={api} />;
  return (
    <UserDocProvider api={api} user={user}>
      <WorkspaceHome api={api} user={user} />
    </UserDocProvider>
  );
}
