import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { pageErrors, send } from './team';
import { createWorkspace, signUp } from './ui';

const harness = useBrowserHarness();

/** What the page's origin keeps on the device, as a list of findings (empty: nothing). */
function leftOnDevice(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const found = Object.keys(localStorage).map((key) => `localStorage ${key}`);
    for (const database of await indexedDB.databases()) found.push(`IndexedDB ${database.name}`);
    // The app shell (index.html, assets, manifest, icons, theme script) is no one's; anything else would be.
    const shell = /^\/$|^\/assets\/|^\/manifest\.webmanifest$|^\/icon[\w-]*\.svg$|^\/theme\.js$/;
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) {
        const path = new URL(request.url).pathname;
        if (!shell.test(path)) found.push(`cache ${name} ${path}`);
      }
    }
    return found;
  });
}

/** Sets up what a session leaves on a device: docs, outbox, cached answers, a draft. */
async function busyDevice(page: Page, name: string) {
  const email = await signUp(page, harness.baseUrl, name);
  await createWorkspace(page, `Acme ${Date.now()}`);
  await send(page, 'A message that was sent');
  await page.getByText('A message that was sent').waitFor();
  await page.getByRole('textbox', { name: 'Message # general' }).fill('a half-written thought');
  const found = await leftOnDevice(page);
  expect(found.some((item) => item.startsWith('IndexedDB channel:'))).toBe(true);
  expect(found.some((item) => item.startsWith('localStorage confab.get:'))).toBe(true);
  return email;
}

describe('ending a session in Chromium', () => {
  it('wipes the device after the session was revoked from another device, showing the unsent text once to copy', async () => {
    const laptop = await harness.browser.newContext();
    const page = await laptop.newPage();
    const errors = pageErrors(page);
    const email = await busyDevice(page, 'Ada');

    // Ada logs in on her phone and ends the laptop's session from there.
    const phone = await harness.browser.newContext();
    const other = await phone.newPage();
    await other.goto(harness.baseUrl);
    const login = other.getByRole('form', { name: 'Log in' });
    await login.getByLabel('Email').fill(email);
    await login.getByLabel('Password').fill('correct horse battery');
    await login.getByRole('button', { name: 'Log in' }).click();
    await other.getByText('Signed in as Ada').waitFor();
    const revoked = await other.evaluate(async () => {
      const refreshed = await fetch('/api/auth/refresh', { method: 'POST' });
      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      const headers = { Authorization: `Bearer ${accessToken}` };
      const listed = await fetch('/api/auth/sessions', { headers });
      const { sessions } = (await listed.json()) as {
        sessions: Array<{ id: string; current: boolean }>;
      };
      const others = sessions.filter((session) => !session.current);
      for (const session of others)
        await fetch(`/api/auth/sessions/${session.id}`, { method: 'DELETE', headers });
      return others.length;
    });
    expect(revoked).toBe(1);

    // The laptop learns it (its sync socket is closed, the refresh refused): it shows the text
    // it could not send, once, and keeps nothing.
    const ended = page.getByRole('dialog', { name: 'Your session ended' });
    await ended.getByText('a half-written thought').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, 'session-ended-desktop.png') });
    expect(await leftOnDevice(page)).toEqual([]);
    await ended.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    expect(await page.getByText('a half-written thought').count()).toBe(0);
    expect(await leftOnDevice(page)).toEqual([]);
    // 401s are how the server told the laptop its session had ended; nothing else went wrong.
    expect(errors.filter((error) => !/status of 401 \(Unauthorized\)/.test(error))).toEqual([]);
    await laptop.close();
    await phone.close();
  }, 120_000);

  it('asks before a log-out deletes unsent text, lets the user copy it, then wipes the device', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    const errors = pageErrors(page);
    await busyDevice(page, 'Bea');

    await page.getByRole('button', { name: 'Log out' }).click();
    const ask = page.getByRole('dialog', { name: 'Log out and delete unsent messages?' });
    await ask.getByText('a half-written thought').waitFor();
    await page.screenshot({ path: join(artifacts, 'logout-unsent-desktop.png') });
    // Staying signed in keeps everything.
    await ask.getByRole('button', { name: 'Stay signed in' }).click();
    await page.getByRole('textbox', { name: 'Message # general' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Message # general' }).inputValue()).toBe(
      'a half-written thought',
    );

    await page.getByRole('button', { name: 'Log out' }).click();
    // What Copy hands the clipboard (headless Chromium may not let a page read it back).
    await page.evaluate(() => {
      navigator.clipboard.writeText = async (text) => {
        document.body.dataset.copied = text;
      };
    });
    await ask.getByRole('button', { name: 'Copy' }).click();
    await ask.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => document.body.dataset.copied)).toBe('a half-written thought');
    await ask.getByRole('button', { name: 'Log out anyway' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.waitForFunction(async () => (await indexedDB.databases()).length === 0);
    expect(await leftOnDevice(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
  it('a log-out made offline reaches the server once online: a reload does not sign the user in again', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signUp(page, harness.baseUrl, 'Offline Leaver');
    await createWorkspace(page, `Acme ${Date.now()}`);
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.waitForFunction(async () => (await indexedDB.databases()).length === 0);
    // Nothing of the user, only the note that the server still has to hear of it.
    expect(await leftOnDevice(page)).toEqual(['localStorage confab-logout-owed']);

    await context.setOffline(false);
    await page.reload();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.waitForFunction(() => localStorage.getItem('confab-logout-owed') === null);
    // The refresh cookie's session is gone on the server too: another reload stays signed out.
    await page.reload();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    expect(await page.getByText('Signed in as Offline Leaver').count()).toBe(0);
    expect(await leftOnDevice(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
