import { join } from 'node:path';
import { schema } from '@confab/db';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { artifacts, signUp, useBrowserHarness } from './harness';

const harness = useBrowserHarness();

/** Types into the open channel's composer and sends with Enter. */
async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: /^Message #/ });
  await composer.fill(text);
  await composer.press('Enter');
}

describe('chatting in Chromium', () => {
  it('lets two people in two browsers chat in real time in #general', async () => {
    const adaContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const bobContext = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ada = await adaContext.newPage();
    const bob = await bobContext.newPage();
    await signUp(ada, harness.baseUrl, 'Ada');
    const workspaceName = `Acme ${Date.now()}`;
    const create = ada.getByRole('form', { name: 'Create a workspace' });
    await create.getByLabel('New workspace').fill(workspaceName);
    await create.getByRole('button', { name: 'Create' }).click();
    await ada.getByRole('textbox', { name: 'Message # general' }).waitFor();

    // Bob joins (as an accepted invitation would: the invitation screens come later).
    const bobEmail = await signUp(bob, harness.baseUrl, 'Bob');
    const db = harness.db;
    const [workspace] = await db
      .select()
      .from(schema.workspaces)
      .where(eq(schema.workspaces.name, workspaceName));
    const [bobUser] = await db.select().from(schema.users).where(eq(schema.users.email, bobEmail));
    const [general] = await db
      .select()
      .from(schema.channels)
      .where(
        and(
          eq(schema.channels.workspaceId, workspace?.id ?? ''),
          eq(schema.channels.name, 'general'),
        ),
      );
    if (!workspace || !bobUser || !general) throw new Error('setup failed');
    await db
      .insert(schema.workspaceMembers)
      .values({ workspaceId: workspace.id, userId: bobUser.id, role: 'member' });
    await db.insert(schema.channelMembers).values({ channelId: general.id, userId: bobUser.id });
    await bob.reload();
    await bob.getByRole('textbox', { name: 'Message # general' }).waitFor();

    await send(ada, 'Hello Bob, standup at 10?');
    await bob.getByText('Hello Bob, standup at 10?').waitFor();
    await send(bob, 'Sounds good, Ada');
    await ada.getByText('Sounds good, Ada').waitFor();
    // Both see both, in order, with their authors.
    const texts = await bob.getByRole('list', { name: 'Messages' }).locator('li').allTextContents();
    if (!texts.join('\n').match(/Ada Hello Bob[\s\S]*Bob Sounds good/))
      throw new Error(`unexpected order: ${texts.join(' | ')}`);
    const adaSees = ada.getByRole('list', { name: 'Messages' });
    await adaSees.getByRole('listitem', { name: 'Message from Bob' }).waitFor();
    await ada.screenshot({ path: join(artifacts, 'channel-desktop.png') });
    await bob.setViewportSize({ width: 390, height: 844 });
    await bob.screenshot({ path: join(artifacts, 'channel-phone.png') });
    await adaContext.close();
    await bobContext.close();
  }, 90_000);
});
