// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { useConnectionState, watchConnection } from './connection-state';

/** The part of a y-websocket provider the connection state reads. */
function fakeProvider(connected: boolean) {
  const listeners = new Set<(event: { status: string }) => void>();
  const provider = {
    wsconnected: connected,
    on: (_: string, listener: (event: { status: string }) => void) => listeners.add(listener),
    off: (_: string, listener: (event: { status: string }) => void) => listeners.delete(listener),
  };
  const emit = (status: 'connected' | 'disconnected') =>
    act(() => {
      provider.wsconnected = status === 'connected';
      for (const listener of listeners) listener({ status });
    });
  return { provider: provider as unknown as WebsocketProvider, emit };
}

const setOnline = (online: boolean) =>
  act(() => {
    Object.defineProperty(navigator, 'onLine', { value: online, configurable: true });
    window.dispatchEvent(new Event(online ? 'online' : 'offline'));
  });

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('connection state', () => {
  it('says Reconnecting while a socket that was up is down, and nothing once it is back', () => {
    const { provider, emit } = fakeProvider(true);
    const stop = watchConnection(provider);
    const { result } = renderHook(() => useConnectionState());
    expect(result.current).toBe('online');
    emit('disconnected');
    expect(result.current).toBe('reconnecting');
    emit('connected');
    expect(result.current).toBe('online');
    act(stop);
  });

  it('says Offline when the browser has no network, whatever the sockets say', () => {
    const { provider } = fakeProvider(true);
    const stop = watchConnection(provider);
    const { result } = renderHook(() => useConnectionState());
    setOnline(false);
    expect(result.current).toBe('offline');
    setOnline(true);
    expect(result.current).toBe('online');
    act(stop);
  });

  it('counts a socket still making its first connection only after a grace period', () => {
    vi.useFakeTimers();
    const { provider } = fakeProvider(false);
    const stop = watchConnection(provider);
    const { result } = renderHook(() => useConnectionState());
    expect(result.current).toBe('online');
    act(() => vi.advanceTimersByTime(3_000));
    expect(result.current).toBe('reconnecting');
    // A closed doc no longer counts.
    act(stop);
    expect(result.current).toBe('online');
  });
});
