import { createServer } from 'node:http';
import {
  MessageType,
  PRESENCE_WATCH_MAX,
  type Presence,
  type ReportedPresence,
} from '@confab/db/model';
import { type WebSocket, WebSocketServer } from 'ws';
import { presenceFrame, readPresenceFrame } from './presence-wire';
import { announce } from './servers/announce';

/**
 * The naive presence server the benchmark compares against: the same frames (PROTOCOL.md
 * "Presence") and the same presence rules as Confab (strongest connection wins, a grace period
 * after the last one closes, a watch answered with a snapshot), but every change is broadcast
 * to every open socket instead of to the users watching. No tickets, Postgres or Redis: the
 * socket's path names its user, and it runs as one process.
 */
const GRACE_MS = Number(process.env.PRESENCE_GRACE_MS ?? 30_000);
const PATH = /^\/sync\/user:([0-9a-f-]{36})(?:\?|$)/;

const sockets = new Set<WebSocket>();
const connections = new Map<string, Map<WebSocket, ReportedPresence>>();
const presence = new Map<string, Presence>();
const graceTimers = new Map<string, NodeJS.Timeout>();

const strongest = (states: Iterable<ReportedPresence>): Presence => {
  let result: Presence = 'offline';
  for (const state of states) {
    if (state === 'active') return 'active';
    result = 'away';
  }
  return result;
};

function settle(userId: string) {
  const next = strongest(connections.get(userId)?.values() ?? []);
  if (next === 'offline' && connections.has(userId)) return;
  if ((presence.get(userId) ?? 'offline') === next) return;
  if (next === 'offline') presence.delete(userId);
  else presence.set(userId, next);
  const frame = presenceFrame({ users: { [userId]: next } });
  for (const socket of sockets) socket.send(frame);
}

function opened(userId: string, socket: WebSocket) {
  clearTimeout(graceTimers.get(userId));
  graceTimers.delete(userId);
  let mine = connections.get(userId);
  if (!mine) {
    mine = new Map();
    connections.set(userId, mine);
  }
  // A connection counts as active until its first report.
  mine.set(socket, 'active');
  sockets.add(socket);
  settle(userId);
}

function closed(userId: string, socket: WebSocket) {
  sockets.delete(socket);
  const mine = connections.get(userId);
  mine?.delete(socket);
  if (mine?.size) return settle(userId);
  graceTimers.set(
    userId,
    setTimeout(() => {
      graceTimers.delete(userId);
      connections.delete(userId);
      settle(userId);
    }, GRACE_MS),
  );
}

function received(userId: string, socket: WebSocket, data: Uint8Array) {
  const message = readPresenceFrame(data);
  if (message?.type === MessageType.presenceReport) {
    const { state } = message.body as { state?: unknown };
    if (state !== 'active' && state !== 'away') throw new Error('bad report');
    connections.get(userId)?.set(socket, state);
    settle(userId);
  } else if (message?.type === MessageType.presenceWatch) {
    const { users } = message.body as { users?: unknown };
    if (!Array.isArray(users) || users.length > PRESENCE_WATCH_MAX) throw new Error('bad watch');
    const snapshot: Record<string, Presence> = {};
    for (const id of users) snapshot[String(id)] = presence.get(String(id)) ?? 'offline';
    socket.send(presenceFrame({ users: snapshot }));
  } else throw new Error('unexpected frame');
}

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_request, response) => response.end('okay'));
server.on('upgrade', (request, socket, head) => {
  const userId = PATH.exec(request.url ?? '')?.[1];
  if (!userId) return socket.destroy();
  wss.handleUpgrade(request, socket, head, (ws) => {
    opened(userId, ws);
    ws.on('message', (data: Buffer) => {
      try {
        received(userId, ws, new Uint8Array(data));
      } catch {
        ws.close(4400, 'malformed');
      }
    });
    ws.on('close', () => closed(userId, ws));
  });
});
await announce(server);
