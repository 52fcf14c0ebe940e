import type { DecodedUpdate } from '@confab/db/model';
import * as Y from 'yjs';

/** Whether a decoded update inserts or deletes anything. */
export const changesSomething = (update: DecodedUpdate) =>
  update.structs.length > 0 || update.ds.clients.size > 0;

/** The client ids whose structs an update holds. */
export const writersOf = (update: DecodedUpdate) => [
  ...new Set(update.structs.filter((s) => !(s instanceof Y.Skip)).map((s) => s.id.client)),
];

/** Whether some client's first new struct starts after the clock `doc` has for that client. */
export function startsBeyond(doc: Y.Doc, update: DecodedUpdate): boolean {
  const first = new Map<number, number>();
  for (const { id } of update.structs)
    first.set(id.client, Math.min(first.get(id.client) ?? id.clock, id.clock));
  for (const [client, clock] of first) if (clock > Y.getState(doc.store, client)) return true;
  return false;
}

/**
 * What of `update` `doc` lacks. A live update only continues its clients' clocks: it is new as
 * it is. Only one that repeats what the doc has (a catch-up after reconnecting) is cut down.
 */
export function newPart(
  doc: Y.Doc,
  update: Uint8Array,
): { news: Uint8Array; decoded: DecodedUpdate } {
  const whole = Y.decodeUpdate(update);
  const repeats = whole.structs.some(
    (struct) => struct.id.clock < Y.getState(doc.store, struct.id.client),
  );
  if (!repeats) return { news: update, decoded: whole };
  const news = Y.diffUpdate(update, Y.encodeStateVector(doc));
  return { news, decoded: Y.decodeUpdate(news) };
}
