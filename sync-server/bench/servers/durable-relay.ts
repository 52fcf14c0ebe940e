import './loop-monitor';
import { createServer } from 'node:http';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { announce } from './announce';

/**
 * The floor under any durable sync server: a relay that commits each update to a Postgres log
 * before it applies and fans it out, with the same group commit as Confab (up to four INSERTs in
 * flight, everything that arrives meanwhile in the next) and nothing else: no auth, validation,
 * projection, Redis or acks. What it costs over a plain relay is what durability alone costs.
 */
const MESSAGE_SYNC = 0;
const IN_FLIGHT = 4;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: IN_FLIGHT });
await pool.query(
  'CREATE TABLE IF NOT EXISTS floor_updates (seq bigserial PRIMARY KEY, doc_name text NOT NULL, update bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())',
);

interface Room {
  doc: Y.Doc;
  sockets: Set<WebSocket>;
}
const rooms = new Map<string, Room>();
const roomOf = (name: string): Room => {
  let room = rooms.get(name);
  if (!room) {
    const created: Room = { doc: new Y.Doc(), sockets: new Set() };
    created.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const frame = message((e) => syncProtocol.writeUpdate(e, update));
      for (const socket of created.sockets) if (socket !== origin) socket.send(frame);
    });
    rooms.set(name, created);
    room = created;
  }
  return room;
};

const message = (write: (encoder: encoding.Encoder) => void) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
};

const queue: Array<{ docName: string; update: Uint8Array; done: () => void }> = [];
let inFlight = 0;
let scheduled = false;
const pump = () => {
  while (queue.length && inFlight < IN_FLIGHT) {
    inFlight++;
    const batch = queue.splice(0, 512);
    void pool
      .query(
        'INSERT INTO floor_updates (doc_name, update) SELECT * FROM unnest($1::text[], $2::bytea[])',
        [batch.map((entry) => entry.docName), batch.map((entry) => Buffer.from(entry.update))],
      )
      .then(() => {
        for (const entry of batch) entry.done();
      })
      .finally(() => {
        inFlight--;
        pump();
      });
  }
};
const append = (docName: string, update: Uint8Array) =>
  new Promise<void>((resolve) => {
    queue.push({ docName, update, done: resolve });
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  });

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (socket: WebSocket, docName: string) => {
  const room = roomOf(docName);
  room.sockets.add(socket);
  socket.send(message((e) => syncProtocol.writeSyncStep1(e, room.doc)));
  let chain = Promise.resolve();
  socket.on('message', (data: Buffer) => {
    chain = chain.then(async () => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
      const type = decoding.readVarUint(decoder);
      if (type === syncProtocol.messageYjsSyncStep1) {
        const vector = decoding.readVarUint8Array(decoder);
        socket.send(message((e) => syncProtocol.writeSyncStep2(e, room.doc, vector)));
        return;
      }
      const update = decoding.readVarUint8Array(decoder);
      await append(docName, update);
      Y.applyUpdate(room.doc, update, socket);
    });
  });
  socket.on('close', () => room.sockets.delete(socket));
});
const server = createServer((_request, response) => response.end('okay'));
server.on('upgrade', (request, socket, head) => {
  const docName = (request.url ?? '/').slice(1).split('?')[0] ?? '';
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, docName));
});
await announce(server, () => pool.end());
