import type { RoomHooks } from './ports';

type Hook<A extends unknown[]> = ((...args: A) => void) | undefined;

/** One hook calling each given hook in turn; undefined when none is given. */
function each<A extends unknown[]>(hooks: Array<Hook<A>>): Hook<A> {
  const present = hooks.filter((hook): hook is (...args: A) => void => hook !== undefined);
  if (!present.length) return undefined;
  return (...args) => {
    for (const hook of present) hook(...args);
  };
}

/**
 * Several concerns' hooks as one (as Hocuspocus chains extensions): each hook runs every part's
 * in the order given. A hook no part has stays absent, which matters for `delivered` (a room
 * computes receipts only when someone records them).
 */
export function composeHooks(...parts: RoomHooks[]): RoomHooks {
  return {
    committed: each(parts.map((part) => part.committed?.bind(part))),
    delivered: each(parts.map((part) => part.delivered?.bind(part))),
    awareness: each(parts.map((part) => part.awareness?.bind(part))),
    error: each(parts.map((part) => part.error?.bind(part))),
  };
}
