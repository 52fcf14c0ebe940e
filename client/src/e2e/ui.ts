import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (playwright cannot download browsers here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A browser with a profile on disk: what installing an app needs (incognito cannot). */
export function launchChromiumProfile(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: ARGS });
}

/** Signs a new person up through the UI; resolves once they are signed in. */
export async function signUp(page: Page, baseUrl: string, name: string): Promise<string> {
  await page.goto(baseUrl);
  const email = await fillSignUp(page, name);
  await page.getByText(`Signed in as ${name}`).waitFor();
  return email;
}

/** Polls with a deadline (browser state has no event to wait on). */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fills and submits the sign-up form of a page that shows it. */
export async function fillSignUp(page: Page, name: string): Promise<string> {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@example.com`;
  await page.getByRole('button', { name: 'Create an account' }).click();
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill('correct horse battery');
  await form.getByRole('button', { name: 'Create account' }).click();
  return email;
}

/** Creates a first workspace through the first-run screen; resolves once its #general is open. */
export async function createWorkspace(page: Page, name: string): Promise<void> {
  const create = page.getByRole('form', { name: 'Create a workspace' });
  await create.getByLabel('Workspace name').fill(name);
  await create.getByRole('button', { name: 'Create workspace' }).click();
  await page.getByRole('button', { name: 'Continue to #general' }).click();
  await page.getByRole('textbox', { name: 'Message # general' }).waitFor();
}
