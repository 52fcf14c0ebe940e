import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { encode } from '../engine/protocol';
import {
  type BusFrame,
  BusFrameKind,
  decodeBusFrame,
  encodeBusFrame,
  MalformedBusFrame,
  nodeIdPrefix,
  sentBy,
} from './bus-frames';

const node = 'node-a';
const bytes = (...values: number[]) => new Uint8Array(values);

describe('bus frames', () => {
  it('decodes what it encodes, for every kind', () => {
    const frames: BusFrame[] = [
      {
        kind: 'updates',
        node,
        frame: 7,
        updates: [
          { seq: 41, update: bytes(1, 2, 3) },
          { seq: 2 ** 40, update: bytes() },
        ],
      },
      { kind: 'awareness', node, update: bytes(9, 9) },
      { kind: 'hello', node },
      { kind: 'here', node, marker: 12, frame: 3 },
      { kind: 'bye', node },
    ];
    for (const frame of frames) expect(decodeBusFrame(encodeBusFrame(frame))).toEqual(frame);
  });

  it("recognises a node's own frames by their bytes, and no other node's", () => {
    const frame = encodeBusFrame({ kind: 'hello', node });
    expect(sentBy(frame, nodeIdPrefix(node))).toBe(true);
    expect(sentBy(frame, nodeIdPrefix('node-b'))).toBe(false);
    expect(sentBy(frame, nodeIdPrefix('node-'))).toBe(false);
    expect(sentBy(bytes(2), nodeIdPrefix(node))).toBe(false);
  });

  it('refuses unknown kinds, trailing bytes, truncation and claimed counts beyond the bytes', () => {
    const head = (kind: number) => (e: encoding.Encoder) => {
      encoding.writeVarUint(e, kind);
      encoding.writeVarString(e, node);
    };
    const hostile = [
      bytes(),
      encode(head(99)),
      new Uint8Array([...encodeBusFrame({ kind: 'bye', node }), 0]),
      encodeBusFrame({ kind: 'here', node, marker: 1, frame: 1 }).slice(0, -1),
      // A million updates claimed in a few bytes: refused before any is read.
      encode((e) => {
        head(BusFrameKind.updates)(e);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 1_000_000);
      }),
      encode((e) => {
        head(BusFrameKind.updates)(e);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint(e, 5);
        encoding.writeVarUint8Array(e, bytes(1));
      }),
    ];
    for (const frame of hostile) expect(() => decodeBusFrame(frame)).toThrow(MalformedBusFrame);
  });

  it('never reads past the frame into the rest of a larger buffer', () => {
    // A frame as a view into a pooled buffer: its payload claims 8 bytes, only 2 are the frame's.
    const frame = encode((e) => {
      encoding.writeVarUint(e, BusFrameKind.awareness);
      encoding.writeVarString(e, node);
      encoding.writeVarUint(e, 8);
      encoding.writeUint8(e, 1);
      encoding.writeUint8(e, 2);
    });
    const pool = new Uint8Array(frame.length + 64).fill(7);
    pool.set(frame, 16);
    const view = pool.subarray(16, 16 + frame.length);
    expect(() => decodeBusFrame(view)).toThrow(MalformedBusFrame);
  });
});
