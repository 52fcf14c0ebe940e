import { join } from 'node:path';
import { schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';
import { waitUntil } from './ui';

const harness = useBrowserHarness();

/** Ada and Bob in #general of Ada's new workspace, and the doc of its first segment. */
async function chatTeam() {
  const people = await team(harness, harness.baseUrl);
  return { ...people, segment: `channel:${people.channelId}:segment:0` };
}

describe('chatting in Chromium', () => {
  it('lets two people in two browsers chat, react, reply in a thread, edit and delete in real time', async () => {
    const { ada, bob, adaContext, bobContext } = await chatTeam();
    await send(ada, 'Hello Bob, standup at 10?');
    await bob.getByText('Hello Bob, standup at 10?').waitFor();
    await send(bob, 'Sounds good, Ada');
    await ada.getByText('Sounds good, Ada').waitFor();
    // Both see both, in order, with their authors.
    const texts = await bob.getByRole('list', { name: 'Messages' }).locator('li').allTextContents();
    if (!texts.join('\n').match(/Ada[\s\S]*Hello Bob[\s\S]*Bob[\s\S]*Sounds good/))
      throw new Error(`unexpected order: ${texts.join(' | ')}`);
    const adaSees = ada.getByRole('list', { name: 'Messages' });
    await adaSees.getByRole('listitem', { name: 'Message from Bob' }).waitFor();

    // Bob types: Ada sees him typing; @ suggests people, : suggests emoji; markup renders.
    const bobComposer = bob.getByRole('textbox', { name: 'Message # general' });
    await bobComposer.pressSequentially('Lunch with @Ad');
    await ada.getByText('Bob is typing…').waitFor();
    const suggestions = bob.getByRole('listbox', { name: 'Suggestions' });
    await suggestions.getByRole('option', { name: 'Ada' }).waitFor();
    await bobComposer.press('Enter');
    await bobComposer.pressSequentially('at *noon* :tad');
    await suggestions.getByRole('option', { name: /🎉/ }).waitFor();
    await bobComposer.press('Tab');
    await bobComposer.pressSequentially('see https://example.com');
    await bobComposer.press('Enter');
    const lunch = ada
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem', { name: 'Message from Bob' })
      .filter({ hasText: 'Lunch with' });
    await lunch.locator('.mention.me', { hasText: '@Ada' }).waitFor();
    await lunch.locator('strong', { hasText: 'noon' }).waitFor();
    await lunch.locator('.text').getByText('🎉').waitFor();
    await lunch.getByRole('link', { name: 'https://example.com' }).waitFor();
    await ada.getByText('Bob is typing…').waitFor({ state: 'detached' });

    // Bob reacts to Ada's message; Ada sees it and adds hers to the same chip.
    const adasMessage = (page: Page) =>
      page
        .getByRole('list', { name: 'Messages' })
        .getByRole('listitem', { name: 'Message from Ada' });
    await adasMessage(bob).getByLabel('Add a reaction').click();
    await adasMessage(bob).getByRole('button', { name: 'React with 👍' }).click();
    await adasMessage(ada).getByRole('button', { name: '👍 1' }).click();
    await adasMessage(bob).getByRole('button', { name: '👍 2' }).waitFor();

    // Bob replies in a thread; Ada opens it and sees the reply.
    await adasMessage(bob).getByRole('button', { name: 'Reply in thread' }).click();
    const bobThread = bob.getByRole('complementary', { name: 'Thread' });
    await bobThread.getByRole('textbox', { name: 'Reply in thread' }).fill('Can we make it 10:30?');
    await bobThread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
    await adasMessage(ada).getByRole('button', { name: 'Reply in thread' }).click();
    const adaThread = ada.getByRole('complementary', { name: 'Thread' });
    await adaThread.getByText('Can we make it 10:30?').waitFor();
    // The root shows its reply count; Bob follows the thread he replied in, and can stop.
    await adasMessage(ada).getByRole('button', { name: '1 reply' }).waitFor();
    await bobThread.getByRole('button', { name: 'Following' }).waitFor({ timeout: 15_000 });
    await bobThread.getByRole('button', { name: 'Following' }).click();
    await bobThread.getByRole('button', { name: 'Follow', exact: true }).waitFor();
    await ada.screenshot({ path: join(artifacts, 'channel-desktop.png') });
    await ada.keyboard.press('Escape');
    await adaThread.waitFor({ state: 'detached' });

    // Ada edits her message and Bob sees the new text, marked edited; then she deletes it.
    await adasMessage(ada).getByRole('button', { name: 'Edit' }).click();
    const edit = ada.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('Hello Bob, standup at 10:30!');
    await edit.press('Enter');
    await adasMessage(bob).getByText('Hello Bob, standup at 10:30!').waitFor();
    await adasMessage(bob).getByText('(edited)').waitFor();
    await adasMessage(ada).getByRole('button', { name: 'Delete' }).click();
    await adasMessage(bob).getByText('This message was deleted.').waitFor();
    // Up in an empty composer edits one's last message; Esc leaves it unchanged.
    await bob.getByRole('textbox', { name: 'Message # general' }).press('ArrowUp');
    await bob.getByRole('textbox', { name: 'Edit message' }).press('Escape');
    // Ctrl+K jumps to a channel by name.
    await ada.keyboard.press('Control+k');
    const switcher = ada.getByRole('dialog', { name: 'Jump to a channel' });
    await switcher.getByRole('textbox', { name: 'Channel name' }).fill('gen');
    await switcher.getByRole('textbox', { name: 'Channel name' }).press('Enter');
    await switcher.waitFor({ state: 'detached' });
    // Bob cannot edit Ada's messages: the controls are his own messages' only.
    const bobsMessage = bob
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem', { name: 'Message from Bob' })
      .first();
    await bobsMessage.getByRole('button', { name: 'Edit' }).waitFor();
    if ((await adasMessage(bob).getByRole('button', { name: 'Edit' }).count()) !== 0)
      throw new Error("Bob was offered to edit Ada's message");
    await bob.setViewportSize({ width: 390, height: 844 });
    await bob.screenshot({ path: join(artifacts, 'channel-phone.png') });
    await adaContext.close();
    await bobContext.close();
  }, 90_000);

  it('turns a post the server refuses (rules changed while offline) into a failed draft to retry', async () => {
    const { ada, bob, adaContext, bobContext, segment } = await chatTeam();
    const channelId = segment.split(':')[1] ?? '';
    await send(bob, 'Before the announcement');
    await ada.getByText('Before the announcement').waitFor();
    await bob.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Bob is offline while the channel becomes announcement-only: his client cannot know, so
    // its own check passes and the server refuses the post once he is back (4422) [S5].
    await bobContext.setOffline(true);
    // A reload makes sure no socket from before stays open (offline emulation keeps them).
    await bob.reload();
    await bob.getByText('Before the announcement').waitFor();
    await setPostingPolicy(ada, channelId, 'admins');
    await send(bob, 'Can I still post?');
    await bobContext.setOffline(false);
    const failed = bob.getByRole('list', { name: 'Not sent' });
    await failed
      .getByText(/Not sent: Can I still post\?/)
      .first()
      .waitFor();
    // The server refused it: the replica's client id is barred in that doc.
    await waitUntil(async () =>
      (
        await harness.db
          .select()
          .from(schema.docClientIds)
          .where(eq(schema.docClientIds.docName, segment))
      ).some((row) => row.barredAt !== null),
    );
    // The channel came back from the server: the refused text is only in the failed draft.
    await bob
      .getByRole('list', { name: 'Messages' })
      .getByText('Before the announcement')
      .waitFor();
    await bob.screenshot({ path: join(artifacts, 'failed-draft-desktop.png') });

    await setPostingPolicy(ada, channelId, 'everyone');
    await failed.getByRole('button', { name: 'Retry' }).first().click();
    await ada
      .getByRole('list', { name: 'Messages' })
      .getByText('Can I still post?')
      .first()
      .waitFor();
    await adaContext.close();
    await bobContext.close();
  }, 120_000);

  it('checks a post against the channel rules before it leaves: refused locally, never sent', async () => {
    const { ada, bob, adaContext, bobContext, segment } = await chatTeam();
    const channelId = segment.split(':')[1] ?? '';
    await setPostingPolicy(ada, channelId, 'admins');
    // Bob's client loads the channel's rules when it opens the doc.
    await bob.reload();
    await send(bob, 'Announcing something?');
    const failed = bob.getByRole('list', { name: 'Not sent' });
    await failed.getByText(/Not sent: Announcing something\?/).waitFor();
    // Only the failed draft holds it: not the list, not the server, and Bob's client id was
    // never barred (the server never saw the change).
    const list = bob.getByRole('list', { name: 'Messages' });
    await waitUntil(async () => (await list.getByText('Announcing something?').count()) === 0);
    const rows = await harness.db
      .select()
      .from(schema.docClientIds)
      .where(eq(schema.docClientIds.docName, segment));
    if (rows.some((row) => row.barredAt !== null)) throw new Error('a client id was barred');
    await send(ada, 'Only admins post here');
    await bob.getByText('Only admins post here').waitFor();
    await adaContext.close();
    await bobContext.close();
  }, 90_000);

  it('keeps what was sent, edited, reacted and typed offline across a reload, and delivers it in order once online', async () => {
    const { ada, bob, adaContext, bobContext, segment } = await chatTeam();
    await send(bob, 'Ping from Bob');
    await send(ada, 'Going offline now');
    await bob.getByText('Going offline now').waitFor();
    const sending = ada.locator('.messages .sending');
    await waitUntil(async () => (await sending.count()) === 0);
    // The app shell is cached by the service worker before the network goes away.
    await ada.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await adaContext.setOffline(true);
    const stored = () => updatesIn(ada, segment);
    const before = await stored();
    for (const n of [1, 2, 3]) await send(ada, `Offline message ${n}`);
    // Offline she also edits her first message, reacts to Bob's, and leaves a draft unsent.
    const adas = ada.getByRole('list', { name: 'Messages' });
    await adas
      .getByRole('listitem', { name: 'Message from Ada' })
      .filter({ hasText: 'Offline message 1' })
      .getByRole('button', { name: 'Edit' })
      .click();
    await ada.getByRole('textbox', { name: 'Edit message' }).fill('Offline message 1 (edited)');
    await ada.getByRole('textbox', { name: 'Edit message' }).press('Enter');
    const bobsPing = (page: Page) =>
      page
        .getByRole('list', { name: 'Messages' })
        .getByRole('listitem', { name: 'Message from Bob' })
        .filter({ hasText: 'Ping from Bob' });
    await bobsPing(ada).getByLabel('Add a reaction').click();
    await bobsPing(ada).getByRole('button', { name: 'React with 👀' }).click();
    await ada.getByRole('textbox', { name: 'Message # general' }).fill('half-written thought');
    await waitUntil(async () => (await stored()) >= before + 5);
    await ada.reload();
    await ada.getByText('Offline message 3').waitFor();
    await waitUntil(async () => (await sending.count()) === 3);
    // The unsent draft is still in the composer after the reload.
    await waitUntil(
      async () =>
        (await ada.getByRole('textbox', { name: 'Message # general' }).inputValue()) ===
        'half-written thought',
    );
    await ada.screenshot({ path: join(artifacts, 'offline-desktop.png') });

    await adaContext.setOffline(false);
    await bob.getByText('Offline message 3').waitFor();
    const seen = await bob.getByRole('list', { name: 'Messages' }).locator('li').allTextContents();
    const [first = -1, second = -1, third = -1] = [1, 2, 3].map((n) =>
      seen.findIndex((line) => line.includes(`Offline message ${n}`)),
    );
    if (!(first >= 0 && first < second && second < third))
      throw new Error(`out of order: ${seen.join(' | ')}`);
    await waitUntil(async () => (await sending.count()) === 0);
    await bob.getByText('Offline message 1 (edited)').waitFor();
    await bobsPing(bob).getByRole('button', { name: '👀 1' }).waitFor();
    await adaContext.close();
    await bobContext.close();
  }, 120_000);
});

/** Changes a channel's posting policy as the signed-in user of `page` (a channel admin). */
function setPostingPolicy(page: Page, channelId: string, postingPolicy: 'admins' | 'everyone') {
  return page.evaluate(
    async ({ channelId, postingPolicy }) => {
      const refreshed = await fetch('/api/auth/refresh', { method: 'POST' });
      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      const response = await fetch(`/api/channels/${channelId}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ postingPolicy }),
      });
      if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
    },
    { channelId, postingPolicy },
  );
}

/** How many updates y-indexeddb has stored for a doc in the page's IndexedDB. */
function updatesIn(page: Page, docName: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction('updates').objectStore('updates').count();
          count.onsuccess = () => {
            resolve(count.result);
            open.result.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
    docName,
  );
}
