import { describe, expect, it } from 'vitest';
import { parseRoute, placePath, routePath } from './place';

const W = '0b5c6a9e-8a0e-4f4a-9d37-0b1f4bd1a001';
const C = '6f0d3c55-1f32-4d5e-8f0f-3e2a5d7c9b02';
const T = '01JD3Q6ZK8W5E9V3M2N4P6R8S0';
const M = '01JD3Q70AAAABBBBCCCCDDDDEE';

describe('routes', () => {
  it('reads every place back from its path', () => {
    for (const place of [
      { workspaceId: W, channelId: null, threadId: null, messageId: null },
      { workspaceId: W, channelId: C, threadId: null, messageId: null },
      { workspaceId: W, channelId: C, threadId: T, messageId: null },
      { workspaceId: W, channelId: C, threadId: null, messageId: M },
      { workspaceId: W, channelId: C, threadId: T, messageId: M },
    ]) {
      const path = placePath(place);
      const [pathname, search = ''] = path.split('?');
      expect(parseRoute(pathname ?? '', search ? `?${search}` : '')).toEqual({
        kind: 'place',
        place,
      });
    }
    expect(routePath({ kind: 'about' })).toBe('/about');
    expect(parseRoute('/about', '')).toEqual({ kind: 'about' });
  });

  it('reads the notification mails’ old links as the same place', () => {
    expect(parseRoute('/', `?workspace=${W}&channel=${C}&message=${M}`)).toEqual({
      kind: 'place',
      place: { workspaceId: W, channelId: C, threadId: null, messageId: M },
    });
  });

  it('reads an invitation and only a well-formed one', () => {
    const token = 'a'.repeat(32);
    expect(parseRoute(`/invite/${token}`, '')).toEqual({ kind: 'invite', token });
    expect(parseRoute(`/invite/${token}x`, '')).toEqual({ kind: 'home' });
    expect(parseRoute('/invite/../../api', '')).toEqual({ kind: 'home' });
  });

  it('makes anything malformed the home route, never a place with a bad id', () => {
    for (const [pathname, search] of [
      ['/w/not-a-uuid', ''],
      [`/w/${W}/c/..`, ''],
      [`/w/${W}/c/${C}/t/<script>`, ''],
      [`/w/${W}/c/${C}/x/${T}`, ''],
      [`/w/${W}/c/${C}/t/${T}/more`, ''],
      ['/w/%2e%2e/c/x', ''],
      ['/', '?workspace=javascript:alert(1)'],
      ['/elsewhere', `?workspace=${W}`],
    ])
      expect(parseRoute(pathname ?? '', search ?? ''), pathname).toEqual({ kind: 'home' });
    // A bad message id is dropped, the channel still opens.
    expect(parseRoute(`/w/${W}/c/${C}`, '?m=%3Cscript%3E')).toEqual({
      kind: 'place',
      place: { workspaceId: W, channelId: C, threadId: null, messageId: null },
    });
  });
});

describe('lastPlace', () => {
  it('returns what was remembered and nothing for tampered values', async () => {
    const { lastPlace, rememberPlace } = await import('./last-place');
    const store = new Map<string, string>();
    Object.assign(globalThis, {
      localStorage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => store.set(k, v),
      },
    });
    rememberPlace('u1', { workspaceId: W, channelId: C, threadId: T, messageId: null });
    expect(lastPlace('u1')).toEqual({
      workspaceId: W,
      channelId: C,
      threadId: null,
      messageId: null,
    });
    expect(lastPlace('u2')).toBeNull();
    for (const bad of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ workspaceId: W, channelId: '../x' }),
      JSON.stringify({ workspaceId: 1, channelId: C }),
    ]) {
      store.set('confab.place:u3', bad);
      expect(lastPlace('u3'), bad).toBeNull();
    }
  });
});
