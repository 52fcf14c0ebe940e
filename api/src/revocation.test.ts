import { fileURLToPath } from 'node:url';
import { docName } from '@confab/db';
import { type ServerProcess, tsEntry, useServerProcesses, waitFor } from '@confab/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/**
 * Two Confab processes on one Postgres and one Redis: a socket open on one closes within 5 s
 * when the change that ends its access is made through the other.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const processes = useServerProcesses();
let nodes: ServerProcess[] = [];

beforeAll(async () => {
  const env = processes.env({ PUBLIC_URL: 'http://localhost' });
  // The harness reads each process's port from its `listening` log line.
  nodes = [await processes.start(tsEntry(MAIN), env), await processes.start(tsEntry(MAIN), env)];
}, 120_000);

const api =
  (node: ServerProcess) =>
  async <T = Record<string, unknown>>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ) => {
    const response = await fetch(`http://127.0.0.1:${node.port}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };

async function signUp(node: ServerProcess, name: string) {
  const { body } = await api(node)<{ accessToken: string; user: { id: string } }>(
    'POST',
    '/api/auth/signup',
    undefined,
    {
      email: `${name}-${Date.now()}@example.com`,
      password: 'correct horse battery',
      name,
    },
  );
  return { id: body.user.id, token: body.accessToken };
}

/** Opens a sync socket on `node` with a ticket issued by the API on `ticketNode`. */
async function openSocket(
  node: ServerProcess,
  ticketNode: ServerProcess,
  token: string,
  doc: string,
) {
  const { body } = await api(ticketNode)<{ ticket: string }>('POST', '/api/sync/tickets', token);
  const socket = new WebSocket(`ws://127.0.0.1:${node.port}/sync/${doc}?ticket=${body.ticket}`);
  let closeCode: number | undefined;
  socket.on('close', (code) => {
    closeCode = code;
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
  return { closed: () => waitFor('the socket to close', () => closeCode, { timeoutMs: 5_000 }) };
}

/** The answer to an upgrade with `ticket`: 101 when the socket opened (it is closed again). */
function upgradeStatus(node: ServerProcess, ticket: string, doc: string): Promise<number> {
  const socket = new WebSocket(`ws://127.0.0.1:${node.port}/sync/${doc}?ticket=${ticket}`);
  return new Promise<number>((resolve, reject) => {
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', reject);
  });
}

describe('revocation across processes', () => {
  it('closes a socket on one process within 5 s of removal from the channel on the other (4403)', async () => {
    const [one, two] = nodes as [ServerProcess, ServerProcess];
    const ada = await signUp(one, 'ada');
    const bob = await signUp(one, 'bob');
    const workspace = await api(one)<{ workspace: { id: string } }>(
      'POST',
      '/api/workspaces',
      ada.token,
      { name: 'W', slug: `w-${Date.now()}` },
    );
    const workspaceId = workspace.body.workspace.id;
    const invite = await api(one)<{ url: string }>(
      'POST',
      `/api/workspaces/${workspaceId}/invitations`,
      ada.token,
      {},
    );
    expect(
      (
        await api(one)(
          'POST',
          `/api/invitations/${invite.body.url.split('/invite/')[1]}/accept`,
          bob.token,
        )
      ).status,
    ).toBe(200);
    const channel = await api(one)<{ channel: { id: string } }>(
      'POST',
      `/api/workspaces/${workspaceId}/channels`,
      ada.token,
      { name: 'ops', kind: 'private' },
    );
    const channelId = channel.body.channel.id;
    await api(one)('POST', `/api/channels/${channelId}/members`, ada.token, { userIds: [bob.id] });

    const socket = await openSocket(
      two,
      one,
      bob.token,
      docName({ kind: 'segment', channelId, index: 0 }),
    );
    expect(
      (await api(one)('DELETE', `/api/channels/${channelId}/members/${bob.id}`, ada.token)).status,
    ).toBe(204);
    expect(await socket.closed()).toBe(4403);
  }, 60_000);

  it('closes every socket of a user on the other process within 5 s of logging out everywhere (4401)', async () => {
    const [one, two] = nodes as [ServerProcess, ServerProcess];
    const carol = await signUp(one, 'carol');
    const socket = await openSocket(
      two,
      one,
      carol.token,
      docName({ kind: 'user', userId: carol.id }),
    );
    expect((await api(one)('POST', '/api/auth/logout-all', carol.token)).status).toBe(204);
    expect(await socket.closed()).toBe(4401);
  }, 60_000);

  it('closes a socket on the other process within 5 s of logging out of its session (4401)', async () => {
    const [one, two] = nodes as [ServerProcess, ServerProcess];
    const dave = await signUp(one, 'dave');
    const socket = await openSocket(
      two,
      one,
      dave.token,
      docName({ kind: 'user', userId: dave.id }),
    );
    expect((await api(one)('POST', '/api/auth/logout', dave.token)).status).toBe(204);
    expect(await socket.closed()).toBe(4401);
  }, 60_000);

  it('refuses a sync ticket issued before a logout of its session (401, no socket)', async () => {
    const [one, two] = nodes as [ServerProcess, ServerProcess];
    const erin = await signUp(one, 'erin');
    const { body } = await api(one)<{ ticket: string }>('POST', '/api/sync/tickets', erin.token);
    expect((await api(one)('POST', '/api/auth/logout', erin.token)).status).toBe(204);
    expect(await upgradeStatus(two, body.ticket, docName({ kind: 'user', userId: erin.id }))).toBe(
      401,
    );
  }, 60_000);
});
