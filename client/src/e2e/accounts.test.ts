import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { createWorkspace, signUp } from './ui';

const harness = useBrowserHarness();

describe('accounts and workspaces in Chromium', () => {
  it('signs up, creates a workspace with #general, and stays signed in across a reload', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(harness.baseUrl);
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.screenshot({ path: join(artifacts, 'login-desktop.png') });

    await signUp(page, harness.baseUrl, 'Ada Lovelace');

    await createWorkspace(page, `Acme ${Date.now()}`);
    const channels = page.getByRole('list', { name: 'Channels' });
    await channels.getByText('# general').waitFor();
    await page.screenshot({ path: join(artifacts, 'workspace-desktop.png') });

    // The access token lived in memory only: the refresh cookie brings the session back.
    await page.reload();
    await page.getByText('Signed in as Ada Lovelace').waitFor();
    await channels.getByText('# general').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, 'workspace-phone.png') });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await context.close();
  }, 60_000);

  it("shows the server's answer to a wrong password and changes nothing", async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await page.goto(harness.baseUrl);
    const login = page.getByRole('form', { name: 'Log in' });
    await login.getByLabel('Email').fill('nobody@example.com');
    await login.getByLabel('Password').fill('not the password');
    await login.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').first().textContent()).toMatch(/email or password/i);
    await context.close();
  }, 60_000);
});
