import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';
import { waitUntil } from './ui';

const harness = useBrowserHarness();
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'look');

const sidebar = (page: Page) => page.getByRole('navigation', { name: /channels$/ });
const background = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);
/** The page is no wider than the window: nothing pushed the header or composer off screen. */
const fitsTheWindow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const DARK = 'rgb(26, 29, 33)';

describe('looks in Chromium', () => {
  it('applies a dark theme chosen on the device before the app runs, and follows the menu', async () => {
    // The service worker would serve the bundle out of the route's reach.
    const context = await harness.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(harness.baseUrl);
    await page.evaluate(() => localStorage.setItem('confab-theme', 'dark'));
    // The app's bundle is held back: whatever shows meanwhile is the first paint's.
    const held: Route[] = [];
    await page.route(/\/assets\/index-[^/]*\.js$/, (route) => {
      held.push(route);
    });
    await page.reload({ waitUntil: 'commit' });
    await waitUntil(async () => held.length > 0 && (await page.evaluate(() => !!document.body)));
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background(page)).toBe(DARK);
    for (const route of held) await route.continue();
    await page.unroute(/\/assets\/index-[^/]*\.js$/);
    // Junk stored there is the system's choice.
    await page.evaluate(() => localStorage.setItem('confab-theme', '"><b>x'));
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect(await background(page)).toBe('rgb(255, 255, 255)');
    await context.close();
  }, 60_000);

  it('keeps long and right-to-left names on one line, shows locks, avatars, DM counts, and stays at the newest message across reloads', async () => {
    await mkdir(SHOTS, { recursive: true });
    const { ada, bob, errors } = await team(harness, harness.baseUrl);
    await ada.emulateMedia({ colorScheme: 'light' });

    // The theme from the sidebar's user menu, remembered across a reload.
    await sidebar(ada).locator('.user-menu > summary').click();
    await ada.getByRole('button', { name: 'Dark', exact: true }).click();
    expect(await background(ada)).toBe(DARK);
    await ada.reload();
    await ada.getByRole('textbox', { name: 'Message # general' }).waitFor();
    expect(await background(ada)).toBe(DARK);
    await sidebar(ada).locator('.user-menu > summary').click();
    await ada.getByRole('button', { name: 'System', exact: true }).click();
    expect(await background(ada)).toBe('rgb(255, 255, 255)');
    await ada.keyboard.press('Escape');

    // An 80-character private channel.
    const longName = `quarterly-planning-${'and-budget-'.repeat(5)}final-review-x`.slice(0, 80);
    expect(longName).toHaveLength(80);
    await sidebar(ada).getByRole('button', { name: 'Create a channel' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Name').fill(longName);
    await dialog.getByRole('checkbox', { name: /Private/ }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const composer = ada.getByRole('textbox', { name: `Message # ${longName}` });
    await composer.waitFor();
    await send(ada, 'First in the long one');
    const item = sidebar(ada).getByRole('button', { name: new RegExp(`^# ${longName}, private`) });
    await item.getByRole('img', { name: 'Private' }).waitFor();
    await ada.getByRole('heading', { level: 1 }).getByRole('img', { name: 'Private' }).waitFor();
    expect(await fitsTheWindow(ada)).toBe(true);
    // Cut with an ellipsis in the sidebar and the header, the composer whole on screen.
    for (const name of [item.locator('.name'), ada.locator('.channel-title bdi')])
      expect(await name.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(
        true,
      );
    // The quick switcher cuts it too.
    await ada.keyboard.press('Control+k');
    const switcher = ada.getByRole('dialog', { name: 'Jump to a channel' });
    await switcher.getByRole('textbox', { name: 'Channel name' }).fill('quarterly');
    const found = switcher.getByRole('button', { name: `# ${longName}` });
    expect(await found.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
    expect(await fitsTheWindow(ada)).toBe(true);
    await ada.keyboard.press('Escape');
    await switcher.waitFor({ state: 'detached' });
    const box = await composer.boundingBox();
    expect(box && box.x + box.width <= 1280).toBe(true);
    // Avatars with initials beside message authors.
    const row = ada.getByRole('listitem', { name: 'Message from Ada' }).first();
    expect(await row.locator('.avatar .initials').textContent()).toBe('A');

    // Bob, renamed to 80 characters of Hebrew, writes Ada two DMs: a count, not only bold.
    const rtlName = 'שלום עולם '.repeat(8).slice(0, 80);
    await harness.db
      .update(schema.users)
      .set({ name: rtlName })
      .where(eq(schema.users.name, 'Bob'));
    await sidebar(bob).getByRole('button', { name: 'New direct message' }).click();
    const picker = bob.getByRole('dialog', { name: 'New direct message' });
    await picker.getByRole('checkbox').first().check();
    await picker.getByRole('button', { name: 'Start conversation' }).click();
    const dm = bob.getByRole('textbox', { name: 'Message Ada' });
    await dm.fill('One');
    await dm.press('Enter');
    await dm.fill('Two');
    await dm.press('Enter');
    await ada.reload();
    await composer.waitFor();
    const dmItem = sidebar(ada)
      .getByRole('list', { name: 'Direct messages' })
      .getByRole('button', { name: /2 unread/ });
    await dmItem.waitFor();
    const badge = dmItem.locator('.badge');
    expect(await badge.textContent()).toBe('2');
    const name = dmItem.locator('.name');
    const [badgeBox, nameBox, itemBox] = await Promise.all([
      badge.boundingBox(),
      name.boundingBox(),
      dmItem.boundingBox(),
    ]);
    // The count stays at the end of the line, after the (cut) right-to-left name.
    if (!badgeBox || !nameBox || !itemBox) throw new Error('not laid out');
    expect(badgeBox.x).toBeGreaterThanOrEqual(nameBox.x + nameBox.width);
    expect(badgeBox.x + badgeBox.width).toBeLessThanOrEqual(itemBox.x + itemBox.width);
    expect(await name.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
    await ada.screenshot({ path: join(SHOTS, 'long-names-desktop.png') });
    await ada.setViewportSize({ width: 390, height: 844 });
    expect(await fitsTheWindow(ada)).toBe(true);
    await ada.screenshot({ path: join(SHOTS, 'long-names-phone.png') });
    await ada.getByRole('button', { name: 'Channels and workspaces' }).click();
    expect(await fitsTheWindow(ada)).toBe(true);
    await ada.screenshot({ path: join(SHOTS, 'long-names-phone-sidebar.png') });
    await ada.setViewportSize({ width: 1280, height: 800 });

    // Rows of many heights; after each reload the list settles on the newest message.
    await sidebar(ada)
      .getByRole('button', { name: /^# general/ })
      .click();
    for (let at = 1; at <= 24; at++)
      await send(ada, at % 4 ? `Line ${at}` : `Long ${at}\n${'words and more words '.repeat(20)}`);
    await ada.getByText('Long 24').waitFor();
    for (let reload = 0; reload < 5; reload++) {
      await ada.reload();
      await ada.getByText('Long 24').waitFor();
      await waitUntil(
        () =>
          ada.evaluate(() => {
            const scroller = document.querySelector('.messages');
            const last = [...document.querySelectorAll('.messages li .text')].find((node) =>
              node.textContent?.startsWith('Long 24'),
            );
            if (!scroller || !last) return false;
            const bottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
            const shown =
              last.getBoundingClientRect().bottom <= scroller.getBoundingClientRect().bottom;
            return bottom < 2 && shown;
          }),
        10_000,
      );
    }
    if (errors.flat().length) throw new Error(errors.flat().join('\n'));
  }, 420_000);
});
