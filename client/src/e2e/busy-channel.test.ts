import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserHarness } from './harness';
import { seedChannel, seededText } from './seed-history';
import { createWorkspace, signUp, waitUntil } from './ui';

const harness = useBrowserHarness();
/** The busy channel: what a reader must be able to open without it running away. */
const BUSY = 100_000;
/** "5 s after a cold load, untouched" (issue #14). */
const UNTOUCHED_MS = 5_000;

/** What the page asked of the servers: segment docs it opened, channel lookups it made. */
function watch(page: Page, channelId: string) {
  const segments = new Set<number>();
  let channelLookups = 0;
  const segment = new RegExp(`channel(?::|%3A)${channelId}(?::|%3A)segment(?::|%3A)(\\d+)`);
  page.on('websocket', (socket) => {
    const index = segment.exec(socket.url())?.[1];
    if (index !== undefined) segments.add(Number(index));
  });
  page.on('request', (request) => {
    if (
      request.method() === 'GET' &&
      new URL(request.url()).pathname === `/api/channels/${channelId}`
    )
      channelLookups++;
  });
  return {
    /** Segment indexes opened so far, oldest first. */
    segments: () => [...segments].sort((a, b) => a - b),
    channelLookups: () => channelLookups,
  };
}

/** Whether the message with this exact text is inside the list's visible area. */
function isVisible(page: Page, text: string): Promise<boolean> {
  return page.locator('.messages').evaluate((scroller, wanted) => {
    const box = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll('li .text')].some((node) => {
      if (node.textContent !== wanted) return false;
      const rect = node.getBoundingClientRect();
      return rect.top >= box.top - 1 && rect.bottom <= box.bottom + 1;
    });
  }, text);
}

/**
 * Watches the untouched window the issue defines: the newest message must stay on screen the
 * whole time, not just at its end.
 */
async function stayUntouched(page: Page, newest: string) {
  const until = Date.now() + UNTOUCHED_MS;
  let checks = 0;
  while (Date.now() < until) {
    expect(await isVisible(page, newest), `check ${checks}`).toBe(true);
    checks++;
    await page.waitForTimeout(100);
  }
}

/**
 * Scrolls the list to its very top as a reader would, and notes (in the next frame, before any
 * older page can be in) the first message on screen and where it sits.
 */
function scrollToTop(page: Page) {
  return page.locator('.messages').evaluate(
    (scroller) =>
      new Promise<{ text: string; top: number; size: string | null }>((resolve, reject) => {
        scroller.scrollTo({ top: 0 });
        requestAnimationFrame(() => {
          const box = scroller.getBoundingClientRect();
          const first = [...scroller.querySelectorAll('li')]
            .filter((row) => row.querySelector('.text'))
            .map((row) => ({ row, rect: row.getBoundingClientRect() }))
            .sort((a, b) => a.rect.top - b.rect.top)
            .find(({ rect }) => rect.bottom > box.top + 1);
          if (!first) return reject(new Error('no message on screen'));
          resolve({
            text: first.row.querySelector('.text')?.textContent ?? '',
            top: first.rect.top,
            size: first.row.getAttribute('aria-setsize'),
          });
        });
      }),
  );
}

/** Where the message with this exact text sits on screen now (after two frames settled). */
function topOf(page: Page, text: string) {
  return page.locator('.messages').evaluate(
    (scroller, wanted) =>
      new Promise<number | null>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const node = [...scroller.querySelectorAll('li .text')].find(
              (candidate) => candidate.textContent === wanted,
            );
            resolve(node?.closest('li')?.getBoundingClientRect().top ?? null);
          }),
        ),
      ),
    text,
  );
}

async function setUp(name: string, workspace: string, total: number, emptyHead: boolean) {
  const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const email = await signUp(page, harness.baseUrl, name);
  await createWorkspace(page, workspace);
  const [user] = await harness.db.select().from(schema.users).where(eq(schema.users.email, email));
  if (!user) throw new Error('setup failed');
  const { workspaceId } = await harness.general(workspace);
  const channelName = workspace.toLowerCase();
  const { channelId, head } = await seedChannel(harness.db, {
    workspaceId,
    authorId: user.id,
    name: channelName,
    total,
    emptyHead,
  });
  const seen = watch(page, channelId);
  // Cold for this channel: nothing of it in IndexedDB, nothing of it loaded by the server.
  await page.reload();
  // Generous: on two shared cores the reload competes with the server loading the seed.
  await page
    .getByRole('button', { name: new RegExp(`^# ${channelName}`) })
    .click({ timeout: 90_000 });
  return { context, page, seen, head };
}

describe('a busy channel in Chromium [S6]', () => {
  it('opens 100,000 messages with an empty head on the newest ones, loads one older segment, and stays there untouched', async () => {
    const { context, page, seen, head } = await setUp('Busy', 'Busy', BUSY, true);
    expect(head).toBe(BUSY / 1_000);
    const newest = seededText(BUSY - 1);
    const list = page.getByRole('list', { name: 'Messages' });
    // The head just rolled over and is empty: the newest messages are the previous segment's.
    await list.getByText(newest, { exact: true }).waitFor();
    await stayUntouched(page, newest);
    expect(seen.segments()).toEqual([head - 1, head]);
    expect(await list.locator('li[aria-setsize="1000"]').count()).toBeGreaterThan(0);
    // One lookup per channel open, shared by the view and its segment docs' rules [S5]: not
    // once per doc, per connect, per render or per segment the list ran through.
    expect(seen.channelLookups()).toBe(1);

    // Each scroll to the top brings exactly one older segment, and the reader's place stays.
    for (const page_ of [1, 2]) {
      const before = await scrollToTop(page);
      expect(before.size, `page ${page_}`).toBe(String(1_000 * page_));
      await list
        .locator(`li[aria-setsize="${1_000 * (page_ + 1)}"]`)
        .first()
        .waitFor();
      await waitUntil(async () => (await topOf(page, before.text)) !== null);
      const after = await topOf(page, before.text);
      expect(Math.abs((after ?? Number.NaN) - before.top), `page ${page_}`).toBeLessThanOrEqual(3);
      expect(seen.segments()).toEqual(
        Array.from({ length: page_ + 2 }, (_, at) => head - page_ - 1 + at),
      );
    }
    await context.close();
  }, 180_000);

  it('opens a channel whose head fills the screen without loading anything older', async () => {
    const total = BUSY - 500;
    const { context, page, seen, head } = await setUp('Lively', 'Lively', total, false);
    const newest = seededText(total - 1);
    const list = page.getByRole('list', { name: 'Messages' });
    await list.getByText(newest, { exact: true }).waitFor();
    await stayUntouched(page, newest);
    expect(seen.segments()).toEqual([head]);
    expect(await list.locator('li[aria-setsize="500"]').count()).toBeGreaterThan(0);
    await context.close();
  }, 180_000);
});
