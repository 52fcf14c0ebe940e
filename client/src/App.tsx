import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Api, type User } from './api/api';
import { AuthScreen } from './auth/AuthScreen';
import { fetchHealth, type ServerHealth } from './health';
import { InvitationScreen } from './invitations/InvitationScreen';
import { UserDocProvider } from './sync/user-doc';
import { WorkspaceHome } from './workspaces/WorkspaceHome';

export interface AppProps {
  loadHealth?: () => Promise<ServerHealth>;
  api?: Api;
}

type Session = { state: 'resuming' } | { state: 'signedOut' } | { state: 'signedIn'; user: User };

export function App({ loadHealth = () => fetchHealth(), api: given }: AppProps) {
  const api = useMemo(() => given ?? new Api(), [given]);
  const [session, setSession] = useState<Session>({ state: 'resuming' });
  // An invitation link (`/invite/<token>`) is kept through sign-up or log-in, then offered.
  const [invitation, setInvitation] = useState(
    () => /^\/invite\/([a-z0-9]{32})$/.exec(window.location.pathname)?.[1] ?? null,
  );
  const client = useQueryClient();
  useEffect(() => {
    let live = true;
    api.resume().then(
      (user) => live && setSession(user ? { state: 'signedIn', user } : { state: 'signedOut' }),
      () => live && setSession({ state: 'signedOut' }),
    );
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <>
      {session.state === 'signedIn' && invitation ? (
        <InvitationScreen
          api={api}
          token={invitation}
          onDone={() => {
            window.history.replaceState(null, '', '/');
            setInvitation(null);
            void client.invalidateQueries({ queryKey: ['workspaces'] });
          }}
        />
      ) : session.state === 'signedIn' ? (
        <UserDocProvider api={api} user={session.user}>
          <WorkspaceHome
            api={api}
            user={session.user}
            onLoggedOut={() => setSession({ state: 'signedOut' })}
          />
        </UserDocProvider>
      ) : session.state === 'signedOut' ? (
        <AuthScreen api={api} onSignedIn={(user) => setSession({ state: 'signedIn', user })} />
      ) : (
        <p>Opening Confab…</p>
      )}
      <ServerStatus loadHealth={loadHealth} />
    </>
  );
}

function ServerStatus({ loadHealth }: { loadHealth: () => Promise<ServerHealth> }) {
  const health = useQuery({ queryKey: ['health'], queryFn: loadHealth, refetchInterval: 15_000 });
  return (
    <footer role="status" aria-label="Server status" aria-live="polite">
      {health.isPending && <p>Connecting to the server…</p>}
      {health.isError && <p role="alert">The server cannot be reached. Retrying…</p>}
      {health.data && (
        <>
          <p>
            Server {health.data.version}:{' '}
            {health.data.status === 'ok' ? 'all systems working' : 'degraded'}
          </p>
          <ul>
            {Object.entries(health.data.backends).map(([name, backend]) => (
              <li key={name}>
                {name}: {backend.kind}
                {backend.embedded ? ' (embedded)' : ''} {backend.ok ? '✓' : '✗'}
              </li>
            ))}
          </ul>
        </>
      )}
    </footer>
  );
}
