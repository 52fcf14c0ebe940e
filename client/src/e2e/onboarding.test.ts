import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserHarness } from './harness';
import { fillSignUp, signUp } from './ui';

const harness = useBrowserHarness();
const shots = process.env.SCREENSHOTS_DIR;
const shot = (page: Page, name: string) =>
  shots ? page.screenshot({ path: join(shots, `${name}.png`) }) : Promise.resolve();

/** A native button keeps the UA's grey (ButtonFace); ours have their own background and border. */
const styled = (page: Page, name: string) =>
  page.getByRole('button', { name, exact: true }).evaluate((button) => {
    const style = getComputedStyle(button);
    return style.borderRadius !== '0px' && style.backgroundColor !== 'rgb(239, 239, 239)';
  });

describe('first run and invitations in Chromium', () => {
  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`walks a new account from sign-up to #general, inviting teammates (${viewport.name})`, async () => {
      const context = await harness.browser.newContext({ viewport });
      // The server's Permissions-Policy keeps pages from reading the clipboard: copies are caught.
      await context.addInitScript(() => {
        Object.defineProperty(navigator, 'clipboard', {
          value: {
            writeText: async (text: string) => {
              (window as unknown as { copied: string }).copied = text;
            },
          },
        });
      });
      const ada = await context.newPage();
      await signUp(ada, harness.baseUrl, 'Ada');
      // The first screen explains and offers both ways in.
      await ada.getByRole('heading', { name: 'Welcome to Confab', level: 1 }).waitFor();
      await ada.getByRole('form', { name: 'Join a workspace' }).waitFor();
      await shot(ada, `first-run-${viewport.name}`);
      // A code that is not one is refused with a reason, and nothing happens.
      const join = ada.getByRole('form', { name: 'Join a workspace' });
      await join.getByLabel('Invitation link or code').fill('https://evil.example/w/123');
      await join.getByRole('button', { name: 'Join' }).click();
      await join.getByRole('alert').waitFor();
      expect(new URL(ada.url()).pathname).toBe('/');

      const create = ada.getByRole('form', { name: 'Create a workspace' });
      const name = `Orbit ${viewport.name} ${Date.now()}`;
      await create.getByLabel('Workspace name').fill(name);
      await create.getByRole('button', { name: 'Create workspace' }).click();
      await ada.getByRole('heading', { name: `Invite your team to ${name}` }).waitFor();
      await ada.getByRole('button', { name: 'Get an invitation link' }).click();
      const link = ada.getByLabel('Invitation link');
      await link.waitFor();
      const url = (await link.textContent()) ?? '';
      expect(url).toMatch(/\/invite\/[a-z0-9]{32}$/);
      // The link wraps inside the page: nothing sticks out to the right.
      const box = await link.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(viewport.width);
      await ada.getByRole('button', { name: 'Copy' }).click();
      await ada.getByRole('button', { name: 'Copied' }).waitFor();
      expect(await ada.evaluate(() => (window as unknown as { copied: string }).copied)).toBe(url);
      await shot(ada, `invite-step-${viewport.name}`);
      await ada.getByRole('button', { name: 'Continue to #general' }).click();
      await ada.getByRole('textbox', { name: 'Message # general' }).waitFor();

      // Bob opens the link before having an account: the page says what it is for.
      const bobContext = await harness.browser.newContext({ viewport });
      const bob = await bobContext.newPage();
      await bob.goto(url);
      const intro = bob.getByRole('region', { name: 'Invitation' });
      await intro.getByRole('heading', { name: `Join ${name}` }).waitFor();
      await intro.getByText(`Ada invited you to ${name} as a member`).waitFor();
      await shot(bob, `invitation-landing-${viewport.name}`);
      await fillSignUp(bob, 'Bob');
      await bob.getByRole('button', { name: `Join ${name}` }).waitFor();
      expect(await styled(bob, `Join ${name}`)).toBe(true);
      expect(await styled(bob, 'Not now')).toBe(true);
      await bob.getByRole('button', { name: `Join ${name}` }).click();
      await bob.getByRole('textbox', { name: 'Message # general' }).waitFor();
      await context.close();
      await bobContext.close();
    }, 120_000);
  }

  it('joins by pasting a link on the first-run screen, says "as an admin", and explains a dead link', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const owner = await context.newPage();
    await signUp(owner, harness.baseUrl, 'Olga');
    const create = owner.getByRole('form', { name: 'Create a workspace' });
    const name = `Admins ${Date.now()}`;
    await create.getByLabel('Workspace name').fill(name);
    await create.getByRole('button', { name: 'Create workspace' }).click();
    await owner.getByRole('button', { name: 'Continue to #general' }).click();
    await owner
      .getByRole('navigation', { name: /channels$/ })
      .getByRole('button', { name: 'Invite people' })
      .click();
    const dialog = owner.getByRole('dialog', { name: 'Invite people' });
    await dialog.getByLabel('As').selectOption('admin');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    const output = dialog.getByLabel('Invitation link');
    const url = (await output.textContent()) ?? '';
    // The dialog's link wraps inside it.
    const [inner, outer] = await Promise.all([output.boundingBox(), dialog.boundingBox()]);
    expect(inner && outer && inner.x + inner.width <= outer.x + outer.width).toBe(true);
    await shot(owner, 'invite-dialog-desktop');

    const newcomer = await (await harness.browser.newContext()).newPage();
    await signUp(newcomer, harness.baseUrl, 'Nina');
    const join = newcomer.getByRole('form', { name: 'Join a workspace' });
    await join.getByLabel('Invitation link or code').fill(`  ${url} `);
    await join.getByRole('button', { name: 'Join' }).click();
    await newcomer.getByText(`Olga invited you to ${name} as an admin`).waitFor();
    await newcomer.getByRole('button', { name: `Join ${name}` }).click();
    await newcomer.getByRole('textbox', { name: 'Message # general' }).waitFor();

    // A dead link (made up, expired, used up or revoked: the server does not say which) is explained.
    await newcomer.goto(`${harness.baseUrl}/invite/${'z'.repeat(32)}`);
    await newcomer.getByText(/This invitation is not valid/).waitFor();
    await context.close();
  }, 120_000);
});
