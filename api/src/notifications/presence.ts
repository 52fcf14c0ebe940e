/** A user's presence as the presence module reads it (design #18 section 2). */
export type Presence = 'active' | 'away' | 'offline';

/**
 * The presence module's read side as a plain function port (`backends.presence.read`): absent
 * users are `offline`. The notifier asks it for `@here`, the mail job for who is offline.
 */
export type PresenceLookup = (userIds: readonly string[]) => Promise<Map<string, Presence>>;

/** For a process without presence: nobody is active, so `@here` reaches no one. */
export const nobodyPresent: PresenceLookup = async () => new Map();
