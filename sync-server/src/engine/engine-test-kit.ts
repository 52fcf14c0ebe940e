import { randomUUID } from 'node:crypto';
import { type Database, openPostgres, schema } from '@confab/db';
import { MessageType, SyncStep } from '@confab/db/model';
import { useTestDatabase } from '@confab/db/testing';
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe } from 'vitest';
import { createClientIdRegistry } from '../persistence/client-ids';
import { createDocLog } from '../persistence/doc-log';
import { createMemoryClientIdRegistry } from '../persistence/memory-client-ids';
import { createMemoryDocLog } from '../persistence/memory-doc-log';
import type { ClientIdRegistry, DocLog, SyncConnection } from './ports';

/** The ports an engine test runs on, and two users they know. */
export interface EnginePorts {
  readonly log: DocLog;
  readonly clientIds: ClientIdRegistry;
  readonly ada: string;
  readonly bob: string;
}

/**
 * Test support: runs `body` on the in-memory ports (no database at all) and again on the Postgres
 * ones (this file's own database, with Ada and Bob inserted). `ports` is read inside tests only.
 * `-t memory` runs the first alone.
 */
export function describeOnPorts(title: string, body: (ports: () => EnginePorts) => void): void {
  describe(`${title} on memory`, () => {
    let ports: EnginePorts | undefined;
    beforeAll(() => {
      ports = {
        log: createMemoryDocLog(),
        clientIds: createMemoryClientIdRegistry(),
        ada: randomUUID(),
        bob: randomUUID(),
      };
    });
    body(() => ready(ports));
  });
  describe(`${title} on postgres`, () => {
    const testDb = useTestDatabase();
    let database: Database | undefined;
    let ports: EnginePorts | undefined;
    beforeAll(async () => {
      database = await openPostgres(testDb.url, { poolSize: 2 });
      const users = await database.db
        .insert(schema.users)
        .values(
          ['ada', 'bob'].map((name) => ({ email: `${name}-${randomUUID()}@example.com`, name })),
        )
        .returning();
      ports = {
        log: createDocLog(database.db),
        clientIds: createClientIdRegistry(database.db),
        ada: users[0]?.id ?? '',
        bob: users[1]?.id ?? '',
      };
    });
    afterAll(() => database?.close());
    body(() => ready(ports));
  });
}

const ready = (ports: EnginePorts | undefined): EnginePorts => {
  if (!ports) throw new Error('describeOnPorts: read the ports inside a test or hook');
  return ports;
};

/** A connection that keeps what the room sends it and how it was closed. */
export interface TestConnection extends SyncConnection {
  readonly frames: Uint8Array[];
  closed: { code: number; reason: string } | null;
}

export function testConnection(
  userId: string,
  {
    readOnly = false,
    wantsAcks = true,
    may = { post: true, react: true, moderate: false },
  }: Partial<Pick<SyncConnection, 'readOnly' | 'wantsAcks' | 'may'>> = {},
): TestConnection {
  const frames: Uint8Array[] = [];
  return {
    userId,
    sessionId: randomUUID(),
    readOnly,
    wantsAcks,
    may,
    frames,
    closed: null,
    send(frame) {
      frames.push(frame);
    },
    close(code, reason) {
      this.closed = { code, reason };
    },
  };
}

/** A server frame, read as far as the tests need. */
export type ServerFrame =
  | { type: 'step1' | 'step2' | 'update'; payload: Uint8Array }
  | { type: 'persisted'; stateVector: Uint8Array }
  | { type: 'rejected'; reason: string }
  | { type: 'awareness' | 'other' };

export function readFrame(frame: Uint8Array): ServerFrame {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  if (type === MessageType.sync) {
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    const name = step === SyncStep.step1 ? 'step1' : step === SyncStep.step2 ? 'step2' : 'update';
    return { type: name, payload };
  }
  if (type === MessageType.persisted)
    return { type: 'persisted', stateVector: decoding.readVarUint8Array(decoder) };
  if (type === MessageType.rejected)
    return { type: 'rejected', reason: decoding.readVarString(decoder) };
  return { type: type === MessageType.awareness ? 'awareness' : 'other' };
}

export const framesOf = (connection: TestConnection) => connection.frames.map(readFrame);
