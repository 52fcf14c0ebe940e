import * as decoding from 'lib0/decoding';

/**
 * Limits on one incoming Yjs update (format v1, as y-websocket sends). A chat doc update from an
 * honest client holds one or a few clients and a handful of structs; these are far above that.
 */
export const UPDATE_LIMITS = {
  /** Distinct client ids in one update. */
  maxClients: 256,
  /** Structs (items, GC and skip ranges) in one update. */
  maxStructs: 50_000,
  /** Delete ranges in one update. */
  maxDeleteRanges: 50_000,
  /** Clocks are counters of inserted units: nothing honest comes near 2^32. */
  maxClock: 2 ** 32,
  /** Nesting of JSON-like values. */
  maxDepth: 32,
} as const;

export type UpdateLimits = { [K in keyof typeof UPDATE_LIMITS]: number };

/** `malformed`: the bytes are not an update at all; otherwise an update beyond the limits. */
export class UpdateOutOfLimits extends Error {
  override name = 'UpdateOutOfLimits';
  constructor(
    message: string,
    readonly malformed = false,
  ) {
    super(message);
  }
}

const BITS5 = 0b11111;
const BIT6 = 0b100000;
const BIT7 = 0b1000000;
const BIT8 = 0b10000000;

/**
 * Walks an update once, without building anything, and throws when it is malformed or claims
 * more than the limits: a crafted update costs its length in time and nothing in memory before
 * Yjs ever sees it (yjs issue 687). Every claimed count is also checked against the bytes left,
 * since each counted thing takes at least one byte.
 */
export function assertUpdateWithinLimits(
  update: Uint8Array,
  limits: UpdateLimits = UPDATE_LIMITS,
): void {
  const decoder = decoding.createDecoder(update);
  const fail = (what: string): never => {
    throw new UpdateOutOfLimits(what);
  };
  const malformed = (what: string): never => {
    throw new UpdateOutOfLimits(what, true);
  };
  const left = () => update.length - decoder.pos;
  const count = (what: string, max: number) => {
    const n = decoding.readVarUint(decoder);
    if (n > max || n > left()) fail(`${what}: ${n}`);
    return n;
  };
  const clock = (value: number) => (value > limits.maxClock ? fail(`clock ${value}`) : value);
  const id = () => {
    decoding.readVarUint(decoder);
    clock(decoding.readVarUint(decoder));
  };
  const any = (depth: number): void => {
    if (depth > limits.maxDepth) fail('value nested too deep');
    const type = decoding.readUint8(decoder);
    switch (type) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        return;
      case 125:
        decoding.readVarInt(decoder);
        return;
      case 124:
        decoding.readFloat32(decoder);
        return;
      case 123:
        decoding.readFloat64(decoder);
        return;
      case 122:
        decoding.readBigInt64(decoder);
        return;
      case 119:
        decoding.readVarString(decoder);
        return;
      case 118: {
        const n = count('object keys', limits.maxStructs);
        for (let i = 0; i < n; i++) {
          decoding.readVarString(decoder);
          any(depth + 1);
        }
        return;
      }
      case 117: {
        const n = count('array items', limits.maxStructs);
        for (let i = 0; i < n; i++) any(depth + 1);
        return;
      }
      case 116:
        decoding.readVarUint8Array(decoder);
        return;
      default:
        malformed(`unknown value type ${type}`);
    }
  };
  const content = (ref: number) => {
    switch (ref) {
      case 1: // deleted
        clock(decoding.readVarUint(decoder));
        return;
      case 2: {
        // JSON strings
        const n = count('JSON values', limits.maxStructs);
        for (let i = 0; i < n; i++) decoding.readVarString(decoder);
        return;
      }
      case 3: // binary
        decoding.readVarUint8Array(decoder);
        return;
      case 4: // string
      case 5: // embed (JSON text)
        decoding.readVarString(decoder);
        return;
      case 6: // format: key and JSON text
        decoding.readVarString(decoder);
        decoding.readVarString(decoder);
        return;
      case 7: {
        // type
        const typeRef = decoding.readVarUint(decoder);
        if (typeRef > 6) malformed(`unknown type ${typeRef}`);
        if (typeRef === 3 || typeRef === 5) decoding.readVarString(decoder); // XML element and hook names
        return;
      }
      case 8: {
        // any
        const n = count('values', limits.maxStructs);
        for (let i = 0; i < n; i++) any(0);
        return;
      }
      case 9: // subdocument: guid and options
        decoding.readVarString(decoder);
        any(0);
        return;
      default:
        malformed(`unknown content ${ref}`);
    }
  };

  try {
    const clients = count('clients', limits.maxClients);
    let structs = 0;
    for (let c = 0; c < clients; c++) {
      const n = count('structs', limits.maxStructs - structs);
      structs += n;
      decoding.readVarUint(decoder); // client id
      let at = clock(decoding.readVarUint(decoder));
      for (let s = 0; s < n; s++) {
        const info = decoding.readUint8(decoder);
        const ref = info & BITS5;
        if (ref === 0 || ref === 10) {
          at = clock(at + decoding.readVarUint(decoder)); // GC or skip range
          continue;
        }
        if (info & BIT8) id(); // origin
        if (info & BIT7) id(); // right origin
        if ((info & (BIT7 | BIT8)) === 0) {
          if (decoding.readVarUint(decoder) === 1)
            decoding.readVarString(decoder); // root type name
          else id(); // parent item
          if (info & BIT6) decoding.readVarString(decoder); // map key
        }
        content(ref);
        at = clock(at + 1); // a lower bound: content of length n advances the clock by n
      }
    }
    const deleteClients = count('delete clients', limits.maxClients);
    let ranges = 0;
    for (let c = 0; c < deleteClients; c++) {
      decoding.readVarUint(decoder); // client id
      const n = count('delete ranges', limits.maxDeleteRanges - ranges);
      ranges += n;
      for (let r = 0; r < n; r++) {
        const start = clock(decoding.readVarUint(decoder));
        clock(start + decoding.readVarUint(decoder));
      }
    }
    if (decoding.hasContent(decoder)) malformed('trailing bytes');
  } catch (error) {
    if (error instanceof UpdateOutOfLimits) throw error;
    throw new UpdateOutOfLimits(`malformed update: ${(error as Error).message}`, true);
  }
}
