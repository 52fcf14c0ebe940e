import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docName, schema, sessionKey } from '@confab/db';
import { MESSAGES, postMessage, readMessages, SEGMENT_BOUND } from '@confab/db/model';
import { startProcess, tsEntry } from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import { openServiceBackends, startTestServices } from '@confab/db/testing/services';
import { eq, sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { issueSyncTicket } from '../src/tickets';
import { peakRssMiB } from './process-stats';

/**
 * Opening a channel [S6]: time from connecting to the newest 50 messages on screen, for a channel
 * with 100 messages and one with 100,000 (in segments of 1,000), and for comparison one doc
 * holding all 100,000 (what segments avoid). Cold (the server loads the doc from Postgres) and
 * warm (already loaded). BENCH_HISTORY_MESSAGES changes the large channel's size.
 */
const LARGE = Number(process.env.BENCH_HISTORY_MESSAGES ?? 100_000);
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../..');

/** Segment docs of `perSegment` messages each, as one log row per segment. */
function segmentUpdates(total: number, perSegment: number, author: string) {
  const updates: Array<{ index: number; update: Uint8Array; clientId: number }> = [];
  const start = Date.now() - total * 1000;
  for (let index = 0; index * perSegment < total; index++) {
    const doc = new Y.Doc();
    const count = Math.min(perSegment, total - index * perSegment);
    doc.transact(() => {
      for (let i = 0; i < count; i++) {
        const n = index * perSegment + i;
        postMessage(doc, { author, text: `message ${n}: lunch at noon?`, now: start + n * 1000 });
      }
    });
    updates.push({ index, update: Y.encodeStateAsUpdate(doc), clientId: doc.clientID });
  }
  return updates;
}

async function main() {
  const services = await startTestServices();
  const database = await services.freshDatabase();
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const backends = await openServiceBackends(
    database.url,
    services.redis.url,
    prefix,
    'confab-history-bench',
  );
  const db = backends.database.db;
  try {
    const [user] = await db
      .insert(schema.users)
      .values({ email: `bench-${randomUUID()}@example.com`, name: 'Bench' })
      .returning();
    const [workspace] = await db
      .insert(schema.workspaces)
      .values({ name: 'Bench', slug: `bench-${randomUUID()}` })
      .returning();
    if (!user || !workspace) throw new Error('seed failed');
    await db
      .insert(schema.workspaceMembers)
      .values({ workspaceId: workspace.id, userId: user.id, role: 'member' });

    const shapes = [
      { label: `${100} messages`, total: 100, perSegment: SEGMENT_BOUND.messages },
      {
        label: `${LARGE.toLocaleString('en')} messages, segments`,
        total: LARGE,
        perSegment: SEGMENT_BOUND.messages,
      },
      { label: `${LARGE.toLocaleString('en')} messages, one doc`, total: LARGE, perSegment: LARGE },
    ];
    const channels: Array<{
      label: string;
      name: string;
      total: number;
      headCount: number;
      seedMs: number;
    }> = [];
    for (const shape of shapes) {
      const seeded = performance.now();
      const [channel] = await db
        .insert(schema.channels)
        .values({ workspaceId: workspace.id, kind: 'public', name: `c-${channels.length}` })
        .returning();
      if (!channel) throw new Error('no channel');
      await db.insert(schema.channelMembers).values({ channelId: channel.id, userId: user.id });
      const segments = segmentUpdates(shape.total, shape.perSegment, user.id);
      for (const { index, update, clientId } of segments) {
        const name = docName({ kind: 'segment', channelId: channel.id, index });
        await db
          .insert(schema.docUpdates)
          .values({ docName: name, update, clientId, userId: user.id });
        await db.insert(schema.docClientIds).values({ docName: name, clientId, userId: user.id });
      }
      const head = segments.length - 1;
      await db
        .update(schema.channels)
        .set({ headSegment: head })
        .where(eq(schema.channels.id, channel.id));
      channels.push({
        label: shape.label,
        name: docName({ kind: 'segment', channelId: channel.id, index: head }),
        total: shape.total,
        headCount: shape.total - head * shape.perSegment,
        seedMs: performance.now() - seeded,
      });
    }

    const serverEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: services.redis.url,
      REDIS_KEY_PREFIX: prefix,
    };
    const entry = tsEntry(join(here, 'servers', 'confab.ts'));
    let server = await startProcess(entry, serverEnv, repoRoot);
    // Tickets are honoured only while their session lives (the API would keep this one).
    await backends.kv.set(sessionKey('bench'), JSON.stringify({ id: 'bench', userId: user.id }));
    const open = async (name: string) => {
      const { ticket } = await issueSyncTicket(backends.kv, {
        userId: user.id,
        sessionId: 'bench',
      });
      const started = performance.now();
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/sync`, name, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { ticket },
      });
      await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
      const newest = readMessages(doc).slice(-50);
      const ms = performance.now() - started;
      if (newest.length !== Math.min(50, doc.getMap(MESSAGES).size))
        throw new Error('not rendered');
      provider.destroy();
      doc.destroy();
      return ms;
    };
    // The seeded history went straight into the log: a first open projects it (as after a
    // crash), then a fresh server process measures opening as users would.
    const projectedIn: number[] = [];
    for (const channel of channels) {
      const started = performance.now();
      await open(channel.name);
      for (;;) {
        const [row] = await db
          .select({ count: sql<number>`count(*)::int` })
          .from(schema.messages)
          .where(eq(schema.messages.docName, channel.name));
        if ((row?.count ?? 0) >= channel.headCount) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      projectedIn.push(performance.now() - started);
    }
    await server.stop();
    server = await startProcess(entry, serverEnv, repoRoot);
    const pid = server.child.pid ?? 0;
    const rows = [];
    for (const [index, channel] of channels.entries()) {
      const cold = await open(channel.name);
      const warm = await open(channel.name);
      rows.push({
        channel: channel.label,
        'cold open ms': Number(cold.toFixed(1)),
        'warm open ms': Number(warm.toFixed(1)),
        'server peak RSS MiB': Number(peakRssMiB(pid).toFixed(1)),
        'first projection ms': Math.round(projectedIn[index] ?? 0),
      });
    }
    await server.stop();
    console.info('\nopening a channel: connect to the head segment until the newest 50 are read\n');
    console.table(rows);
    await writeBenchResults('history', { large: LARGE, rows, seeded: channels });
  } finally {
    await backends.close();
    await database.drop();
    await services.stop();
  }
  process.exit(0);
}

await main();
