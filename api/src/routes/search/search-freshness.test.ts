import { join } from 'node:path';
import { createLogger, docName } from '@confab/db';
import {
  deleteMessage,
  editMessage,
  type PersistenceTracker,
  postMessage,
  trackPersistence,
} from '@confab/db/model';
import { useServerProcesses, waitFor } from '@confab/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { loadApiEnv } from '../../env';
import { type RunningServer, startServer } from '../../server';

/**
 * Freshness the real way: the whole server (API and sync on one port, the search engine chosen
 * as in production), a message written by a stock Yjs provider, and the search route polled from
 * the moment the server acknowledged the message as persisted. The sync server's projection
 * writes the messages row, whose search vector is a generated column of that same row: there is
 * no indexing job to wait for, only the projection's drain. The times are printed, not asserted.
 */
const processes = useServerProcesses();
const MESSAGES = 20;

let server: RunningServer;
let base: string;
let token: string;
let userId: string;
let workspaceId: string;
let provider: WebsocketProvider;
let tracker: PersistenceTracker;
const doc = new Y.Doc();

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * The ids of messages that contain `q`, newest first. A fuzzy answer (no message has the word,
 * these are similar ones) counts as none: the old word of an edit is close to the new one.
 */
async function found(q: string): Promise<string[]> {
  const answer = await call<{ hits: Array<{ id: string }>; fuzzy: boolean }>(
    'GET',
    `/api/workspaces/${workspaceId}/search?${new URLSearchParams({ q, sort: 'date' })}`,
  );
  return answer.fuzzy ? [] : answer.hits.map((hit) => hit.id);
}

/** Resolves with the time the server acked everything written so far as persisted. */
function acked(): Promise<number> {
  return new Promise((resolve) => {
    if (!tracker.pending) resolve(performance.now());
    const stop = tracker.onChange((pending) => {
      if (pending) return;
      stop();
      resolve(performance.now());
    });
  });
}

/** Polls the search route until `ready` holds; the time from `since` to the first answer that does. */
async function searchableAfter(since: number, what: string, ready: () => Promise<boolean>) {
  await waitFor(what, async () => ((await ready()) ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 5,
  });
  return performance.now() - since;
}

/** A word no other message has: `fresh` and letters (digits would make it a different token). */
const word = (n: number) =>
  `fresh${[...n.toString(26)].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 26))).join('')}`;

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(1)} ms, max ${at(1).toFixed(1)} ms over ${times.length}`;
};

beforeAll(async () => {
  const env = loadApiEnv(
    processes.env({
      PUBLIC_URL: 'http://127.0.0.1',
      DATA_DIR: join(processes.scratch, 'data'),
      // Polled every 5 ms: far more searches than a person's budget of 60 a minute.
      SEARCH_RATE_LIMIT_PER_MINUTE: '100000',
    }),
  );
  server = await startServer(env, createLogger('silent'));
  base = `http://127.0.0.1:${server.address.port}`;
  const signedUp = await call<{ accessToken: string; user: { id: string } }>(
    'POST',
    '/api/auth/signup',
    { email: `fresh-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Ada' },
  );
  token = signedUp.accessToken;
  userId = signedUp.user.id;
  workspaceId = (
    await call<{ workspace: { id: string } }>('POST', '/api/workspaces', {
      name: 'Fresh',
      slug: `fresh-${Date.now()}`,
    })
  ).workspace.id;
  const channelId = (
    await call<{ channel: { id: string } }>('POST', `/api/workspaces/${workspaceId}/channels`, {
      name: 'fresh',
    })
  ).channel.id;
  const { head } = await call<{ head: number }>('GET', `/api/channels/${channelId}/segments`);
  const { ticket } = await call<{ ticket: string }>('POST', '/api/sync/tickets');
  provider = new WebsocketProvider(
    `ws://127.0.0.1:${server.address.port}/sync`,
    docName({ kind: 'segment', channelId, index: head }),
    doc,
    {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      connect: false,
      params: { ticket },
    },
  );
  // Before connecting: the tracker asks for persistence acks in the URL.
  tracker = trackPersistence(provider, doc);
  provider.connect();
  await waitFor('the doc to sync', () => (provider.synced ? true : undefined));
}, 60_000);
afterAll(async () => {
  provider?.destroy();
  await server?.stop();
});

describe('search freshness through the sync server', () => {
  it('finds a message after its persisted ack, by its new words after an edit, never after a delete', async () => {
    const toSearchable: number[] = [];
    const ids: string[] = [];
    for (let n = 0; n < MESSAGES; n++) {
      const id = postMessage(doc, { author: userId, text: `note ${word(n)} for the team` });
      ids.push(id);
      const ack = await acked();
      toSearchable.push(
        await searchableAfter(ack, `message ${n} to be found`, async () =>
          (await found(word(n))).includes(id),
        ),
      );
    }

    const edited = ids[0] as string;
    editMessage(doc, edited, `note ${word(1000)} replaced`);
    const editAck = await acked();
    const toEdited = await searchableAfter(editAck, 'the edit to be searchable', async () => {
      const [byNew, byOld] = await Promise.all([found(word(1000)), found(word(0))]);
      return byNew.includes(edited) && !byOld.includes(edited);
    });

    const deleted = ids[1] as string;
    deleteMessage(doc, deleted);
    const deleteAck = await acked();
    const toDeleted = await searchableAfter(deleteAck, 'the delete to be searchable', async () =>
      (await found(word(1))).every((id) => id !== deleted),
    );
    expect(await found(word(1))).toEqual([]);
    expect(await found(word(0))).toEqual([]);
    expect(await found(word(1000))).toEqual([edited]);

    console.log(
      `search freshness (persisted ack -> found by the search route): new messages ${summary(toSearchable)}; edit ${toEdited.toFixed(1)} ms; delete ${toDeleted.toFixed(1)} ms`,
    );
  }, 120_000);
});
