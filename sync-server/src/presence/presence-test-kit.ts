import { CloseCode, MessageType, type PresenceFrame } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { encode } from '../engine/protocol';

/** A 103 or 104 frame carrying `payload` as its string (JSON, or anything a hostile client sends). */
export const presenceFrame = (
  type: typeof MessageType.presenceReport | typeof MessageType.presenceWatch,
  payload: string,
) =>
  encode((e) => {
    encoding.writeVarUint(e, type);
    encoding.writeVarString(e, payload);
  });

export const report = (state: string) =>
  presenceFrame(MessageType.presenceReport, JSON.stringify({ state }));
export const watch = (users: readonly string[]) =>
  presenceFrame(MessageType.presenceWatch, JSON.stringify({ users }));

/**
 * A raw client socket on a doc, as the web client's always-open one (`acks=1` unless told
 * otherwise), keeping every 105 it hears and how it closed.
 */
export async function presenceSocket(
  syncUrl: string,
  docName: string,
  ticket: string,
  { acks = true }: { acks?: boolean } = {},
) {
  const socket = new WebSocket(
    `${syncUrl}/${docName}?ticket=${encodeURIComponent(ticket)}${acks ? '&acks=1' : ''}`,
  );
  const frames: PresenceFrame[] = [];
  let closeCode: number | null = null;
  socket.on('message', (data) => {
    const decoder = decoding.createDecoder(new Uint8Array(data as Buffer));
    if (decoding.readVarUint(decoder) === MessageType.presence)
      frames.push(JSON.parse(decoding.readVarString(decoder)) as PresenceFrame);
  });
  socket.on('close', (code) => {
    closeCode = code;
  });
  await new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  return {
    socket,
    frames,
    get closeCode() {
      return closeCode;
    },
    send: (frame: Uint8Array) => socket.send(frame),
    /** The presence of `userId` in the latest frame that names it. */
    presenceOf(userId: string) {
      for (let i = frames.length - 1; i >= 0; i--) {
        const seen = frames[i]?.users?.[userId];
        if (seen) return seen;
      }
      return undefined;
    },
    /** Waits until the latest news of `userId` is `presence`. */
    until(userId: string, presence: string, timeoutMs = 10_000) {
      return waitFor(
        `${userId} ${presence}`,
        () => (this.presenceOf(userId) === presence ? true : undefined),
        { timeoutMs },
      );
    },
    closed: () =>
      waitFor('the socket to close', () => closeCode ?? undefined, { timeoutMs: 5_000 }),
    close: () => socket.close(),
  };
}

export const MALFORMED = CloseCode.malformed;
