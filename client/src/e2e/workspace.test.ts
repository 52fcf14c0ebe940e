import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { createWorkspace, fillSignUp, launchChromiumProfile, signUp } from './ui';

const harness = useBrowserHarness();

async function send(page: Page, label: string, text: string) {
  const composer = page.getByRole('textbox', { name: label });
  await composer.fill(text);
  await composer.press('Enter');
  await page.getByRole('list', { name: 'Messages' }).getByText(text).waitFor();
}

const sidebar = (page: Page) => page.getByRole('navigation', { name: /channels$/ });

describe('a workspace in Chromium', () => {
  it('invites by link, creates, browses and joins channels, starts a DM, lists members', async () => {
    const adaContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ada = await adaContext.newPage();
    await signUp(ada, harness.baseUrl, 'Ada');
    await createWorkspace(ada, 'Orbit');

    // Ada invites by link; Bob opens it, signs up on the spot and joins.
    await sidebar(ada).getByRole('button', { name: 'Invite people' }).click();
    const invite = ada.getByRole('dialog', { name: 'Invite people' });
    await invite.getByRole('button', { name: 'Invite' }).click();
    const link = await invite.getByLabel('Invitation link').textContent();
    if (!link?.includes('/invite/')) throw new Error(`no invitation link: ${link}`);
    await invite.getByRole('button', { name: 'Close' }).click();
    const bobContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const bob = await bobContext.newPage();
    await bob.goto(link);
    await fillSignUp(bob, 'Bob');
    await bob.getByRole('heading', { name: 'Join Orbit' }).waitFor();
    await bob.getByRole('button', { name: 'Join Orbit' }).click();
    await bob.getByRole('textbox', { name: 'Message # general' }).waitFor();

    // A channel made in the dialog; a bad name is refused with a reason and changes nothing.
    await sidebar(ada).getByRole('button', { name: 'Create a channel' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel('Name').fill('no!good');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Name').fill('Launch Plan');
    await dialog.getByLabel('Purpose (optional)').fill('Everything about the launch');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await ada.getByRole('textbox', { name: 'Message # launch-plan' }).waitFor();
    await send(ada, 'Message # launch-plan', 'Launch is on Friday');

    // Switching back and forth shows each channel's own messages, online and offline.
    await sidebar(ada).getByRole('button', { name: '# general' }).click();
    await send(ada, 'Message # general', 'General news');
    await ada.waitForFunction(() => navigator.serviceWorker.controller !== null);
    for (const offline of [false, true]) {
      await adaContext.setOffline(offline);
      for (let round = 0; round < 3; round++) {
        await sidebar(ada).getByRole('button', { name: '# launch-plan' }).click();
        await ada
          .getByRole('list', { name: 'Messages' })
          .getByText('Launch is on Friday')
          .waitFor();
        await sidebar(ada).getByRole('button', { name: '# general' }).click();
        await ada.getByRole('list', { name: 'Messages' }).getByText('General news').waitFor();
      }
    }
    await adaContext.setOffline(false);

    // Bob finds the channel in the browser and joins it; its history is there.
    await sidebar(bob).getByRole('button', { name: 'Browse' }).click();
    const browse = bob.getByRole('dialog', { name: 'Browse channels' });
    await browse.getByRole('searchbox', { name: 'Search channels' }).fill('launch');
    await browse.getByText('Everything about the launch').waitFor();
    await bob.screenshot({ path: join(artifacts, 'browse-channels-desktop.png') });
    await browse.getByRole('button', { name: 'Join # launch-plan' }).click();
    await bob.getByRole('list', { name: 'Messages' }).getByText('Launch is on Friday').waitFor();

    // Ada is in #general; Bob mentions her in #launch-plan: a live badge, cleared on opening it.
    await sidebar(ada).getByRole('button', { name: '# general' }).click();
    await send(bob, 'Message # launch-plan', 'Ada, the @Ada deck is ready');
    const badge = sidebar(ada).getByRole('button', { name: '# launch-plan, unread, 1 mentions' });
    await badge.waitFor();
    await ada.screenshot({ path: join(artifacts, 'unread-badge-desktop.png') });
    await badge.click();
    await ada.getByRole('list', { name: 'Messages' }).getByText('deck is ready').waitFor();
    // Reading it moved her read marker: back in #general, the server counts nothing unread.
    await sidebar(ada).getByRole('button', { name: '# general' }).click();
    // Any /unread answer whose body can be read counts (one the old page asked for may arrive
    // just before the reload navigates away, and its body is gone then); the reloaded page asks
    // at start. Waits until the server counts nothing, or fails with what it last counted.
    let lastCounted = 'no answer';
    const counted = ada.waitForResponse(async (response) => {
      if (!response.url().endsWith('/unread')) return false;
      const body = (await response.json().catch(() => null)) as {
        channels: Array<{ unreadCount: number; mentionCount: number }>;
      } | null;
      if (!body) return false;
      lastCounted = JSON.stringify(body.channels);
      return body.channels.every((entry) => !entry.unreadCount && !entry.mentionCount);
    });
    await ada.reload();
    await counted.catch((error: Error) => {
      throw new Error(`still unread: ${lastCounted} (${error.message})`);
    });
    await sidebar(ada).getByRole('button', { name: '# launch-plan', exact: true }).waitFor();

    // The member list shows both.
    await bob.getByRole('button', { name: 'Members' }).click();
    const members = bob.getByRole('complementary', { name: 'Members' });
    await members.getByText('Members (2)').waitFor();
    await members.getByText('Ada').waitFor();

    // Bob starts a DM with Ada; she sees it in her sidebar under his name and answers.
    await sidebar(bob).getByRole('button', { name: 'New direct message' }).click();
    const picker = bob.getByRole('dialog', { name: 'New direct message' });
    await picker.getByRole('searchbox', { name: 'Find people' }).fill('ad');
    await picker.getByRole('checkbox').check();
    await picker.getByRole('button', { name: 'Start conversation' }).click();
    await send(bob, 'Message Ada', 'Hi Ada, a quick question');
    // No reload: the conversation appears in Ada's sidebar live, marked unread.
    await sidebar(ada).getByRole('button', { name: 'Bob, 1 unread' }).waitFor();
    await sidebar(ada).getByRole('button', { name: /^Bob/ }).click();
    await ada
      .getByRole('list', { name: 'Messages' })
      .getByText('Hi Ada, a quick question')
      .waitFor();
    // In a DM Bob's message shows its status, live: Ada has read it (her read marker, projected,
    // tells the author through his activity stream), before she answers anything.
    await bob
      .getByRole('listitem', { name: 'Message from Bob' })
      .filter({ hasText: 'Hi Ada, a quick question' })
      .locator('.status.read')
      .waitFor();
    await send(ada, 'Message Bob', 'Sure, ask away');
    await bob.getByRole('list', { name: 'Messages' }).getByText('Sure, ask away').waitFor();
    await bob.screenshot({ path: join(artifacts, 'dm-desktop.png') });
    await adaContext.close();
    await bobContext.close();
  }, 150_000);

  it('can be installed: the manifest and icons satisfy Chromium', async () => {
    const context = await launchChromiumProfile(await mkdtemp(join(tmpdir(), 'confab-profile-')));
    const page = await context.newPage();
    await page.goto(harness.baseUrl);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    if (installabilityErrors.length)
      throw new Error(`not installable: ${installabilityErrors.map((e) => e.errorId).join(', ')}`);
    await context.close();
  }, 60_000);
});
