import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import type { useBrowserHarness } from './harness';
import { createWorkspace, signUp } from './ui';

type Harness = ReturnType<typeof useBrowserHarness>;

/** Types into the open channel's composer and sends with Enter. */
export async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: /^Message #/ });
  await composer.fill(text);
  await composer.press('Enter');
}

/** The browser's own reports of what the network did, not errors of the app. */
const NETWORK_REPORTS = [
  // A server that is down or a cut network.
  /^Failed to load resource: net::ERR_/,
  /^WebSocket connection to .* failed/,
];

/**
 * What went wrong in a page: uncaught errors and console errors, except the browser's reports
 * of a refused connection (a server that is down) and the 401 by which the server says there is
 * no session to resume (asked at every start before signing in).
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const { url } = message.location();
    if (NETWORK_REPORTS.some((report) => report.test(text))) return;
    if (/status of 401/.test(text) && new URL(url).pathname === '/api/auth/refresh') return;
    errors.push(`console: ${text} (${url})`);
  });
  return errors;
}

/**
 * Ada and Bob in two browsers (at `url`), both in #general of Ada's new workspace; `errors`
 * collects what went wrong in their pages from the start.
 */
export async function team(harness: Harness, url: string) {
  const adaContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bobContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ada = await adaContext.newPage();
  const bob = await bobContext.newPage();
  const errors = [pageErrors(ada), pageErrors(bob)];
  await signUp(ada, url, 'Ada');
  const workspaceName = `Acme ${Date.now()}`;
  await createWorkspace(ada, workspaceName);

  // Bob joins (as an accepted invitation would).
  const bobEmail = await signUp(bob, url, 'Bob');
  const db = harness.db;
  const { workspaceId, channelId } = await harness.general(workspaceName);
  const [bobUser] = await db.select().from(schema.users).where(eq(schema.users.email, bobEmail));
  if (!bobUser) throw new Error('setup failed');
  await db
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: bobUser.id, role: 'member' });
  await db.insert(schema.channelMembers).values({ channelId, userId: bobUser.id });
  await bob.reload();
  await bob.getByRole('textbox', { name: 'Message # general' }).waitFor();
  return { ada, bob, adaContext, bobContext, errors, channelId };
}
