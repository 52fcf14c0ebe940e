// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { fetchHealth, type ServerHealth } from './health';

afterEach(cleanup);

function renderApp(loadHealth: () => Promise<ServerHealth>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <App loadHealth={loadHealth} />
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
