/**
 * `presence.user.<userId>`: something about a user's presence or status changed. Payload (JSON):
 * `{ kind: 'presence', userId }` from a sync node after it wrote a change to the presence store
 * (listeners read the store: presence is aggregated over nodes), or `{ kind: 'status', userId }`
 * from the API after the user's custom status or DND changed or expired. A sync node follows a
 * user's topic only while one of its connections watches that user.
 */
export const presenceUserTopic = (userId: string) => `presence.user.${userId}`;

export interface PresenceEvent {
  kind: 'presence' | 'status';
  userId: string;
}

export const encodePresenceEvent = (event: PresenceEvent): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(event));

/** The event in a bus message, or null when it is not one (the bus carries no trust). */
export function decodePresenceEvent(message: Uint8Array): PresenceEvent | null {
  try {
    const value = JSON.parse(new TextDecoder().decode(message)) as Partial<PresenceEvent>;
    if ((value.kind === 'presence' || value.kind === 'status') && typeof value.userId === 'string')
      return { kind: value.kind, userId: value.userId };
  } catch {
    // not JSON: not an event
  }
  return null;
}
