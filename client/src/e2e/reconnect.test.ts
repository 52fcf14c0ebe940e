import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';
import { waitUntil } from './ui';

const harness = useBrowserHarness();

const banner = (page: Page) => page.getByRole('status', { name: 'Connection' });

/** How often `text` shows in the page's message list. */
const occurrences = (page: Page, text: string) =>
  page.getByRole('list', { name: 'Messages' }).getByText(text, { exact: true }).count();

/** The messages the page still shows as sending. */
const sending = (page: Page) => page.locator('.messages .sending').count();

/**
 * After an outage: both pages reconnect by themselves, the message Ada typed meanwhile reaches
 * Bob exactly once and stops "sending", and the way back works too.
 */
async function deliveredAfterOutage(ada: Page, bob: Page, typed: string) {
  for (const page of [ada, bob]) await banner(page).waitFor({ state: 'hidden', timeout: 30_000 });
  await bob.getByText(typed).waitFor();
  await waitUntil(async () => (await sending(ada)) === 0);
  expect(await occurrences(bob, typed)).toBe(1);
  expect(await occurrences(ada, typed)).toBe(1);
  await send(bob, `${typed}: got it`);
  await ada.getByText(`${typed}: got it`).waitFor();
}

describe('reconnecting in Chromium', () => {
  it('shows Reconnecting while the server restarts, then both pages reconnect by themselves and deliver what was typed meanwhile once', async () => {
    const { ada, bob, adaContext, bobContext, errors } = await team(harness, harness.baseUrl);
    await send(ada, 'Before the restart');
    await bob.getByText('Before the restart').waitFor();

    await harness.stopServer();
    // Within 10 s both say the connection is gone.
    for (const page of [ada, bob])
      await page.getByRole('status', { name: 'Connection' }).getByText('Reconnecting…').waitFor({
        timeout: 10_000,
      });
    await send(ada, 'Typed while the server was down');
    await ada.getByText('Typed while the server was down').waitFor();
    await ada.screenshot({ path: join(artifacts, 'reconnecting-desktop.png') });
    await ada.setViewportSize({ width: 390, height: 844 });
    await ada.screenshot({ path: join(artifacts, 'reconnecting-phone.png') });
    await ada.setViewportSize({ width: 1280, height: 800 });

    await harness.startServer();
    await deliveredAfterOutage(ada, bob, 'Typed while the server was down');
    expect(errors.flat()).toEqual([]);
    await adaContext.close();
    await bobContext.close();
  }, 120_000);

  it('shows Offline while the network is cut (sockets closed), then reconnects by itself and delivers what was typed meanwhile once', async () => {
    // Through the proxy: cutting it closes the pages' sockets, as a dropped network does.
    const { ada, bob, adaContext, bobContext, errors } = await team(harness, harness.proxyUrl);
    await send(ada, 'Before the cut');
    await bob.getByText('Before the cut').waitFor();

    harness.network.cut();
    // Ada's browser also knows it is offline; Bob's only sees its sockets drop.
    await adaContext.setOffline(true);
    await banner(ada).getByText('Offline — messages will be sent when you’re back').waitFor({
      timeout: 10_000,
    });
    await banner(bob).getByText('Reconnecting…').waitFor({ timeout: 10_000 });
    await send(ada, 'Typed while the network was cut');
    await ada.getByText('Typed while the network was cut').waitFor();
    await ada.screenshot({ path: join(artifacts, 'offline-banner-desktop.png') });

    harness.network.restore();
    await adaContext.setOffline(false);
    await deliveredAfterOutage(ada, bob, 'Typed while the network was cut');
    expect(errors.flat()).toEqual([]);
    await adaContext.close();
    await bobContext.close();
  }, 120_000);
});
