import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, schema } from '@confab/db';
import { type ClientActivity, MessageType } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import { attachSync } from '@confab/sync-server';
import * as decoding from 'lib0/decoding';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { FileInfo } from '../../files/file-info';
import { callAs, ORIGIN, type Person } from '../auth/test-app';
import { person, teamWith, upload, useFileTestApis } from './file-test-app';

// The API and a sync server on one bus, as in one process of the real deployment: what the API
// and its file jobs publish reaches the sockets of the channel's members, and nobody else's.
const apis = useFileTestApis({}, { processIn: 'local' });
const api = () => apis('local');
let server: Server;
let stopSync: () => Promise<void>;
let syncUrl: string;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  server = createServer();
  const sync = await attachSync(server, api().backends, {
    allowedOrigins: [ORIGIN],
    logger: createLogger('silent'),
  });
  stopSync = sync.stop;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  syncUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
});
afterAll(async () => {
  for (const provider of providers) provider.destroy();
  await stopSync();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The user's always-open socket (their own doc, with acks as the web client asks), collecting 102. */
async function activityOf(who: Person): Promise<ClientActivity[]> {
  const ticket = await callAs<{ ticket: string }>(api().app, who, 'POST', '/api/sync/tickets');
  const provider = new WebsocketProvider(syncUrl, `user:${who.id}`, new Y.Doc(), {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { ticket: ticket.body.ticket, acks: '1' },
  });
  providers.push(provider);
  const heard: ClientActivity[] = [];
  provider.messageHandlers[MessageType.activity] = (
    _encoder: unknown,
    decoder: decoding.Decoder,
  ) => {
    // Several events of one tick come as one array (sync-server PROTOCOL.md "Activity").
    const events = JSON.parse(decoding.readVarString(decoder)) as ClientActivity | ClientActivity[];
    heard.push(...(Array.isArray(events) ? events : [events]));
  };
  await waitFor('sync', () => (provider.synced ? true : undefined));
  return heard;
}

const fileEvent = (heard: ClientActivity[], fileId: string, change: 'deleted' | 'processed') =>
  heard.find(
    (event) => event.kind === 'file' && event.fileId === fileId && event.change === change,
  );

const heardOf = (heard: ClientActivity[], fileId: string, change: 'deleted' | 'processed') =>
  waitFor(`${change} activity`, () => fileEvent(heard, fileId, change), {
    timeoutMs: 20_000,
  });

let png: Uint8Array;
beforeAll(async () => {
  png = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 90, b: 200 } },
  })
    .png()
    .toBuffer();
});

describe('file activity on the user doc socket', () => {
  it('tells the channel’s members when a file is processed and when it is deleted, and no one else', async () => {
    const ada = await person(api(), 'ada');
    const bob = await person(api(), 'bob');
    const eve = await person(api(), 'eve');
    const { workspaceId, channelId } = await teamWith(api(), ada, bob);
    // A workspace admin outside the private channel: it stays invisible to her.
    await api()
      .backends.database.db.insert(schema.workspaceMembers)
      .values({ workspaceId, userId: eve.id, role: 'admin' });
    const bobHears = await activityOf(bob);
    const eveHears = await activityOf(eve);

    const sent = await upload(api(), ada, channelId, 'blue.png', png, 'image/png');
    expect(sent.status).toBe(201);
    const fileId = sent.body.file?.id ?? '';
    expect(await heardOf(bobHears, fileId, 'processed')).toEqual({
      kind: 'file',
      channelId,
      fileId,
      change: 'processed',
    });
    // Sent after the row settled: asking on the event finds the thumbnails.
    const info = await callAs<{ file: FileInfo }>(api().app, bob, 'GET', `/api/files/${fileId}`);
    expect(info.body.file.processing).toBe('done');
    expect(info.body.file.urls.thumbSmall).toBeTruthy();

    expect((await callAs(api().app, eve, 'DELETE', `/api/files/${fileId}`)).status).toBe(404);
    expect((await callAs(api().app, ada, 'DELETE', `/api/files/${fileId}`)).status).toBe(204);
    expect(await heardOf(bobHears, fileId, 'deleted')).toEqual({
      kind: 'file',
      channelId,
      fileId,
      change: 'deleted',
    });
    // Deleting it again changes nothing, so it tells nobody again.
    expect((await callAs(api().app, ada, 'DELETE', `/api/files/${fileId}`)).status).toBe(204);

    // A fence: eve hears about a file of a channel she is in, published after all of the above.
    const { channelId: evesChannel } = await teamWith(api(), eve);
    const fence = await upload(api(), eve, evesChannel, 'fence.txt', 'fence\n', 'text/plain');
    await heardOf(eveHears, fence.body.file?.id ?? '', 'processed');
    expect(eveHears.filter((event) => event.kind === 'file' && event.fileId === fileId)).toEqual(
      [],
    );
    expect(bobHears.filter((event) => event.kind === 'file')).toHaveLength(2);
  });
});
