import { useEffect, useRef, useState } from 'react';
import type { OpenDoc } from '../sync/open-doc';

/** How long "is typing" lasts after the last keystroke, and how often a typist re-announces. */
const TYPING_MS = 5_000;
const ANNOUNCE_EVERY_MS = 2_000;

/**
 * Typing indicators through Yjs awareness (never stored): typing sets `typing` in this client's
 * awareness state with the time, sending clears it. Only the user id travels; names come from
 * the member list, so nobody can show up under someone else's name.
 */
export function useTyping(open: OpenDoc | null, userId: string) {
  const [typists, setTypists] = useState<string[]>([]);
  useEffect(() => {
    if (!open) return;
    const awareness = open.provider.awareness;
    awareness.setLocalStateField('user', userId);
    const refresh = () => {
      const now = Date.now();
      const ids = new Set<string>();
      for (const [clientId, state] of awareness.getStates()) {
        if (clientId === awareness.clientID) continue;
        const { user, typing } = state as { user?: unknown; typing?: unknown };
        if (typeof user === 'string' && user !== userId && typeof typing === 'number')
          if (now - typing < TYPING_MS) ids.add(user);
      }
      setTypists((before) => {
        const next = [...ids].sort();
        return next.join() === before.join() ? before : next;
      });
    };
    awareness.on('change', refresh);
    // Expire typists whose last announcement is old even when no awareness message arrives.
    const timer = setInterval(refresh, 1_000);
    return () => {
      awareness.off('change', refresh);
      clearInterval(timer);
    };
  }, [open, userId]);
  const announced = useRef(0);
  return {
    typists,
    typing() {
      const now = Date.now();
      if (!open || now - announced.current < ANNOUNCE_EVERY_MS) return;
      announced.current = now;
      open.provider.awareness.setLocalStateField('typing', now);
    },
    stopped() {
      announced.current = 0;
      open?.provider.awareness.setLocalStateField('typing', null);
    },
  };
}

/** "Ada is typing…", "Ada and Bob are typing…", "Several people are typing…". */
export function typingLine(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}
