import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { noiseJpeg, textPdf } from '../../../api/src/files/processing/testing/sample-files';
import { artifacts, useBrowserHarness } from './harness';
import { team } from './team';
import { waitUntil } from './ui';

/** A low file limit, so that a file over it is cheap to make. */
const FILE_MAX_BYTES = 1024 * 1024;
const harness = useBrowserHarness(() => ({ FILE_MAX_BYTES: String(FILE_MAX_BYTES) }));
/** Screenshots for people to look at (not committed); SCREENSHOTS_DIR puts them elsewhere. */
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'files');

interface DroppedFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/**
 * Drops files on an element of the page as a drag from the desktop would: a DataTransfer made
 * in the page with the files, `dragover` then `drop`.
 */
async function dropFiles(page: Page, selector: string, files: DroppedFile[]) {
  await page.evaluate(
    ({ selector, files }) => {
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      const transfer = new DataTransfer();
      for (const file of files) {
        const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
      }
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
    },
    {
      selector,
      files: files.map(({ name, type, bytes }) => ({
        name,
        type,
        base64: bytes.toString('base64'),
      })),
    },
  );
}

/**
 * A 1600x1000 JPEG of a beach (sky, sun, sea and sand): ~110 KB, more than other routes' 64 KB
 * body limit, in a real photo's shape.
 */
function beachJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#6ab7ff"/><stop offset="1" stop-color="#ffe2b0"/>
    </linearGradient></defs>
    <rect width="1600" height="620" fill="url(#sky)"/><circle cx="1200" cy="330" r="110" fill="#ffd23f"/>
    <rect y="600" width="1600" height="180" fill="#1f7fb8"/><rect y="780" width="1600" height="220" fill="#f2d49b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 100 }).toBuffer();
}

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message # general' });
const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

/** Whether an <img> has loaded real pixels (not a broken image). */
const loaded = (page: Page, selector: string) =>
  page.waitForFunction(
    (selector) => {
      const image = document.querySelector<HTMLImageElement>(selector);
      return Boolean(image?.complete && image.naturalWidth > 0);
    },
    selector,
    // Thumbnails are made by a background job, which waits its turn on a busy machine.
    { timeout: 60_000 },
  );

/**
 * When the channel's file of that name finished processing (its row left 'pending'), seen from
 * the database with a short poll, so that a test can time what the browser does after it.
 */
async function settledAt(channelId: string, name: string): Promise<number> {
  let at = 0;
  try {
    await waitUntil(async () => {
      const [row] = await harness.db
        .select({ processing: schema.files.processing })
        .from(schema.files)
        .where(and(eq(schema.files.channelId, channelId), eq(schema.files.name, name)));
      at = Date.now();
      return row !== undefined && row.processing !== 'pending';
    }, 60_000);
  } catch {
    // Started before the upload, it may outlive a test that failed earlier: no unhandled
    // rejection then; a test that awaits it gets NaN, which fails any timing check.
    return Number.NaN;
  }
  return at;
}

/** Deletes the channel's file of that name as the signed-in user of `page` (its uploader). */
function deleteFile(page: Page, channelId: string, name: string) {
  return page.evaluate(
    async ({ channelId, name }) => {
      const refreshed = await fetch('/api/auth/refresh', { method: 'POST' });
      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      const headers = { Authorization: `Bearer ${accessToken}` };
      const listed = await fetch(`/api/channels/${channelId}/files`, { headers });
      const { files } = (await listed.json()) as { files: { id: string; name: string }[] };
      const file = files.find((each) => each.name === name);
      if (!file) throw new Error(`no ${name} in the channel's files`);
      const deleted = await fetch(`/api/files/${file.id}`, { method: 'DELETE', headers });
      if (deleted.status !== 204) throw new Error(`DELETE answered ${deleted.status}`);
    },
    { channelId, name },
  );
}

