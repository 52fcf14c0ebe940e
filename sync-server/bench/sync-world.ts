import { randomUUID } from 'node:crypto';
import { type Backends, docName, schema, sessionKey } from '@confab/db';
import { postMessage } from '@confab/db/model';
import * as Y from 'yjs';
import { issueSyncTicket } from '../src/tickets';

/** How many clients share how many docs in a phase; client i opens doc floor(i / perDoc). */
export interface PhaseShape {
  clients: number;
  docs: number;
}

export interface WorldShape {
  relay: PhaseShape;
  /** The 1,000-client phase; null skips it. */
  large: PhaseShape | null;
  /** Throughput writers, one doc each; 0 skips them. */
  writers: number;
  /** The big doc for the load and compaction stall; null skips it. */
  bigDoc: { messages: number; chars: number } | null;
}

export interface BigDoc {
  docName: string;
  /** The client index (user) that may open it. */
  clientIndex: number;
  messages: number;
  /** Its state as one update (Y.encodeStateAsUpdate), the size a load reads and sends. */
  bytes: number;
}

export interface ConfabWorld {
  relayDocs: string[];
  largeDocs: string[];
  writerDocs: string[];
  /** The big doc's channel; `write` logs its content (the server should not be busy with it before). */
  bigDoc: { docName: string; clientIndex: number; write(): Promise<BigDoc> } | null;
  /** A fresh single-use ticket for client `clientIndex` (user `clientIndex`). */
  identity(clientIndex: number): Promise<{ userId: string; ticket: string }>;
}

const FILLER =
  'Standup moved to 10:30, notes in the channel topic. Ping me if it clashes with the review. ';
const segmentName = (channelId: string) => docName({ kind: 'segment', channelId, index: 0 });

/**
 * A workspace with one public channel per doc of every phase; each client index is a user of its
 * own, a member of exactly the channel its phase opens for it (client i of a phase with `perDoc`
 * clients per doc: channel floor(i / perDoc)). Works on Postgres and on PGlite (embedded mode).
 */
export async function seedConfabWorld(backends: Backends, shape: WorldShape): Promise<ConfabWorld> {
  const db = backends.database.db;
  const people = Math.max(shape.relay.clients, shape.large?.clients ?? 0, shape.writers, 1);
  const users = await db
    .insert(schema.users)
    .values(
      Array.from({ length: people }, (_, i) => ({
        email: `bench-${i}-${randomUUID()}@example.com`,
        name: `bench ${i}`,
      })),
    )
    .returning({ id: schema.users.id });
  const userAt = (index: number) => {
    const user = users[index];
    if (!user) throw new Error(`no bench user ${index}`);
    return user.id;
  };
  const [workspace] = await db
    .insert(schema.workspaces)
    .values({ name: 'Bench', slug: `bench-${randomUUID()}` })
    .returning();
  if (!workspace) throw new Error('no workspace');
  await db
    .insert(schema.workspaceMembers)
    .values(
      users.map(({ id }) => ({ workspaceId: workspace.id, userId: id, role: 'member' as const })),
    );

  const memberships: Array<{ channelId: string; userId: string }> = [];
  let channelCount = 0;
  const addChannels = async (count: number, perDoc: number): Promise<string[]> => {
    if (count === 0) return [];
    const channels = await db
      .insert(schema.channels)
      .values(
        Array.from({ length: count }, () => ({
          workspaceId: workspace.id,
          kind: 'public' as const,
          name: `bench-${channelCount++}`,
        })),
      )
      .returning({ id: schema.channels.id });
    channels.forEach(({ id }, doc) => {
      for (let i = doc * perDoc; i < (doc + 1) * perDoc; i++)
        memberships.push({ channelId: id, userId: userAt(i) });
    });
    return channels.map(({ id }) => segmentName(id));
  };
  const relayDocs = await addChannels(shape.relay.docs, shape.relay.clients / shape.relay.docs);
  const largeDocs = shape.large
    ? await addChannels(shape.large.docs, shape.large.clients / shape.large.docs)
    : [];
  const writerDocs = await addChannels(shape.writers, 1);
  const [bigDocName] = shape.bigDoc ? await addChannels(1, 1) : [];
  for (let start = 0; start < memberships.length; start += 1_000)
    await db.insert(schema.channelMembers).values(memberships.slice(start, start + 1_000));

  const bigShape = shape.bigDoc;
  const bigDoc =
    bigShape && bigDocName
      ? {
          docName: bigDocName,
          clientIndex: 0,
          write: () => writeBigDoc(backends, bigDocName, userAt(0), bigShape),
        }
      : null;

  return {
    relayDocs,
    largeDocs,
    writerDocs,
    bigDoc,
    async identity(clientIndex) {
      const userId = userAt(clientIndex);
      const sessionId = `bench-${clientIndex}`;
      // Tickets are honoured only while their session lives (the API would keep this one).
      await backends.kv.set(sessionKey(sessionId), JSON.stringify({ id: sessionId, userId }));
      const { ticket } = await issueSyncTicket(backends.kv, { userId, sessionId });
      return { userId, ticket };
    },
  };
}

/**
 * A segment doc as big as the limits allow by default: `messages` posts (the segment's hard cap
 * is 2,000) of `chars` characters each, written through the model's writer by one client and
 * logged one update per message, as a server would have logged them; never compacted yet.
 */
async function writeBigDoc(
  backends: Backends,
  name: string,
  userId: string,
  { messages, chars }: { messages: number; chars: number },
): Promise<BigDoc> {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = FILLER.repeat(Math.ceil(chars / FILLER.length))
    .slice(0, chars)
    .trim();
  for (let i = 0; i < messages; i++) postMessage(doc, { author: userId, text: `${i} ${text}` });
  const db = backends.database.db;
  await db.insert(schema.docClientIds).values({ docName: name, clientId: doc.clientID, userId });
  for (let start = 0; start < updates.length; start += 200) {
    await db.insert(schema.docUpdates).values(
      updates.slice(start, start + 200).map((update) => ({
        docName: name,
        update,
        clientId: doc.clientID,
        userId,
      })),
    );
  }
  const bytes = Y.encodeStateAsUpdate(doc).byteLength;
  doc.destroy();
  return { docName: name, clientIndex: 0, messages, bytes };
}
