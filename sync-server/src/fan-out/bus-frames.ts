import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encode } from '../engine/protocol';

/**
 * Frames sync nodes exchange on a doc's bus topic (`sync.doc.<name>`); PROTOCOL.md "Fan-out
 * between nodes". Each starts with its kind and the sending node's id.
 */
export const BusFrameKind = {
  /** Updates one node committed in one tick, in commit order, numbered per sender and doc. */
  updates: 0,
  awareness: 1,
  /** "I opened this doc" (or "my bus came back"): every node holding it answers with `here`. */
  hello: 2,
  /** "I hold this doc": the catch-up marker and the sender's last update frame number. */
  here: 3,
  /** "I closed this doc". */
  bye: 4,
} as const;

export interface CommittedUpdate {
  seq: number;
  update: Uint8Array;
}

export type BusFrame =
  | { kind: 'updates'; node: string; frame: number; updates: CommittedUpdate[] }
  | { kind: 'awareness'; node: string; update: Uint8Array }
  | { kind: 'hello'; node: string }
  | { kind: 'here'; node: string; marker: number; frame: number }
  | { kind: 'bye'; node: string };

export class MalformedBusFrame extends Error {
  override name = 'MalformedBusFrame';
}

/** At most this many updates in one frame: far above a tick's commits on one doc. */
export const MAX_UPDATES_PER_FRAME = 4_096;

/** The node id as frames carry it, to recognise a node's own frames without decoding them. */
export const nodeIdPrefix = (nodeId: string) => encode((e) => encoding.writeVarString(e, nodeId));

export function encodeBusFrame(frame: BusFrame): Uint8Array {
  return encode((e) => {
    encoding.writeVarUint(e, BusFrameKind[frame.kind]);
    encoding.writeVarString(e, frame.node);
    switch (frame.kind) {
      case 'updates':
        encoding.writeVarUint(e, frame.frame);
        encoding.writeVarUint(e, frame.updates.length);
        for (const { seq, update } of frame.updates) {
          encoding.writeVarUint(e, seq);
          encoding.writeVarUint8Array(e, update);
        }
        return;
      case 'awareness':
        encoding.writeVarUint8Array(e, frame.update);
        return;
      case 'here':
        encoding.writeVarUint(e, frame.marker);
        encoding.writeVarUint(e, frame.frame);
        return;
      case 'hello':
      case 'bye':
        return;
    }
  });
}

/** Whether `frame` was sent by the node whose encoded id is `prefix` (read, not decoded). */
export function sentBy(frame: Uint8Array, prefix: Uint8Array): boolean {
  // The kind is one byte: every kind is below 128.
  if (frame.length < 1 + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (frame[1 + i] !== prefix[i]) return false;
  return true;
}

/**
 * Decodes one frame from the bus. Payloads are views into `bytes` (no copy). Anything but exactly
 * one well-formed frame throws MalformedBusFrame: the bus is ours, but a frame from another
 * version of the server, or a corrupted one, must be dropped, not half-applied.
 */
export function decodeBusFrame(bytes: Uint8Array): BusFrame {
  try {
    const decoder = decoding.createDecoder(bytes);
    const kind = decoding.readVarUint(decoder);
    const node = decoding.readVarString(decoder);
    let frame: BusFrame;
    switch (kind) {
      case BusFrameKind.updates: {
        const number = decoding.readVarUint(decoder);
        const count = decoding.readVarUint(decoder);
        // Each entry takes at least two bytes: a claimed count cannot make us loop or allocate.
        if (count > MAX_UPDATES_PER_FRAME || count * 2 > bytes.length - decoder.pos)
          throw new MalformedBusFrame(`${count} updates claimed`);
        const updates: CommittedUpdate[] = [];
        for (let i = 0; i < count; i++) {
          const seq = decoding.readVarUint(decoder);
          updates.push({ seq, update: decoding.readVarUint8Array(decoder) });
        }
        frame = { kind: 'updates', node, frame: number, updates };
        break;
      }
      case BusFrameKind.awareness:
        frame = { kind: 'awareness', node, update: decoding.readVarUint8Array(decoder) };
        break;
      case BusFrameKind.hello:
        frame = { kind: 'hello', node };
        break;
      case BusFrameKind.here: {
        const marker = decoding.readVarUint(decoder);
        frame = { kind: 'here', node, marker, frame: decoding.readVarUint(decoder) };
        break;
      }
      case BusFrameKind.bye:
        frame = { kind: 'bye', node };
        break;
      default:
        throw new MalformedBusFrame(`unknown bus frame kind ${kind}`);
    }
    // Also catches a payload length past the end: lib0 makes its view on the underlying buffer,
    // which may be larger than the frame (a pooled Buffer), and moves past the frame's end.
    if (decoder.pos !== bytes.length) throw new MalformedBusFrame('trailing or missing bytes');
    return frame;
  } catch (error) {
    if (error instanceof MalformedBusFrame) throw error;
    throw new MalformedBusFrame((error as Error).message);
  }
}
