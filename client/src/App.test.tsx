// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { Api } from './api/api';
import { fetchHealth, type ServerHealth } from './health';
import { slugFrom } from './workspaces/WorkspaceHome';

afterEach(cleanup);

/** No session to resume: the app shows the sign-in screen without calling a server. */
function signedOutApi(): Api {
  const api = new Api();
  api.resume = async () => null;
  return api;
}

function renderApp(loadHealth: () => Promise<ServerHealth>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <App loadHealth={loadHealth} api={signedOutApi()} />
    </QueryClientProvider>,
  );
}

describe('App', () => {
  it('shows which backends the server runs on', async () => {
    renderApp(async () => ({
      status: 'ok',
      version: '0.1.0',
      backends: {
        database: { kind: 'pglite', embedded: true, ok: true },
        redis: { kind: 'redis', embedded: false, ok: true },
      },
    }));
    expect(await screen.findByText(/all systems working/)).toBeTruthy();
    expect(screen.getByText(/database: pglite \(embedded\)/)).toBeTruthy();
    expect(screen.getByText(/redis: redis ✓/)).toBeTruthy();
  });

  it('opens on the log-in screen when there is no session to resume', async () => {
    renderApp(() => new Promise(() => {}));
    expect(await screen.findByRole('form', { name: 'Log in' })).toBeTruthy();
  });

  it('says so when the server cannot be reached', async () => {
    renderApp(() => Promise.reject(new Error('offline')));
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot be reached/);
  });
});

describe('fetchHealth', () => {
  const respond = (status: number, body: unknown) => async () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  it('reads a degraded server (503) as a report, not an error', async () => {
    const health = await fetchHealth(
      respond(503, { status: 'degraded', version: '1', backends: {} }),
    );
    expect(health.status).toBe('degraded');
  });

  it('fails on other error statuses', async () => {
    await expect(fetchHealth(respond(500, {}))).rejects.toThrow(/500/);
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
