import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { type Api, ApiError, type User } from '../api/api';
import type { Strength, strengthOf } from './password-strength';
import { MIN_SCORE, StrengthMeter } from './StrengthMeter';
import './auth.css';

type Estimate = typeof strengthOf;

/** Sign up or log in; calls `onSignedIn` with the user once the API has issued tokens. */
export function AuthScreen({ api, onSignedIn }: { api: Api; onSignedIn: (user: User) => void }) {
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The estimator arrives with its dictionaries when the new-password field is first focused.
  const estimate = useRef<Promise<Estimate> | null>(null);
  const [strength, setStrength] = useState<Strength | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const loadEstimator = () => {
    estimate.current ??= import('./password-strength').then((module) => module.strengthOf);
    return estimate.current;
  };
  const measure = async (password: string) => {
    const form = formRef.current ? new FormData(formRef.current) : null;
    const related = ['email', 'name'].map((name) => String(form?.get(name) ?? ''));
    const strengthOf = await loadEstimator();
    setStrength(password ? strengthOf(password, related) : null);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    if (mode === 'signup') {
      // Refused here already to save a round trip; the server checks again and decides.
      const strengthOf = await loadEstimator();
      const now = strengthOf(field('password'), [field('email'), field('name')]);
      setStrength(now);
      if (now.score < MIN_SCORE) {
        setError('Choose a stronger password: see the advice under it.');
        return;
      }
    }
    setBusy(true);
    setError(null);
    try {
      const user =
        mode === 'signup'
          ? await api.signUp(field('name'), field('email'), field('password'))
          : await api.logIn(field('email'), field('password'));
      onSignedIn(user);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'The server cannot be reached.');
    } finally {
      setBusy(false);
    }
  }

  const signup = mode === 'signup';
  return (
    <main className="auth">
      <h1>Confab</h1>
      <form ref={formRef} onSubmit={submit} aria-label={signup ? 'Create an account' : 'Log in'}>
        <h2>{signup ? 'Create an account' : 'Log in'}</h2>
        {signup && (
          <label>
            Name
            <input name="name" autoComplete="name" required maxLength={80} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : 1}
            onFocus={signup ? () => void loadEstimator() : undefined}
            onChange={signup ? (event) => void measure(event.target.value) : undefined}
          />
        </label>
        {signup && <StrengthMeter strength={strength} />}
        {error && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          {signup ? 'Create account' : 'Log in'}
        </button>
      </form>
      <button
        type="button"
        className="link"
        onClick={() => {
          setMode(signup ? 'login' : 'signup');
          setStrength(null);
          setError(null);
        }}
      >
        {signup ? 'I have an account' : 'Create an account'}
      </button>
      <SingleSignOn api={api} />
    </main>
  );
}

/** What the server's SSO failure codes (`/sign-in?sso_error=`) mean to the person signing in. */
const SSO_ERRORS: Record<string, string> = {
  sso_unknown_provider: 'That sign-in provider is not configured here.',
  sso_invalid_state: 'The sign-in expired or was started elsewhere. Please try again.',
  sso_email_unverified: 'Your provider has not confirmed your email address.',
  sso_failed: 'The sign-in provider could not sign you in. Please try again.',
};

/** A button per configured OpenID Connect provider; none when there is none. */
function SingleSignOn({ api }: { api: Api }) {
  const providers = useQuery({
    queryKey: ['sso-providers'],
    queryFn: () => api.request('GET /api/auth/oidc/providers'),
  });
  const failed = new URLSearchParams(window.location.search).get('sso_error');
  // Back to where the person was going (an invitation link, say), never to the sign-in page.
  const here = window.location.pathname === '/sign-in' ? '/' : window.location.pathname;
  return (
    <>
      {failed && (
        <p role="alert">{SSO_ERRORS[failed] ?? 'Single sign-on failed. Please try again.'}</p>
      )}
      {providers.data?.providers.map((provider) => (
        <a
          key={provider.id}
          className="sso"
          href={api.href('GET /api/auth/oidc/{provider}/start', {
            params: { provider: provider.id },
            query: { returnTo: here },
          })}
        >
          Sign in with {provider.name}
        </a>
      ))}
    </>
  );
}
