import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { expectMainAndOneH1, expectNoSeriousA11y } from './axe';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';

const harness = useBrowserHarness();
/** Screenshots for people to look at (not committed); SCREENSHOTS_DIR puts them elsewhere. */
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'look');

const sidebar = (page: Page) => page.getByRole('navigation', { name: /channels$/ });

/** axe on the page as it is, a main landmark and one h1 (views, not dialogs over them). */
async function check(page: Page, where: string, view = true) {
  await expectNoSeriousA11y(page, where);
  if (view) await expectMainAndOneH1(page, where);
}

/** Every view Ada can reach: the channel, a thread, the dialogs, search, the inbox, her menu. */
async function everyView(page: Page, scheme: string) {
  const at = (what: string) => `${what}, ${scheme}`;
  const messages = page.getByRole('list', { name: 'Messages', exact: true });
  await messages.getByRole('listitem', { name: 'Message from Bob' }).first().waitFor();
  await check(page, at('channel'));
  await page.screenshot({ path: join(SHOTS, `channel-${scheme}.png`) });

  // A thread beside the channel (hovering a row shows its actions: checked too).
  const adas = messages.getByRole('listitem', { name: 'Message from Ada' }).first();
  await adas.hover();
  await check(page, at('message actions'));
  await adas.getByRole('button', { name: 'Reply in thread' }).click();
  const thread = page.getByRole('complementary', { name: 'Thread' });
  await thread.getByText('On it').waitFor();
  await check(page, at('thread'));
  await page.screenshot({ path: join(SHOTS, `thread-${scheme}.png`) });
  await page.keyboard.press('Escape');
  await thread.waitFor({ state: 'detached' });

  for (const [button, dialog] of [
    ['Browse', 'Browse channels'],
    ['Create a channel', 'Create a channel'],
    ['New direct message', 'New direct message'],
    ['Invite people', 'Invite people'],
  ] as const) {
    await sidebar(page).getByRole('button', { name: button, exact: true }).click();
    await page.getByRole('dialog', { name: dialog }).waitFor();
    await check(page, at(`dialog ${dialog}`), false);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: dialog }).waitFor({ state: 'detached' });
  }

  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Jump to a channel' }).waitFor();
  await check(page, at('quick switcher'), false);
  await page.keyboard.press('Escape');

  await sidebar(page).locator('.user-menu > summary').click();
  await page.getByRole('group', { name: 'Theme' }).waitFor();
  await check(page, at('user menu'), false);
  await page.keyboard.press('Escape');

  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill('standup');
  await search.press('Enter');
  await page.getByRole('main', { name: 'Search results' }).waitFor();
  await check(page, at('search results'));
  await page.screenshot({ path: join(SHOTS, `search-${scheme}.png`) });
  await page.getByRole('button', { name: 'Close the search' }).click();

  await page.getByRole('button', { name: /^Mentions and notifications/ }).click();
  await page.getByRole('main', { name: 'Mentions and notifications' }).waitFor();
  await check(page, at('inbox'));
  await page.screenshot({ path: join(SHOTS, `inbox-${scheme}.png`) });
  await page.getByRole('button', { name: 'Close the inbox' }).click();
  await messages.waitFor();
}

describe('accessibility in Chromium (axe-core)', () => {
  it('has no serious or critical violations in any view, light and dark, desktop and phone', async () => {
    await mkdir(SHOTS, { recursive: true });
    const { ada, bob, errors } = await team(harness, harness.baseUrl);
    await send(ada, 'Hello *Bob*, the **standup** notes are <https://example.com/notes|here>');
    const bobSees = bob.getByRole('list', { name: 'Messages' });
    const adasMessage = bobSees.getByRole('listitem', { name: 'Message from Ada' });
    await adasMessage.waitFor();
    await adasMessage.hover();
    await adasMessage.getByLabel('Add a reaction').click();
    await adasMessage.getByRole('button', { name: 'React with 👍' }).click();
    await adasMessage.hover();
    await adasMessage.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = bob.getByRole('complementary', { name: 'Thread' });
    await thread.getByRole('textbox', { name: 'Reply in thread' }).fill('On it');
    await thread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
    await send(bob, 'Thanks, see you at 10 <!here>');

    for (const scheme of ['light', 'dark'] as const) {
      await ada.emulateMedia({ colorScheme: scheme });
      await everyView(ada, scheme);
    }
    // The phone's layout: the channel, then the sidebar behind the menu button.
    await ada.setViewportSize({ width: 390, height: 844 });
    for (const scheme of ['light', 'dark'] as const) {
      await ada.emulateMedia({ colorScheme: scheme });
      await check(ada, `phone channel, ${scheme}`);
      await ada.screenshot({ path: join(SHOTS, `phone-channel-${scheme}.png`) });
      await ada.getByRole('button', { name: 'Channels and workspaces' }).click();
      await sidebar(ada).waitFor();
      await check(ada, `phone sidebar, ${scheme}`, false);
      await ada.screenshot({ path: join(SHOTS, `phone-sidebar-${scheme}.png`) });
      await ada.getByRole('button', { name: 'Channels and workspaces' }).click();
    }
    if (errors.flat().length) throw new Error(errors.flat().join('\n'));
  }, 240_000);
});
