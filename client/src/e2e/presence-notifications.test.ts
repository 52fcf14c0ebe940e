import { join } from 'node:path';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { team } from './team';
import { waitUntil } from './ui';

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

/**
 * Desktop, dark and phone screenshots of what `page` shows now; `phoneMenu` opens the phone's
 * menu first (where the sidebar lives on a phone).
 */
async function shoot(page: Page, name: string, phoneMenu = false) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const menu = page.getByRole('button', { name: 'Channels and workspaces' });
  if (phoneMenu) await menu.click();
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`) });
  if (phoneMenu) await menu.click();
  if (size) await page.setViewportSize(size);
}

/**
 * Records every Web Notification the page constructs (title, body, and the instance, whose
 * `onclick` the test calls as a click on it would).
 */
function recordNotifications() {
  const shown: Array<{ title: string; body?: string; instance: Notification }> = [];
  Object.assign(window, { shownNotifications: shown });
  const Original = window.Notification;
  class Recorded extends Original {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      shown.push({ title, body: options?.body, instance: this });
    }
  }
  window.Notification = Recorded;
}

/** The tab hidden as when the user switched away: what the page reads, and the event. */
function hideTab() {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange'));
}

type Shown = Array<{ title: string; body?: string }>;
const shownIn = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { shownNotifications: Shown }).shownNotifications.map(
      ({ title, body }) => ({ title, body }),
    ),
  );

describe('presence, status and notifications', () => {
  it('shows status and presence live, and notifies a hidden tab of a mention but not of a muted channel', async () => {
    const { ada, bob, adaContext, bobContext, errors, channelId } = await team(
      harness,
      harness.baseUrl,
    );
    const db = harness.db;
    // # quiet, which Bob mutes, next to # general.
    const [general] = await db
      .select()
      .from(schema.channels)
      .where(eq(schema.channels.id, channelId));
    const [quiet] = await db
      .insert(schema.channels)
      .values({ workspaceId: general?.workspaceId ?? '', kind: 'public', name: 'quiet' })
      .returning();
    const members = await db
      .select({ userId: schema.channelMembers.userId })
      .from(schema.channelMembers)
      .where(eq(schema.channelMembers.channelId, channelId));
    await db
      .insert(schema.channelMembers)
      .values(members.map(({ userId }) => ({ channelId: quiet?.id ?? '', userId })));
    const bobId = (await bob.evaluate(() => localStorage.getItem('confab.user')))?.match(
      /"id":"([^"]+)"/,
    )?.[1];
    expect(bobId).toBeTruthy();

    // Bob's browser allows notifications and records them.
    await bobContext.grantPermissions(['notifications'], { origin: harness.baseUrl });
    await bobContext.addInitScript(recordNotifications);
    await bob.reload();
    await ada.reload();

    // Ada starts a DM with Bob: it is in both sidebars. No prompt for notifications on load;
    // after her first message, a small one.
    await sidebar(ada).getByRole('button', { name: 'New direct message' }).click();
    const picker = ada.getByRole('dialog', { name: 'New direct message' });
    await picker.getByRole('searchbox', { name: 'Find people' }).fill('bo');
    await picker.getByRole('checkbox').check();
    await picker.getByRole('button', { name: 'Start conversation' }).click();
    const prompt = ada.getByRole('region', { name: 'Desktop notifications' });
    expect(await prompt.count()).toBe(0);
    await say(ada, 'Message Bob', 'Hi Bob');
    await prompt.waitFor();
    await ada.screenshot({ path: join(SHOTS, 'prompt.png') });
    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });

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
    // Ada watches Bob (her sidebar shows their DM): the status arrives without a reload, and
    // his presence shows as active.
    await sidebar(ada)
      .getByRole('button', { name: /^Bob.*Active.*📅 In a meeting/ })
      .waitFor();
    await sidebar(ada).getByRole('img', { name: 'Active' }).waitFor();
    await say(ada, 'Message Bob', 'See you after your meeting');
    await ada.getByRole('listitem', { name: 'Message from Ada' }).first().waitFor();
    await shoot(ada, 'sidebar', true);
    // The second device goes away (it would read, and so settle, what the test sends next).
    await phone.close();

    // Ada pauses her notifications for 30 minutes: Bob's sidebar marks her do-not-disturb.
    await ada.getByLabel('Your status and notifications').click();
    await ada.getByRole('button', { name: 'Pause notifications…' }).click();
    const dnd = ada.getByRole('dialog', { name: 'Pause notifications' });
    await shoot(ada, 'dnd-dialog');
    await dnd.getByRole('button', { name: '30 minutes' }).click();
    await dnd.waitFor({ state: 'detached' });
    await sidebar(bob)
      .getByRole('button', { name: /^Ada.*do not disturb/ })
      .waitFor();

    // Bob mutes # quiet from its header, then switches to another tab.
    await sidebar(bob).getByRole('button', { name: '# quiet', exact: true }).click();
    await bob.getByLabel('Notifications for this channel').click();
    await bob.getByRole('checkbox', { name: 'Mute this channel' }).check();
    await bob.getByLabel('Notifications for this channel, muted').waitFor();
    await bob.screenshot({ path: join(SHOTS, 'channel-menu.png') });
    await bob.getByLabel('Notifications for this channel, muted').click();
    // He adds a keyword in his notification settings (a bad one is refused before saving).
    await bob.getByLabel('Your status and notifications').click();
    await bob.getByRole('button', { name: 'Notification settings…' }).click();
    const settings = bob.getByRole('dialog', { name: 'Notification settings' });
    await settings.getByRole('textbox', { name: 'New keyword' }).fill('x');
    await settings.getByRole('button', { name: 'Add', exact: true }).click();
    await settings.getByRole('alert').getByText('at least 2 characters').waitFor();
    await settings.getByRole('textbox', { name: 'New keyword' }).fill('launch');
    await settings.getByRole('button', { name: 'Add', exact: true }).click();
    await settings.getByRole('list', { name: 'Keywords' }).getByText('launch').waitFor();
    await shoot(bob, 'settings');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await sidebar(bob).getByRole('button', { name: '# general', exact: true }).click();
    await bob.evaluate(hideTab);
    // His tab hidden, he is away for Ada.
    await sidebar(ada).getByRole('img', { name: 'Away' }).waitFor();

    // Ada mentions him in the muted channel, then in # general.
    await sidebar(ada).getByRole('button', { name: '# quiet', exact: true }).click();
    await say(ada, 'Message # quiet', '@Bob are you there?');
    await sidebar(ada).getByRole('button', { name: '# general', exact: true }).click();
    await say(ada, 'Message # general', '@Bob the launch moved to Friday');
    await waitUntil(async () => (await shownIn(bob)).length > 0, 15_000);
    // Both messages decided (the notifier empties the queue as it records), then: the server
    // recorded the mention in # general for Bob, nothing for the muted channel.
    await waitUntil(async () => (await db.select().from(schema.notificationQueue)).length === 0);
    const recorded = await db
      .select({ channelId: schema.notifications.channelId, reason: schema.notifications.reason })
      .from(schema.notifications)
      .where(eq(schema.notifications.userId, bobId ?? ''));
    expect(recorded.filter((row) => row.channelId === quiet?.id)).toEqual([]);
    expect(await shownIn(bob)).toEqual([
      { title: 'Ada in # general · Mentioned you', body: '@Bob the launch moved to Friday' },
    ]);
    // The tab says what waits: the mentions in # general and # quiet (muted channels keep
    // their mention badges) and Ada's two DMs, which are notifications but no mentions.
    await bob.waitForFunction(() => document.title === '(4) Confab');
    expect(
      await bob.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href')),
    ).toMatch(/^data:image\/png;base64,/);

    // A click on the notification opens the message.
    await bob.evaluate(() => {
      const [first] = (
        window as unknown as { shownNotifications: Array<{ instance: Notification }> }
      ).shownNotifications;
      first?.instance.onclick?.(new Event('click'));
    });
    await bob
      .getByRole('listitem', { name: 'Message from Ada' })
      .filter({ hasText: 'the launch moved to Friday' })
      .and(bob.locator('.focused'))
      .waitFor();

    // The inbox lists what reached him, newest first; Mark all read empties the count.
    await bob.getByRole('button', { name: /^Mentions and notifications/ }).click();
    const inbox = bob.getByRole('list', { name: 'Notifications' });
    await inbox.getByRole('button', { name: /^Unread: Ada\b.*direct message.*Hi Bob/ }).waitFor();
    const entries = await inbox.getByRole('button').allInnerTexts();
    expect(entries.map((text) => text.replace(/\s+/g, ' '))).toEqual([
      expect.stringContaining('the launch moved to Friday'),
      expect.stringContaining('See you after your meeting'),
      expect.stringContaining('Hi Bob'),
    ]);
    await shoot(bob, 'inbox');
    await bob.getByRole('button', { name: 'Mark all read' }).click();
    await bob.getByRole('button', { name: 'Mentions and notifications', exact: true }).waitFor();
    expect(await inbox.getByRole('button', { name: /^Unread/ }).count()).toBe(0);

    // Bob closes his last tab: after the grace period he is offline for Ada.
    await bob.close();
    await sidebar(ada).getByRole('img', { name: 'Offline' }).waitFor({ timeout: 15_000 });

    expect(errors.flat()).toEqual([]);
    await adaContext.close();
    await bobContext.close();
  }, 180_000);
});
