// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from './api';

const WORKSPACE = '0b0b6a3e-7c55-4a8e-9d5e-2f1e1b9f3a11';
const user = { id: 'u1', email: 'bob@example.com', name: 'Bob' };

/** A server answering sign-in with a token and every read with `{ ok: <path> }`. */
function fakeServer() {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const path = new URL(url, 'http://confab.test').pathname;
      const body = path.startsWith('/api/auth/')
        ? { accessToken: 'token', user }
        : { ok: path + (new URL(url, 'http://confab.test').search ?? '') };
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    }),
  );
}

async function signedInApi(): Promise<Api> {
  const api = new Api();
  await api.logIn('bob@example.com', 'correct horse battery staple');
  return api;
}

const keptPaths = () => Object.keys(localStorage).filter((key) => key.includes('/api/workspaces/'));

beforeEach(() => {
  localStorage.clear();
  fakeServer();
});
afterEach(() => vi.unstubAllGlobals());

describe('answers kept for offline use', () => {
  it('keeps ordinary reads, not search pages or suggestions', async () => {
    const api = await signedInApi();
    await api.request('GET /api/workspaces/{workspaceId}', { params: { workspaceId: WORKSPACE } });
    await api.request('GET /api/workspaces/{workspaceId}/search', {
      params: { workspaceId: WORKSPACE },
      query: { q: 'report' },
    });
    await api.request('GET /api/workspaces/{workspaceId}/search/suggest', {
      params: { workspaceId: WORKSPACE },
      query: { kind: 'channel', prefix: 'ge' },
    });
    expect(keptPaths()).toEqual([
      expect.stringMatching(new RegExp(`/api/workspaces/${WORKSPACE}$`)),
    ]);
  });

  it('keeps no batch of statuses nor older inbox pages, each a new path', async () => {
    const api = await signedInApi();
    await api.request('GET /api/workspaces/{workspaceId}/statuses', {
      params: { workspaceId: WORKSPACE },
      query: { ids: [WORKSPACE] },
    });
    await api.request('GET /api/workspaces/{workspaceId}/notifications', {
      params: { workspaceId: WORKSPACE },
      query: { limit: 30, cursor: '42' },
    });
    await api.request('GET /api/workspaces/{workspaceId}/notifications', {
      params: { workspaceId: WORKSPACE },
      query: { limit: 30 },
    });
    expect(keptPaths()).toEqual([expect.stringMatching(/\/notifications\?limit=30$/)]);
  });

  it('answers a read when the storage is full, without keeping it', async () => {
    const api = await signedInApi();
    const setItem = vi.spyOn(localStorage, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    try {
      const answer = await api.request('GET /api/workspaces/{workspaceId}', {
        params: { workspaceId: WORKSPACE },
      });
      expect(answer).toEqual({ ok: `/api/workspaces/${WORKSPACE}` });
    } finally {
      setItem.mockRestore();
    }
    expect(keptPaths()).toEqual([]);
  });
});
