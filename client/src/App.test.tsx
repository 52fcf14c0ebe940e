// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { Api } from './api/api';
import { slugFrom } from './workspaces/slug';

afterEach(cleanup);

/** No session to resume: the app shows the sign-in screen without calling a server. */
function signedOutApi(): Api {
  const api = new Api();
  api.resume = async () => null;
  return api;
}

function renderApp() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <App api={signedOutApi()} />
    </QueryClientProvider>,
  );
}

describe('App', () => {
  it('opens on the log-in screen when there is no session to resume', async () => {
    renderApp();
    expect(await screen.findByRole('form', { name: 'Log in' })).toBeTruthy();
  });

  it('shows no developer status footer', async () => {
    renderApp();
    await screen.findByRole('form', { name: 'Log in' });
    expect(screen.queryByText(/all systems working/)).toBeNull();
    expect(document.querySelector('footer')).toBeNull();
  });
});

describe('slugFrom', () => {
  it('makes a slug the API accepts from any workspace name', () => {
    expect(slugFrom('Acme Inc.')).toBe('acme-inc');
    expect(slugFrom('  Über Team!! ')).toBe('uber-team');
    expect(slugFrom('***')).toBe('workspace');
    expect(slugFrom('x'.repeat(60))).toHaveLength(40);
  });
});
