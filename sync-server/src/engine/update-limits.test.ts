import { seededRandom } from '@confab/db/testing';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { updateNamingClients } from '../sync-test-kit';
import { encode } from './protocol';
import { assertUpdateWithinLimits, UPDATE_LIMITS, UpdateOutOfLimits } from './update-limits';

/** Honest updates of every content kind Yjs has, from edits made by real docs. */
function honestUpdates(seed: number): Uint8Array[] {
  const next = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)] as T;
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const map = doc.getMap('messages');
  const text = doc.getText('text');
  const array = doc.getArray('array');
  const xml = doc.getXmlFragment('xml');
  for (let step = 0; step < 60; step++) {
    const op = pick([
      'map',
      'nested',
      'text',
      'format',
      'embed',
      'array',
      'binary',
      'xml',
      'delete',
      'subdoc',
    ]);
    switch (op) {
      case 'map':
        map.set(
          `k${Math.floor(next() * 10)}`,
          pick<unknown>([1, 'two', null, true, 3.5, { a: [1, { b: 'c' }] }, [1, 2, 3], 2n ** 40n]),
        );
        break;
      case 'nested': {
        const message = new Y.Map<unknown>();
        map.set(`m${step}`, message);
        message.set('text', `hello ${step}`);
        message.set('reactions', new Y.Map());
        break;
      }
      case 'text':
        text.insert(Math.floor(next() * (text.length + 1)), 'héllo 🌍 ');
        break;
      case 'format':
        if (text.length > 2) text.format(0, 2, { bold: true });
        break;
      case 'embed':
        text.insertEmbed(0, { image: 'x.png' });
        break;
      case 'array':
        array.push([step, `s${step}`, { n: step }]);
        break;
      case 'binary':
        array.push([new Uint8Array([0, 255, step % 256])]);
        break;
      case 'xml': {
        const element = new Y.XmlElement('p');
        element.setAttribute('class', 'x');
        element.insert(0, [new Y.XmlText('xml text')]);
        // XmlHook is a content kind of its own; its typing does not admit it into a fragment.
        xml.push([element, new Y.XmlHook('hook') as unknown as Y.XmlElement]);
        break;
      }
      case 'delete':
        if (text.length > 3) text.delete(1, 2);
        if (array.length > 1) array.delete(0, 1);
        map.delete(`k${Math.floor(next() * 10)}`);
        break;
      case 'subdoc':
        map.set(`doc${step}`, new Y.Doc());
        break;
    }
  }
  return [...updates, Y.encodeStateAsUpdate(doc)];
}

const enc = (write: (e: encoding.Encoder) => void) => encode(write);
/** Header of an update with one client writing `structs` structs from clock 0. */
const header = (e: encoding.Encoder, structs: number, client = 7) => {
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, structs);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0);
};

describe('update limits', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_999]) {
    it(`accepts every honest update (seed ${seed})`, () => {
      for (const update of honestUpdates(seed))
        expect(() => assertUpdateWithinLimits(update)).not.toThrow();
    });
  }

  it('accepts the empty update', () => {
    expect(() => assertUpdateWithinLimits(Y.encodeStateAsUpdate(new Y.Doc()))).not.toThrow();
  });

  it.each([
    ['no bytes', new Uint8Array()],
    [
      'a GC range to clock 2^40',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 0);
        encoding.writeVarUint(e, 2 ** 40);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'a skip range to clock 2^50',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 10);
        encoding.writeVarUint(e, 2 ** 50);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'a deleted run of 2^40',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 1);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 'm');
        encoding.writeVarUint(e, 2 ** 40);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'a delete range of 2^40',
      enc((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 7);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2 ** 40);
      }),
    ],
    [
      'a billion claimed structs',
      enc((e) => {
        header(e, 1_000_000_000);
        encoding.writeUint8(e, 0);
        encoding.writeVarUint(e, 1);
      }),
    ],
    [
      '4,294,967,295 claimed clients',
      enc((e) => {
        encoding.writeVarUint(e, 2 ** 32 - 1);
        encoding.writeVarUint(e, 0);
      }),
    ],
    ['5,000 client ids', updateNamingClients(5000)],
    [
      'a value nested 10,000 deep',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 8);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 'm');
        encoding.writeVarUint(e, 1);
        for (let d = 0; d < 10_000; d++) {
          encoding.writeUint8(e, 117);
          encoding.writeVarUint(e, 1);
        }
        encoding.writeUint8(e, 126);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'an unknown content kind',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 11 | 0b10000000);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'an unknown type',
      enc((e) => {
        header(e, 1);
        encoding.writeUint8(e, 7);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, 'm');
        encoding.writeVarUint(e, 99);
        encoding.writeVarUint(e, 0);
      }),
    ],
    [
      'a truncated update',
      (() => {
        const full = honestUpdates(5).at(-1) ?? new Uint8Array();
        return full.subarray(0, full.length - 3);
      })(),
    ],
    [
      'trailing bytes',
      (() => {
        const full = honestUpdates(6).at(-1) ?? new Uint8Array();
        return new Uint8Array([...full, 0]);
      })(),
    ],
  ])('refuses %s, in linear time', (_name, update) => {
    expect(() => assertUpdateWithinLimits(update)).toThrow(UpdateOutOfLimits);
  });

  it('counts structs across clients against one budget', () => {
    const perClient = 200;
    const clients = Math.ceil(UPDATE_LIMITS.maxStructs / perClient) + 1;
    const update = enc((e) => {
      encoding.writeVarUint(e, Math.min(clients, UPDATE_LIMITS.maxClients));
      for (let c = 0; c < Math.min(clients, UPDATE_LIMITS.maxClients); c++) {
        encoding.writeVarUint(e, perClient);
        encoding.writeVarUint(e, c + 1);
        encoding.writeVarUint(e, 0);
        for (let s = 0; s < perClient; s++) {
          encoding.writeUint8(e, 10);
          encoding.writeVarUint(e, 1);
        }
      }
      encoding.writeVarUint(e, 0);
    });
    expect(() => assertUpdateWithinLimits(update, { ...UPDATE_LIMITS, maxStructs: 1000 })).toThrow(
      /structs/,
    );
  });
});
