/** Keys of the key-value store that more than one package reads. */

/** An API session (one refresh-token family): present while the session lives. */
export const sessionKey = (sessionId: string) => `session:${sessionId}`;
