import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserHarness } from './harness';

const harness = useBrowserHarness();
const shots = process.env.SCREENSHOTS_DIR;
const shot = (page: Page, name: string) =>
  shots ? page.screenshot({ path: join(shots, `${name}.png`) }) : Promise.resolve();

describe('password strength in Chromium', () => {
  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`loads the estimator only on focus, refuses a common password with advice, accepts a passphrase (${viewport.name})`, async () => {
      const context = await harness.browser.newContext({ viewport });
      const page = await context.newPage();
      const scripts: string[] = [];
      page.on('request', (request) => {
        if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
      });
      await page.goto(harness.baseUrl);
      await page.getByRole('button', { name: 'Create an account' }).click();
      const form = page.getByRole('form', { name: 'Create an account' });
      const email = `strength-${viewport.name}-${Date.now()}@example.com`;
      await form.getByLabel('Name').fill('Sam');
      await form.getByLabel('Email').fill(email);
      // The dictionaries (hundreds of KB) are not part of the first screen's JavaScript.
      expect(scripts.some((path) => path.includes('password-strength'))).toBe(false);
      await form.getByLabel('Password').focus();
      await expect
        .poll(() => scripts.some((path) => path.includes('password-strength')), { timeout: 30_000 })
        .toBe(true);

      await form.getByLabel('Password').fill('password');
      await form.getByText(/^Very weak:/).waitFor();
      expect(await form.getByRole('meter', { name: 'Strength' }).getAttribute('value')).toBe('0');
      await shot(page, `password-weak-${viewport.name}`);
      await form.getByRole('button', { name: 'Create account' }).click();
      await form
        .getByRole('alert')
        .getByText(/stronger password/)
        .waitFor();
      await expect(page.getByText('Signed in as Sam').count()).resolves.toBe(0);

      // The server decides, whatever a client does: the same password sent directly is refused.
      const direct = await page.evaluate(async (address) => {
        const response = await fetch('/api/auth/signup', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: address, password: 'Password123!', name: 'Sam' }),
        });
        return { status: response.status, body: await response.json() };
      }, email);
      expect(direct).toMatchObject({ status: 400, body: { error: { code: 'weak_password' } } });

      await form.getByLabel('Password').fill('tidal ostrich cobalt 1987');
      await form.getByText(/^(Strong|Very strong)$/).waitFor();
      await form.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Signed in as Sam').waitFor();
      await context.close();
    }, 90_000);
  }
});
