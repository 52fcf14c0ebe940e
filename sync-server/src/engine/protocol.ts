import {
  MessageType,
  PRESENCE_WATCH_MAX,
  type ReportedPresence,
  SyncStep,
  UUID_PATTERN,
} from '@confab/db/model';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** The server's frames, encoded and decoded; the constants are shared with clients (wire.ts). */
export { MessageType } from '@confab/db/model';

export function encode(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const syncStep1 = (stateVector: Uint8Array) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, SyncStep.step1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const syncStep2 = (update: Uint8Array) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, SyncStep.step2);
    encoding.writeVarUint8Array(e, update);
  });

export const syncUpdate = (update: Uint8Array) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    encoding.writeVarUint(e, SyncStep.update);
    encoding.writeVarUint8Array(e, update);
  });

export const awarenessMessage = (update: Uint8Array) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.awareness);
    encoding.writeVarUint8Array(e, update);
  });

export const persistedMessage = (stateVector: Uint8Array) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.persisted);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const rejectedMessage = (reason: string, detail: string) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.rejected);
    encoding.writeVarString(e, reason);
    encoding.writeVarString(e, detail);
  });

export const activityMessage = (json: string) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.activity);
    encoding.writeVarString(e, json);
  });

export const presenceMessage = (json: string) =>
  encode((e) => {
    encoding.writeVarUint(e, MessageType.presence);
    encoding.writeVarString(e, json);
  });

export type ClientMessage =
  | { type: 'presenceReport'; state: ReportedPresence }
  | { type: 'presenceWatch'; users: string[] }
  | { type: 'step1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'queryAwareness' }
  | { type: 'auth' };

export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

/** Decodes one client frame; anything else than exactly one well-formed message is malformed. */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    let message: ClientMessage;
    if (type === MessageType.sync) {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SyncStep.step1) message = { type: 'step1', stateVector: payload };
      else if (step === SyncStep.step2 || step === SyncStep.update)
        message = { type: 'update', update: payload };
      else throw new MalformedMessage(`unknown sync step ${step}`);
    } else if (type === MessageType.awareness) {
      message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
    } else if (type === MessageType.queryAwareness) {
      message = { type: 'queryAwareness' };
    } else if (type === MessageType.auth) {
      // y-websocket's auth message carries a permission string the server alone decides; ignore it.
      decoding.readVarString(decoder);
      message = { type: 'auth' };
    } else if (type === MessageType.presenceReport) {
      message = {
        type: 'presenceReport',
        state: parsePresenceReport(decoding.readVarString(decoder)),
      };
    } else if (type === MessageType.presenceWatch) {
      message = {
        type: 'presenceWatch',
        users: parsePresenceWatch(decoding.readVarString(decoder)),
      };
    } else {
      throw new MalformedMessage(`unknown message type ${type}`);
    }
    if (decoding.hasContent(decoder))
      throw new MalformedMessage('trailing bytes after the message');
    return message;
  } catch (error) {
    if (error instanceof MalformedMessage) throw error;
    throw new MalformedMessage((error as Error).message);
  }
}

/** A JSON object with exactly these keys, or malformed. */
function jsonObject(text: string, keys: readonly string[]): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedMessage('presence payload is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedMessage('presence payload is not an object');
  const found = Object.keys(value);
  if (found.length !== keys.length || !keys.every((key) => found.includes(key)))
    throw new MalformedMessage(`presence payload must have exactly ${keys.join(', ')}`);
  return value as Record<string, unknown>;
}

/** 103: `{"state":"active"|"away"}`. */
function parsePresenceReport(text: string): ReportedPresence {
  const { state } = jsonObject(text, ['state']);
  if (state !== 'active' && state !== 'away')
    throw new MalformedMessage('presence state must be active or away');
  return state;
}

/** 104: `{"users":[uuid, ...]}`, at most PRESENCE_WATCH_MAX lower-case UUIDs. */
function parsePresenceWatch(text: string): string[] {
  const { users } = jsonObject(text, ['users']);
  if (!Array.isArray(users)) throw new MalformedMessage('users must be a list');
  if (users.length > PRESENCE_WATCH_MAX)
    throw new MalformedMessage(`at most ${PRESENCE_WATCH_MAX} users per watch`);
  for (const id of users)
    if (typeof id !== 'string' || !UUID_PATTERN.test(id))
      throw new MalformedMessage('users must be user ids');
  return users as string[];
}
