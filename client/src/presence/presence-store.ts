import type { Presence } from '@confab/db/model';

export type { Presence } from '@confab/db/model';

const PRESENCES: ReadonlySet<string> = new Set(['active', 'away', 'offline']);

/** What one 105 frame says, with anything malformed left out. */
export interface ParsedPresence {
  users: Map<string, Presence>;
  statuses: string[];
}

/**
 * Reads a 105 payload: `{"users":{"<id>":"active"|"away"|"offline"},"statuses":["<id>"]}`,
 * either key absent. A frame that is not that shape yields nothing (the next snapshot corrects
 * it); stray entries are skipped one by one.
 */
export function parsePresenceFrame(json: string): ParsedPresence {
  const frame: ParsedPresence = { users: new Map(), statuses: [] };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return frame;
  }
  if (typeof value !== 'object' || value === null) return frame;
  const { users, statuses } = value as { users?: unknown; statuses?: unknown };
  if (typeof users === 'object' && users !== null && !Array.isArray(users))
    for (const [id, presence] of Object.entries(users))
      if (typeof presence === 'string' && PRESENCES.has(presence))
        frame.users.set(id, presence as Presence);
  if (Array.isArray(statuses))
    frame.statuses = statuses.filter((id): id is string => typeof id === 'string');
  return frame;
}

/** The presence of watched users, as the server last said; components subscribe to it. */
export class PresenceStore {
  private readonly presence = new Map<string, Presence>();
  private readonly listeners = new Set<() => void>();

  get(userId: string): Presence | undefined {
    return this.presence.get(userId);
  }

  apply(users: ReadonlyMap<string, Presence>): void {
    if (!users.size) return;
    for (const [id, presence] of users) this.presence.set(id, presence);
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
