import { MessageType, type PresenceFrame, type ReportedPresence } from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The presence frames of sync-server/PROTOCOL.md "Presence", as the benchmark's clients and its
 * naive server speak them: a varuint message type, then one varstring of JSON.
 */
const frame = (type: number, body: unknown): Uint8Array => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarString(encoder, JSON.stringify(body));
  return encoding.toUint8Array(encoder);
};

export const reportFrame = (state: ReportedPresence) =>
  frame(MessageType.presenceReport, { state });
export const watchFrame = (users: readonly string[]) => frame(MessageType.presenceWatch, { users });
export const presenceFrame = (update: PresenceFrame) => frame(MessageType.presence, update);

/** A frame's type and, for the presence types, its JSON body; null for any other message. */
export function readPresenceFrame(data: Uint8Array): { type: number; body: unknown } | null {
  const decoder = decoding.createDecoder(data);
  const type = decoding.readVarUint(decoder);
  if (type < MessageType.presenceReport || type > MessageType.presence) return null;
  return { type, body: JSON.parse(decoding.readVarString(decoder)) };
}
