import { join } from 'node:path';
import { schema } from '@confab/db';
import { and, eq, isNull } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserHarness } from './harness';
import { createWorkspace, signUp, waitUntil } from './ui';

const harness = useBrowserHarness();
const shots = process.env.SCREENSHOTS_DIR;
const shot = (page: Page, name: string) =>
  shots ? page.screenshot({ path: join(shots, `${name}.png`) }) : Promise.resolve();

const sidebar = (page: Page) => page.getByRole('navigation', { name: /channels$/ });
const composer = (page: Page, title: string) =>
  page.getByRole('textbox', { name: `Message ${title}` });
const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

async function send(page: Page, title: string, text: string) {
  await composer(page, title).fill(text);
  await composer(page, title).press('Enter');
  await page.getByRole('list', { name: 'Messages' }).getByText(text).waitFor();
}

async function createChannel(page: Page, name: string) {
  await sidebar(page).getByRole('button', { name: 'Create a channel' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a channel' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await composer(page, `# ${name}`).waitFor();
}

async function logIn(page: Page, email: string) {
  const form = page.getByRole('form', { name: 'Log in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill('correct horse battery');
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** The id of a projected message, by its text (projection is asynchronous: polled). */
async function messageId(text: string): Promise<string> {
  let id: string | undefined;
  await waitUntil(async () => {
    const [row] = await harness.db
      .select({ id: schema.messages.id })
      .from(schema.messages)
      .where(and(eq(schema.messages.text, text), isNull(schema.messages.parentId)));
    id = row?.id;
    return id !== undefined;
  });
  if (!id) throw new Error('unreachable');
  return id;
}

describe('URLs in Chromium', () => {
  it('gives channels, threads and messages URLs; Back, Forward, reload, deep links and sign-in return there', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const email = await signUp(page, harness.baseUrl, 'Ada');
    const workspace = `Routes ${Date.now()}`;
    await createWorkspace(page, workspace);
    const { workspaceId, channelId: generalId } = await harness.general(workspace);
    expect(path(page)).toBe(`/w/${workspaceId}/c/${generalId}`);

    // A channel that sorts before #general: the default stays #general.
    await createChannel(page, 'alpha');
    const [alpha] = await harness.db
      .select({ id: schema.channels.id })
      .from(schema.channels)
      .where(and(eq(schema.channels.workspaceId, workspaceId), eq(schema.channels.name, 'alpha')));
    if (!alpha) throw new Error('no #alpha');
    const alphaPath = `/w/${workspaceId}/c/${alpha.id}`;
    await waitUntil(async () => path(page) === alphaPath);
    await send(page, '# alpha', 'Root of a thread');
    const rootId = await messageId('Root of a thread');

    // A thread has its own URL; Back closes it, Back again goes to #general, Forward returns.
    await sidebar(page).getByRole('button', { name: '# general' }).click();
    await waitUntil(async () => path(page) === `/w/${workspaceId}/c/${generalId}`);
    await sidebar(page).getByRole('button', { name: '# alpha' }).click();
    // Message actions show on hover (and keyboard focus).
    const root = page.getByRole('listitem').filter({ hasText: 'Root of a thread' }).first();
    await root.hover();
    await root.getByRole('button', { name: /reply/i }).first().click();
    await page.getByRole('complementary', { name: 'Thread' }).waitFor();
    await waitUntil(async () => path(page) === `${alphaPath}/t/${rootId}`);
    await page.goBack();
    await page.getByRole('complementary', { name: 'Thread' }).waitFor({ state: 'detached' });
    expect(path(page)).toBe(alphaPath);
    await page.goBack();
    await composer(page, '# general').waitFor();
    await page.goForward();
    await composer(page, '# alpha').waitFor();
    await page.goForward();
    await page.getByRole('complementary', { name: 'Thread' }).waitFor();

    // Reload returns to the same place, the thread open.
    await page.reload();
    await page.getByRole('complementary', { name: 'Thread' }).waitFor();
    await composer(page, '# alpha').waitFor();
    expect(path(page)).toBe(`${alphaPath}/t/${rootId}`);

    // Ctrl+K: the chosen channel's composer has the focus.
    await page.keyboard.press('Control+k');
    await page
      .getByRole('dialog', { name: 'Jump to a channel' })
      .getByLabel('Channel name')
      .fill('gen');
    await page.keyboard.press('Enter');
    await waitUntil(() =>
      page.evaluate(
        () => document.activeElement?.getAttribute('aria-label') === 'Message # general',
      ),
    );
    await page.keyboard.type('typed right after Ctrl+K');
    await expect(composer(page, '# general').inputValue()).resolves.toBe(
      'typed right after Ctrl+K',
    );
    await composer(page, '# general').fill('');

    // Opening the app at / returns to the last channel (#alpha); after a log-out nothing of
    // the user is left on the device, so logging in again opens #general, not #alpha.
    await sidebar(page).getByRole('button', { name: '# alpha' }).click();
    await composer(page, '# alpha').waitFor();
    await page.goto(harness.baseUrl);
    await composer(page, '# alpha').waitFor();
    expect(path(page)).toBe(alphaPath);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    expect(path(page)).toBe('/');
    await logIn(page, email);
    await composer(page, '# general').waitFor();
    expect(path(page)).toBe(`/w/${workspaceId}/c/${generalId}`);

    // A deep link to a message opened signed out: log in, then that channel opens at it.
    const phone = await harness.browser.newContext({ viewport: { width: 390, height: 844 } });
    const other = await phone.newPage();
    await other.goto(`${harness.baseUrl}${alphaPath}?m=${rootId}`);
    await logIn(other, email);
    await composer(other, '# alpha').waitFor();
    expect(path(other)).toBe(`${alphaPath}?m=${rootId}`);
    await other.getByRole('list', { name: 'Messages' }).getByText('Root of a thread').waitFor();
    await shot(other, 'deep-link-phone');

    // The notification mails' older links open the same place under its new URL.
    await other.goto(
      `${harness.baseUrl}/?workspace=${workspaceId}&channel=${alpha.id}&message=${rootId}`,
    );
    await composer(other, '# alpha').waitFor();
    await waitUntil(async () => path(other) === `${alphaPath}?m=${rootId}`);

    // A link to a place that is not one: the home instead, never an error page.
    await other.goto(`${harness.baseUrl}/w/not-a-workspace/c/nothing`);
    await composer(other, '# alpha').waitFor();
    await shot(page, 'navigation-desktop');
    await phone.close();
    await context.close();
  }, 120_000);

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`shows server status on the About page and an offline banner clear of the title (${viewport.name})`, async () => {
      const context = await harness.browser.newContext({ viewport });
      const page = await context.newPage();
      await signUp(page, harness.baseUrl, 'Ada');
      await createWorkspace(page, `About ${viewport.name} ${Date.now()}`);
      // No developer footer under the channel.
      expect(await page.locator('footer').count()).toBe(0);
      await page.locator('summary[aria-label="Your status and notifications"]').click();
      await page.getByRole('button', { name: 'About Confab' }).click();
      await page.getByRole('heading', { name: 'About Confab', level: 1 }).waitFor();
      await page.getByText('All systems working').waitFor();
      expect(new URL(page.url()).pathname).toBe('/about');
      await shot(page, `about-${viewport.name}`);
      await page.goBack();
      await composer(page, '# general').waitFor();

      await context.setOffline(true);
      const banner = page.getByRole('status', { name: 'Connection' });
      await banner.waitFor();
      const title = page.getByRole('heading', { name: '# general' });
      const [a, b] = await Promise.all([banner.boundingBox(), title.boundingBox()]);
      if (!a || !b) throw new Error('banner or title not laid out');
      const overlap =
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap).toBe(false);
      await shot(page, `offline-banner-${viewport.name}`);
      await context.setOffline(false);
      await banner.waitFor({ state: 'hidden', timeout: 30_000 });
      await context.close();
    }, 90_000);
  }
});
