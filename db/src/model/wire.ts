/**
 * The sync wire protocol's constants, shared by the sync server, the persistence tracker and the
 * client so that no side hard-codes a number (sync-server/PROTOCOL.md explains each). Isomorphic.
 */

/**
 * Message types, the first varuint of every frame. 0-3 are y-websocket's, so the stock
 * WebsocketProvider works unchanged; 100+ are Confab's and are sent only to clients that ask for
 * them (`?acks=1`).
 */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** Server → client: `[100, stateVector]`, everything covered by the state vector is durable. */
  persisted: 100,
  /** Server → client: `[101, reason, detail]`, the update was refused; the socket closes (4422). */
  rejected: 101,
  /** Server → client, on the user's own doc: `[102, json]`, activity in the user's channels. */
  activity: 102,
  /** Client → server, on the user's own doc: `[103, json]`, `{"state":"active"|"away"}`. */
  presenceReport: 103,
  /** Client → server, on the user's own doc: `[104, json]`, `{"users":[uuid…]}` replaces the watch. */
  presenceWatch: 104,
  /** Server → client, on the user's own doc: `[105, json]`, a `PresenceFrame`. */
  presence: 105,
} as const;

/** A user's presence: the strongest over all their connections on every node. */
export type Presence = 'active' | 'away' | 'offline';

/** What a client says of itself in a 103 report. */
export type ReportedPresence = Exclude<Presence, 'offline'>;

/**
 * A client sends a 103 report on connecting, on every change and at least this often; a
 * connection that reported nothing for three of these counts as away.
 */
export const PRESENCE_HEARTBEAT_MS = 60_000;

/** The most users one 104 watch may name; more closes the socket (4400). */
export const PRESENCE_WATCH_MAX = 500;

/**
 * The payload of a 105 frame. `users`: watched users whose presence changed (or every newly
 * watched user, after a watch). `statuses`: watched users whose custom status or DND changed:
 * the client reads `GET /api/workspaces/{id}/statuses?ids=` for them. Either key may be absent.
 */
export interface PresenceFrame {
  users?: Record<string, Presence>;
  statuses?: string[];
}

/** y-websocket's sync message subtypes, the second varuint of a `sync` frame. */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const;

/**
 * WebSocket close codes the sync server ends a connection with. 4400-4499 mirror HTTP 4xx.
 * Whether a client reconnects after each is `reconnects` below.
 */
export const CloseCode = {
  /** The server is shutting down, or the doc was unloaded; reconnect after a short backoff. */
  goingAway: 1001,
  /** A frame over the size limit (sent by the WebSocket layer); resending it cannot succeed. */
  frameTooLarge: 1009,
  /** The server could not make the client's update durable; reconnect and re-send. */
  persistenceFailed: 1011,
  /** A frame that is not one well-formed message; final. */
  malformed: 4400,
  /** The session behind the connection ended (logout, revocation); the next ticket is refused. */
  unauthenticated: 4401,
  /** A write on a read-only connection, or access was withdrawn (removed from the channel); final. */
  forbidden: 4403,
  /** An update beyond the limits on clients, structs, ranges, clocks or nesting; final. */
  updateTooLarge: 4413,
  /** The validator refused an update; its client ids are barred: reconnect only with a rebuilt doc. */
  rejected: 4422,
  /** Frames faster than the connection's rate limit; reconnect after a backoff. */
  rateLimited: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Closes after which a new connection would only be refused again the same way. */
const FINAL_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.frameTooLarge,
  CloseCode.malformed,
  CloseCode.forbidden,
  CloseCode.updateTooLarge,
]);

/**
 * Whether a client should open a new connection (with a fresh ticket) after a close with `code`;
 * any code the server does not send (1006 when pings go unanswered) counts as transient. After
 * `unauthenticated` the attempt stops at the ticket request (HTTP 401); after `rejected` only a
 * replica rebuilt from the server's state may reconnect.
 */
export const reconnects = (code: number): boolean => !FINAL_CLOSES.has(code);

/** A ULID (message ids): 26 Crockford base-32 characters. Unanchored, for composing patterns. */
export const ULID_SOURCE = '[0-9A-HJKMNP-TV-Z]{26}';
/** A UUID (users, channels, workspaces) as Postgres prints it: lower case. Unanchored. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const ULID_PATTERN = new RegExp(`^${ULID_SOURCE}$`);
export const UUID_PATTERN = new RegExp(`^${UUID_SOURCE}$`);
