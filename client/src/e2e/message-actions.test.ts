import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { pageErrors, send, team } from './team';
import { signUp, waitUntil } from './ui';

const harness = useBrowserHarness();
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'look');

const opacity = (locator: Locator) =>
  locator.evaluate((element) => Number(getComputedStyle(element).opacity));

/** A person on a phone (touch, no hover) in #general of the team's workspace. */
async function phonePerson(workspaceId: string, channelId: string) {
  const context = await harness.browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const errors = pageErrors(page);
  const email = await signUp(page, harness.baseUrl, 'Cy');
  const [cy] = await harness.db.select().from(schema.users).where(eq(schema.users.email, email));
  if (!cy) throw new Error('setup failed');
  await harness.db
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: cy.id, role: 'member' });
  await harness.db.insert(schema.channelMembers).values({ channelId, userId: cy.id });
  await page.reload();
  await page.getByRole('textbox', { name: 'Message # general' }).waitFor();
  return { page, errors };
}

/** A finger resting on the element's middle until `until` holds, then lifted (CDP touch). */
async function longPress(page: Page, target: Locator, until: () => Promise<boolean>) {
  const box = await target.boundingBox();
  if (!box) throw new Error('nothing to press');
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await waitUntil(until, 5_000);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe('message actions in Chromium', () => {
  it('shows actions on hover and keyboard focus only; a long press on a phone, 44 px targets, a Send button', async () => {
    await mkdir(SHOTS, { recursive: true });
    const { ada, bob, errors, channelId } = await team(harness, harness.baseUrl);
    await send(ada, 'Hover me, please');
    const row = (page: Page) =>
      page
        .getByRole('list', { name: 'Messages', exact: true })
        .getByRole('listitem', { name: 'Message from Ada' });
    const actions = (page: Page) => row(page).getByRole('toolbar', { name: 'Message actions' });

    // Desktop: hidden until hovered; shown while a control inside holds the keyboard focus.
    await row(bob).waitFor();
    await bob.mouse.move(5, 795);
    await waitUntil(async () => (await opacity(actions(bob))) === 0);
    await row(bob).hover();
    await waitUntil(async () => (await opacity(actions(bob))) === 1);
    await bob.mouse.move(5, 795);
    await waitUntil(async () => (await opacity(actions(bob))) === 0);
    await bob.getByRole('textbox', { name: 'Message # general' }).focus();
    await bob.keyboard.press('Shift+Tab');
    await waitUntil(async () =>
      row(bob).evaluate((element) => element.contains(document.activeElement)),
    );
    expect(await opacity(actions(bob))).toBe(1);
    await bob.screenshot({ path: join(SHOTS, 'actions-keyboard.png') });
    // Only one's own messages offer Edit and Delete.
    expect(await actions(bob).getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await actions(ada).getByRole('button', { name: 'Edit' }).count()).toBe(1);

    // A phone: no toolbar until a long press opens the menu, its buttons at least 44 px high.
    const [general] = await harness.db
      .select({ workspaceId: schema.channels.workspaceId })
      .from(schema.channels)
      .where(eq(schema.channels.id, channelId));
    if (!general) throw new Error('setup failed');
    const cy = await phonePerson(general.workspaceId, channelId);
    const phone = cy.page;
    expect(await phone.evaluate(() => matchMedia('(hover: none)').matches)).toBe(true);
    await row(phone).waitFor();
    expect(await actions(phone).isVisible()).toBe(false);
    await longPress(phone, row(phone).locator('.text'), () => actions(phone).isVisible());
    const buttons = await actions(phone).getByRole('button').all();
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    for (const button of buttons) {
      const box = await button.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(box?.width ?? 0).toBeGreaterThanOrEqual(44);
    }
    await phone.screenshot({ path: join(SHOTS, 'phone-long-press.png') });
    await actions(phone).getByRole('button', { name: 'Reply in thread' }).tap();
    await phone.getByRole('complementary', { name: 'Thread' }).waitFor();
    await phone.keyboard.press('Escape');
    // A tap elsewhere closes the menu.
    await longPress(phone, row(phone).locator('.text'), () => actions(phone).isVisible());
    await phone.getByRole('heading', { level: 1 }).tap();
    await actions(phone).waitFor({ state: 'hidden' });

    // The Send button sends (no Enter key on a phone's keyboard for that), 44 px high.
    const composer = phone.getByRole('textbox', { name: 'Message # general' });
    await composer.fill('Sent from my phone');
    const sendButton = phone.getByRole('button', { name: 'Send' });
    expect((await sendButton.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    await sendButton.tap();
    await ada.getByText('Sent from my phone').waitFor();
    expect(await composer.inputValue()).toBe('');
    const all = [...errors.flat(), ...cy.errors];
    if (all.length) throw new Error(all.join('\n'));
  }, 180_000);
});