describe('files in Chromium', () => {
  it('shares an image and a PDF by drag and drop, with progress, thumbnails, previews, lightbox and the Files list; refuses a disguised file', async () => {
    await mkdir(SHOTS, { recursive: true });
    const { ada, bob, adaContext, bobContext, errors, channelId } = await team(
      harness,
      harness.baseUrl,
    );
    const photo = await beachJpeg();
    const pdf = textPdf(['Quarterly plan', 'Page two']);

    // Ada's uploads are slowed down (~48 KB/s) so that the progress bar is there to be seen.
    const network = await adaContext.newCDPSession(ada);
    await network.send('Network.enable');
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 48 * 1024,
    });
    const beachSettled = settledAt(channelId, 'beach.jpg');
    await dropFiles(ada, 'main.channel', [
      { name: 'beach.jpg', type: 'image/jpeg', bytes: photo },
      { name: 'quarterly plan.pdf', type: 'application/pdf', bytes: pdf },
    ]);
    await ada.getByRole('progressbar', { name: 'Uploading beach.jpg' }).waitFor();
    await ada.screenshot({ path: join(SHOTS, 'uploading.png') });
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const chips = ada.getByRole('list', { name: 'Attached files' });
    await waitUntil(async () => (await chips.getByText('ready').count()) === 2).catch(
      async (error: Error) => {
        // Say what the chips show instead (a refusal's reason, a stuck upload).
        throw new Error(`${error.message}; the chips read: ${await chips.textContent()}`);
      },
    );
    await composer(ada).fill('The beach and the plan');
    await composer(ada).press('Enter');

    // Bob sees the message live, then the thumbnail and the PDF's first page and page count.
    const shared = messages(bob)
      .getByRole('listitem', { name: 'Message from Ada' })
      .filter({ hasText: 'The beach and the plan' });
    await shared.waitFor();
    const sharedAt = Date.now();
    // The thumbnail replaces the original (shown while it is made) as soon as the job settles:
    // the file's activity says so, no poll waits its turn (none runs while the socket is up).
    await loaded(bob, 'img[alt="beach.jpg"][src*="thumb-large"]');
    const thumbnailLagMs = Date.now() - Math.max(await beachSettled, sharedAt);
    expect(thumbnailLagMs).toBeLessThan(3_000);
    await loaded(bob, 'img[alt="First page of quarterly plan.pdf"]');
    await shared.getByText('2 pages').waitFor();
    await shared.getByRole('link', { name: 'Download quarterly plan.pdf' }).waitFor();
    await bob.screenshot({ path: join(SHOTS, 'shared.png') });
    await bob.setViewportSize({ width: 390, height: 844 });
    await bob.screenshot({ path: join(SHOTS, 'shared-phone.png') });
    await bob.setViewportSize({ width: 1280, height: 800 });

    // The lightbox opens on a click, keeps the focus, and Escape closes it.
    await shared.getByRole('button', { name: 'Open beach.jpg' }).click();
    const lightbox = bob.getByRole('dialog', { name: 'beach.jpg' });
    await lightbox.waitFor();
    await loaded(bob, 'dialog.lightbox img');
    expect(await bob.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await bob.screenshot({ path: join(SHOTS, 'lightbox.png') });
    await bob.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });

    // The channel's Files list has both.
    await bob.getByRole('button', { name: 'Files', exact: true }).click();
    const list = bob.getByRole('complementary', { name: 'Channel files' });
    await list.getByRole('link', { name: 'beach.jpg' }).waitFor();
    await list.getByRole('link', { name: 'quarterly plan.pdf' }).waitFor();
    await bob.screenshot({ path: join(SHOTS, 'files-panel.png') });

    // A page of HTML named as a PNG is refused, and Ada is told why; nothing can be sent with it.
    await dropFiles(ada, 'main.channel', [
      { name: 'cat.png', type: 'image/png', bytes: Buffer.from('<html><script>alert(1)</script>') },
    ]);
    const refusal = chips.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^cat\.png was refused: /);
    await ada.screenshot({ path: join(SHOTS, 'refused.png') });
    await composer(ada).fill('with the cat');
    await composer(ada).press('Enter');
    expect(await composer(ada).inputValue()).toBe('with the cat');
    await chips.getByRole('button', { name: 'Remove cat.png' }).click();
    await chips.waitFor({ state: 'detached' });

    // A file over the size limit is refused as too large (the server stops reading it).
    const huge = await noiseJpeg(2000, 1200);
    expect(huge.length).toBeGreaterThan(FILE_MAX_BYTES);
    await dropFiles(ada, 'main.channel', [{ name: 'huge.jpg', type: 'image/jpeg', bytes: huge }]);
    await chips.getByRole('alert').waitFor();
    expect(await chips.getByRole('alert').textContent()).toBe(
      `huge.jpg is too large. A file may be at most ${FILE_MAX_BYTES} bytes`,
    );
    await chips.getByRole('button', { name: 'Remove huge.jpg' }).click();
    await chips.waitFor({ state: 'detached' });
    await composer(ada).fill('');

    // A paste into the composer attaches too, and an upload can be cancelled while it runs.
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 1024,
    });
    await ada.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['x'.repeat(20_000)], 'snippet.txt', { type: 'text/plain' }));
      document
        .querySelector('textarea[aria-label="Message # general"]')
        ?.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
    });
    await ada.getByRole('progressbar', { name: 'Uploading snippet.txt' }).waitFor();
    await chips.getByRole('button', { name: 'Cancel snippet.txt' }).click();
    await chips.waitFor({ state: 'detached' });
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    // The paperclip opens the file picker; a message may be a file alone.
    const [chooser] = await Promise.all([
      ada.waitForEvent('filechooser'),
      ada.getByRole('button', { name: 'Attach files' }).click(),
    ]);
    await chooser.setFiles({
      name: 'todo.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('1. ship files\n'),
    });
    await chips.getByText('ready').waitFor();
    await composer(ada).press('Enter');
    const alone = messages(bob)
      .getByRole('listitem', { name: 'Message from Ada' })
      .filter({ hasText: 'todo.txt' });
    await alone.locator('pre', { hasText: 'ship files' }).waitFor();
    expect(await alone.locator('span.text').textContent()).toBe('');

    // Deleted by its uploader, it reads "File removed" wherever it was shared, at once: Bob's
    // page hears of it on its socket and does not reload.
    await list.getByRole('link', { name: 'todo.txt' }).waitFor();
    const deletedAt = Date.now();
    await deleteFile(ada, channelId, 'todo.txt');
    await messages(bob)
      .getByRole('listitem', { name: 'Message from Ada' })
      .getByText('File removed')
      .waitFor({ timeout: 5_000 });
    const removedLagMs = Date.now() - deletedAt;
    await bob.screenshot({ path: join(SHOTS, 'removed.png') });
    // And gone from the open Files list.
    await list
      .getByRole('link', { name: 'todo.txt' })
      .waitFor({ state: 'detached', timeout: 5_000 });
    console.info(
      `files live: thumbnail ${thumbnailLagMs} ms after processing, "File removed" ${removedLagMs} ms after DELETE`,
    );

    // The browser reports the refused uploads' 415 and 413 itself; nothing else went wrong.
    expect(
      errors.flat().filter((error) => !/status of 41[35] .*name=(cat\.png|huge\.jpg)/.test(error)),
    ).toEqual([]);
    await adaContext.close();
    await bobContext.close();
  }, 180_000);

  it('keeps a file attached offline across a reload and posts it once when back online', async () => {
    const { ada, bob, adaContext, bobContext, channelId } = await team(harness, harness.baseUrl);
    await composer(ada).fill('Before going offline');
    await composer(ada).press('Enter');
    await bob.getByText('Before going offline').waitFor();
    // The app shell is cached by the service worker before the network goes away.
    await ada.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await adaContext.setOffline(true);
    await dropFiles(ada, 'main.channel', [
      {
        name: 'notes.txt',
        type: 'text/plain',
        bytes: Buffer.from('Offline notes\nline two\nline three\n'),
      },
    ]);
    await ada.getByText('uploads when online').waitFor();
    await composer(ada).fill('Notes from the train');
    await composer(ada).press('Enter');
    const sending = ada.getByRole('list', { name: 'Sending' });
    await sending.getByText('notes.txt').waitFor();

    // A reload while offline loses nothing: the message and its file are still waiting.
    await ada.reload();
    await sending.getByText('notes.txt').waitFor();
    await sending.getByText('Notes from the train').waitFor();
    await ada.screenshot({ path: join(SHOTS, 'offline-pending.png') });

    await adaContext.setOffline(false);
    const arrived = messages(bob)
      .getByRole('listitem', { name: 'Message from Ada' })
      .filter({ hasText: 'Notes from the train' });
    await arrived.waitFor({ timeout: 30_000 });
    await arrived.getByText('notes.txt').waitFor();
    await arrived.locator('pre', { hasText: 'line two' }).waitFor({ timeout: 60_000 });
    await sending.waitFor({ state: 'detached' });
    await bob.screenshot({ path: join(SHOTS, 'offline-delivered.png') });

    // Exactly once: one message in the projection, carrying the one file.
    const posted = () =>
      harness.db
        .select({ id: schema.messages.id, fileIds: schema.messages.fileIds })
        .from(schema.messages)
        .where(
          and(
            eq(schema.messages.channelId, channelId),
            eq(schema.messages.text, 'Notes from the train'),
          ),
        );
    await waitUntil(async () => (await posted()).length > 0);
    await ada.reload();
    await composer(ada).waitFor();
    await messages(ada).getByText('Notes from the train').waitFor();
    const rows = await posted();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fileIds).toHaveLength(1);
    expect(await arrived.count()).toBe(1);
    await adaContext.close();
    await bobContext.close();
  }, 180_000);
});
