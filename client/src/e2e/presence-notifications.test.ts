import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { team } from './team';

/** A short grace period, so that a closed tab reads offline within the test's patience. */
const harness = useBrowserHarness(() => ({ PRESENCE_GRACE_MS: '1000' }));
/** Screenshots for people to look at (not committed); SCREENSHOTS_DIR puts them elsewhere. */
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'presence-notifications');

/** Types into the composer named `label` and sends with Enter. */
async function say(page: Page, label: string, text: string) {
  const composer = page.getByRole('textbox', { name: label });
  await composer.fill(text);
  await composer.press('Enter');
}

const sidebar = (page: Page) => page.getByRole('navigation', { name: /channels$/ });

/** Desktop, phone and dark screenshots of what `page` shows now. */
async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`) });
  if (size) await page.setViewportSize(size);
}

describe('presence, status and notifications', () => {
  it('shows a status set on another device next to the name', async () => {
    const { ada, bob, adaContext, bobContext, errors } = await team(harness, harness.baseUrl);

    // Ada starts a DM with Bob: it is in both sidebars.
    await sidebar(ada).getByRole('button', { name: 'New direct message' }).click();
    const picker = ada.getByRole('dialog', { name: 'New direct message' });
    await picker.getByRole('searchbox', { name: 'Find people' }).fill('bo');
    await picker.getByRole('checkbox').check();
    await picker.getByRole('button', { name: 'Start conversation' }).click();
    await ada.getByRole('textbox', { name: 'Message Bob' }).waitFor();
    await say(ada, 'Message Bob', 'Hi Bob');

    // Bob sets a status on a second device.
    const phone = await bobContext.newPage();
    await phone.goto(harness.baseUrl);
    await phone.getByText('Signed in as Bob').waitFor();
    await phone.getByLabel('Your status and notifications').click();
    await phone.getByRole('button', { name: 'Set a status…' }).click();
    const dialog = phone.getByRole('dialog', { name: 'Set a status' });
    await dialog.getByRole('button', { name: 'In a meeting' }).click();
    await shoot(phone, 'status-dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    // His first device hears it through its own activity stream.
    await bob
      .getByLabel('Your status and notifications')
      .getByRole('img', { name: /In a meeting/ })
      .waitFor();

    await ada.reload();
    await sidebar(ada)
      .getByRole('button', { name: /^Bob.*📅 In a meeting/ })
      .waitFor();
    await shoot(ada, 'sidebar');

    expect(errors.flat()).toEqual([]);
    await adaContext.close();
    await bobContext.close();
  }, 180_000);
});
