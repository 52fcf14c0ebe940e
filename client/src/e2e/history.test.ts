import { schema } from '@confab/db';
import { postMessage, trackPersistence } from '@confab/db/model';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { useBrowserHarness } from './harness';
import { createWorkspace, signUp, waitUntil } from './ui';

const harness = useBrowserHarness();
const OLD_MESSAGES = 1_000;

/** Writes a thousand messages into a segment as a second device of the user would (Node). */
async function writeHistory(email: string, segment: string, authorId: string) {
  const call = async <T>(path: string, body: unknown, token?: string) => {
    const response = await fetch(`${harness.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const { accessToken } = await call<{ accessToken: string }>('/api/auth/login', {
    email,
    password: 'correct horse battery',
    tokenTransport: 'body',
  });
  const { ticket } = await call<{ ticket: string }>('/api/sync/tickets', {}, accessToken);
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(
    `${harness.baseUrl.replace('http', 'ws')}/sync`,
    segment,
    doc,
    {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      connect: false,
      params: { ticket },
    },
  );
  const tracker = trackPersistence(provider, doc);
  provider.connect();
  await waitUntil(async () => provider.synced);
  // Two days ago onwards, a message a minute: day dividers appear in the history.
  const start = Date.now() - 2 * 86_400_000;
  doc.transact(() => {
    for (let n = 0; n < OLD_MESSAGES; n++)
      postMessage(doc, { author: authorId, text: `old message ${n}`, now: start + n * 60_000 });
  });
  await waitUntil(async () => !tracker.pending);
  provider.destroy();
}

describe('a long channel in Chromium', () => {
  it('opens the head segment, brings the older one in to fill the screen, scrolls back to the first message, renders only what is visible', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const email = await signUp(page, harness.baseUrl, 'Ada');
    await createWorkspace(page, 'Archive');

    const db = harness.db;
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email));
    const { channelId } = await harness.general('Archive');
    if (!user) throw new Error('setup failed');
    await writeHistory(email, `channel:${channelId}:segment:0`, user.id);
    // The projector moves the head on once segment 0 holds 1,000 messages.
    await waitUntil(async () => {
      const [row] = await db
        .select()
        .from(schema.channels)
        .where(eq(schema.channels.id, channelId));
      return row?.headSegment === 1;
    });

    await page.reload();
    const composer = page.getByRole('textbox', { name: 'Message # general' });
    await composer.fill('the newest message');
    await composer.press('Enter');
    const list = page.getByRole('list', { name: 'Messages' });
    await list.getByText('the newest message').waitFor();
    // The head alone does not fill the screen, so segment 0 comes in at once: its last message
    // sits right above the newest, and the list knows all 1,001 while rendering a screenful.
    await list.getByText('old message 999', { exact: true }).waitFor();
    const texts = await list.locator('li .text').allTextContents();
    expect(texts.slice(-2)).toEqual(['old message 999', 'the newest message']);
    await waitUntil(async () => (await list.locator('li[aria-setsize="1001"]').count()) > 0);
    // Up to the very first message, a screenful at a time.
    await waitUntil(async () => {
      await page.locator('.messages').evaluate((element) => element.scrollTo({ top: 0 }));
      return (await list.getByText('old message 0', { exact: true }).count()) > 0;
    });
    const rendered = await list.locator('li').count();
    expect(rendered).toBeLessThan(100);
    await page.getByText('Load older messages').waitFor({ state: 'detached' });
    await context.close();
  }, 120_000);
});
