import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Api, type SessionEnd, type User } from './api/api';
import { AuthScreen } from './auth/AuthScreen';
import { unsentTexts, wipeDeviceData } from './auth/device-data';
import { UnsentDialog } from './auth/UnsentDialog';
import { InvitationIntro } from './invitations/InvitationScreen';
import { navigate, useRoute } from './routing/router';

/**
 * The signed-in screens (workspaces, Yjs, the sync layer: over half the JavaScript) come as a
 * chunk of their own, so a first visit downloads only what the sign-in form needs. A device that
 * was signed in (`confab.user` kept by the API client) starts the download at once, alongside
 * the session's refresh, so a returning user does not wait for one and then the other.
 */
const loadSignedIn = () => import('./SignedIn');
const SignedIn = lazy(() => loadSignedIn().then((module) => ({ default: module.SignedIn })));
if (localStorage.getItem('confab.user') !== null) void loadSignedIn();

export interface AppProps {
  api?: Api;
  /** `api.resume()` started before the first render (main.tsx), so its round trip overlaps it. */
  resumed?: Promise<User | null>;
}

type Session =
  | { state: 'resuming' }
  | { state: 'signedOut' }
  | { state: 'signedIn'; user: User }
  /** The signed-in screens are gone (their docs closed); the device is being wiped. */
  | { state: 'ending'; end: SessionEnd };

export function App({ api: given, resumed }: AppProps) {
  const api = useMemo(() => given ?? new Api(), [given]);
  const [session, setSession] = useState<Session>({ state: 'resuming' });
  // The URL survives sign-up or log-in: an invitation is then offered, a channel opened.
  const route = useRoute();
  const client = useQueryClient();
  /** What a session that ended without the user's say held unsent, shown once to be copied. */
  const [lost, setLost] = useState<string[]>([]);
  useEffect(
    () =>
      api.onSessionEnded((end) =>
        setSession((before) => (before.state === 'ending' ? before : { state: 'ending', end })),
      ),
    [api],
  );
  useEffect(() => {
    if (session.state !== 'ending') return;
    // A log-out asked about unsent messages before; an ended session had no choice, so its
    // unsent texts are read before the wipe and shown from memory only.
    const collect = session.end === 'ended' ? unsentTexts() : Promise.resolve([]);
    // The next person to sign in here starts at their own last place, not at this one's.
    navigate('/', { replace: true });
    void collect
      .then(async (texts) => {
        await wipeDeviceData();
        client.clear();
        setLost(texts);
      })
      .catch(reportError)
      .finally(() => setSession({ state: 'signedOut' }));
  }, [session, client]);
  useEffect(() => {
    let live = true;
    (resumed ?? api.resume()).then(
      (user) => live && setSession(user ? { state: 'signedIn', user } : { state: 'signedOut' }),
      () => live && setSession({ state: 'signedOut' }),
    );
    return () => {
      live = false;
    };
  }, [api, resumed]);

  return (
    <>
      {session.state === 'signedIn' ? (
        <Suspense fallback={<p>Opening Confab…</p>}>
          <SignedIn api={api} user={session.user} route={route} />
        </Suspense>
      ) : session.state === 'signedOut' ? (
        <>
          {route.kind === 'invite' && <InvitationIntro api={api} token={route.token} />}
          <AuthScreen api={api} onSignedIn={(user) => setSession({ state: 'signedIn', user })} />
        </>
      ) : session.state === 'ending' ? (
        <p>Signing out…</p>
      ) : (
        <p>Opening Confab…</p>
      )}
      {lost.length > 0 && (
        <UnsentDialog label="Your session ended" texts={lost} onClose={() => setLost([])}>
          <p>
            You were signed out (from another device, or the session expired). These messages were
            not sent and are no longer kept on this device: copy them now if you need them.
          </p>
        </UnsentDialog>
      )}
    </>
  );
}
