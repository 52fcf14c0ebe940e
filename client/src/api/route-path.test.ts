import { describe, expect, it } from 'vitest';
import { type RequestArgs, routePath } from './route-path';

describe('routePath: the method and path of a contract route', () => {
  it('splits the route on its first space and fills in each param', () => {
    expect(
      routePath('PATCH /api/workspaces/{workspaceId}/members/{userId}', {
        params: { workspaceId: 'w1', userId: 'u1' },
      }),
    ).toEqual({ method: 'PATCH', path: '/api/workspaces/w1/members/u1' });
    expect(routePath('GET /api/workspaces')).toEqual({ method: 'GET', path: '/api/workspaces' });
  });

  it('appends the defined query fields as strings, an empty one too', () => {
    expect(
      routePath('GET /api/workspaces/{workspaceId}/channels/browse', {
        params: { workspaceId: 'w1' },
        query: { q: '', limit: 20, offset: undefined },
      }).path,
    ).toBe('/api/workspaces/w1/channels/browse?q=&limit=20');
  });

  it('encodes params and query values so they cannot add segments or fields', () => {
    expect(routePath('GET /api/invitations/{token}', { params: { token: 'a/b?c#d' } }).path).toBe(
      '/api/invitations/a%2Fb%3Fc%23d',
    );
    expect(
      routePath('GET /api/auth/oidc/{provider}/start', {
        params: { provider: 'x' },
        query: { returnTo: '/invite/t?x=1&y=2 z' },
      }).path,
    ).toBe('/api/auth/oidc/x/start?returnTo=%2Finvite%2Ft%3Fx%3D1%26y%3D2%20z');
  });

  it('refuses a param that is missing or would lead to another route', () => {
    for (const channelId of ['', '.', '..']) {
      expect(() =>
        routePath('GET /api/channels/{channelId}/members', { params: { channelId } }),
      ).toThrow('the param channelId must name one thing');
    }
    expect(() => routePath('GET /api/channels/{channelId}/members', { params: {} })).toThrow(
      'the param channelId',
    );
  });

  it('types each call by the contract: what a route needs, and only that (checked by tsc)', () => {
    const given: RequestArgs<'PUT /api/channels/{channelId}/messages/{messageId}/follow'> = {
      params: { channelId: 'c1', messageId: 'm1' },
      body: { following: true },
    };
    // @ts-expect-error the channel's id is required
    const missing: RequestArgs<'GET /api/channels/{channelId}'> = {};
    // @ts-expect-error this route takes no body
    const extra: RequestArgs<'GET /api/workspaces'> = { body: {} };
    const history: RequestArgs<'GET /api/channels/{channelId}/messages'> = {
      params: { channelId: 'c1' },
      // @ts-expect-error the history's page size is a number
      query: { limit: 'many' },
    };
    expect([given, missing, extra, history]).toHaveLength(4);
  });
});
