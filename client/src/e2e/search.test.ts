import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { docName, schema } from '@confab/db';
import { postMessage, SEGMENT_BOUND } from '@confab/db/model';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';
import { waitUntil } from './ui';

const harness = useBrowserHarness();
/** Screenshots for people to look at (not committed); SCREENSHOTS_DIR puts them elsewhere. */
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'search');
/** The report's place: in the first (oldest) segment, which a channel does not open by itself. */
const REPORT_AT = 400;
const REPORT_TEXT = 'The quarterly report is attached, numbers on page 3';
/** Full segments before the head: the report's is far below it, so it opens apart. */
const FULL_SEGMENTS = 4;
/** Messages in the head segment: more than a screen, so opening the channel loads nothing older. */
const HEAD_MESSAGES = 200;

type Db = ReturnType<typeof useBrowserHarness>['db'];

/**
 * A public channel with a full first segment and a head after it, written straight into the doc
 * log (as seed-history.ts does) by `authorId`, Ada's report among the old messages with a file
 * attached. Its projection rows are written too (the server projects a seeded segment only when
 * someone opens it, and search reads the projection).
 */
async function seedReports(
  db: Db,
  options: { workspaceId: string; authorId: string; memberIds: string[] },
) {
  const [channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: options.workspaceId, kind: 'public', name: 'reports' })
    .returning();
  if (!channel) throw new Error('seedReports: no channel');
  await db
    .insert(schema.channelMembers)
    .values(options.memberIds.map((userId) => ({ channelId: channel.id, userId })));
  const fileId = randomUUID();
  const perSegment = SEGMENT_BOUND.messages;
  const total = FULL_SEGMENTS * perSegment + HEAD_MESSAGES;
  const start = Date.now() - total * 60_000;
  const rows: Array<typeof schema.messages.$inferInsert> = [];
  let reportId = '';
  for (let index = 0; index * perSegment < total; index++) {
    const doc = new Y.Doc();
    const name = docName({ kind: 'segment', channelId: channel.id, index });
    const count = Math.min(perSegment, total - index * perSegment);
    doc.transact(() => {
      for (let i = 0; i < count; i++) {
        const n = index * perSegment + i;
        const report = n === REPORT_AT;
        const text = report ? REPORT_TEXT : `history message ${n}`;
        const now = start + n * 60_000;
        const id = postMessage(doc, {
          author: options.authorId,
          text,
          now,
          files: report ? [fileId] : undefined,
        });
        if (report) reportId = id;
        rows.push({
          id,
          channelId: channel.id,
          docName: name,
          authorId: options.authorId,
          text,
          fileIds: report ? [fileId] : [],
          createdAt: new Date(now),
          receivedAt: new Date(now),
          docSeq: 0,
        });
      }
    });
    const clientId = doc.clientID;
    await db.insert(schema.docUpdates).values({
      docName: name,
      update: Y.encodeStateAsUpdate(doc),
      clientId,
      userId: options.authorId,
    });
    await db
      .insert(schema.docClientIds)
      .values({ docName: name, clientId, userId: options.authorId });
    doc.destroy();
  }
  await db
    .update(schema.channels)
    .set({ headSegment: FULL_SEGMENTS })
    .where(eq(schema.channels.id, channel.id));
  for (let at = 0; at < rows.length; at += 500)
    // The projector tails these log rows too; whichever writes a row first, it is the same row.
    await db
      .insert(schema.messages)
      .values(rows.slice(at, at + 500))
      .onConflictDoNothing();
  const bytes = Buffer.from('Q3 numbers\n');
  await db.insert(schema.files).values({
    id: fileId,
    workspaceId: options.workspaceId,
    channelId: channel.id,
    uploaderId: options.authorId,
    storageKey: `files/${fileId}`,
    name: 'q3-numbers.csv',
    declaredType: 'text/csv',
    contentType: 'text/csv',
    kind: 'other',
    byteSize: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    status: 'ready',
    processing: 'skipped',
    messageId: reportId,
    extractedText: 'Quarterly report: the numbers',
  });
  return { channelId: channel.id, reportId };
}

/**
 * A public channel `name` whose only member is `authorId`, holding one message of theirs with a
 * file attached, written into its head segment's doc log and the projection (as seedReports).
 */
async function seedLaunch(
  db: Db,
  options: { workspaceId: string; authorId: string; text: string; fileName: string },
) {
  const [channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: options.workspaceId, kind: 'public', name: 'launch' })
    .returning();
  if (!channel) throw new Error('seedLaunch: no channel');
  await db
    .insert(schema.channelMembers)
    .values({ channelId: channel.id, userId: options.authorId });
  const fileId = randomUUID();
  const name = docName({ kind: 'segment', channelId: channel.id, index: 0 });
  const doc = new Y.Doc();
  const now = Date.now() - 60_000;
  const messageId = postMessage(doc, {
    author: options.authorId,
    text: options.text,
    now,
    files: [fileId],
  });
  await db.insert(schema.docUpdates).values({
    docName: name,
    update: Y.encodeStateAsUpdate(doc),
    clientId: doc.clientID,
    userId: options.authorId,
  });
  await db
    .insert(schema.docClientIds)
    .values({ docName: name, clientId: doc.clientID, userId: options.authorId });
  doc.destroy();
  await db.insert(schema.messages).values({
    id: messageId,
    channelId: channel.id,
    docName: name,
    authorId: options.authorId,
    text: options.text,
    fileIds: [fileId],
    createdAt: new Date(now),
    receivedAt: new Date(now),
    docSeq: 0,
  });
  const bytes = Buffer.from('step,owner\n');
  await db.insert(schema.files).values({
    id: fileId,
    workspaceId: options.workspaceId,
    channelId: channel.id,
    uploaderId: options.authorId,
    storageKey: `files/${fileId}`,
    name: options.fileName,
    declaredType: 'text/csv',
    contentType: 'text/csv',
    kind: 'other',
    byteSize: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    status: 'ready',
    processing: 'skipped',
    messageId,
    extractedText: 'Rocket checklist: fuel, countdown',
  });
  return { channelId: channel.id };
}

/** The segment docs of `channelId` the page opened, from its sync sockets. */
function watchSegments(page: Page, channelId: string) {
  const segments = new Set<number>();
  const segment = new RegExp(`channel(?::|%3A)${channelId}(?::|%3A)segment(?::|%3A)(\\d+)`);
  page.on('websocket', (socket) => {
    const index = segment.exec(socket.url())?.[1];
    if (index !== undefined) segments.add(Number(index));
  });
  return () => [...segments].sort((a, b) => a - b);
}

const searchBox = (page: Page) => page.getByRole('combobox', { name: 'Search' });
const options = (page: Page) =>
  page.getByRole('listbox', { name: 'Search suggestions' }).getByRole('option');

describe('search in Chromium', () => {
  it('Bob finds Ada’s report with from:@ada has:file report and lands on it in an older segment', async () => {
    await mkdir(SHOTS, { recursive: true });
    const {
      bob,
      adaContext,
      bobContext,
      errors,
      channelId: generalId,
    } = await team(harness, harness.baseUrl);
    const db = harness.db;
    const [general] = await db
      .select()
      .from(schema.channels)
      .where(eq(schema.channels.id, generalId));
    if (!general) throw new Error('setup failed');
    const { workspaceId } = general;
    const people = await db.select().from(schema.users);
    const adaUser = people.find((person) => person.name === 'Ada');
    const bobUser = people.find((person) => person.name === 'Bob');
    if (!adaUser || !bobUser) throw new Error('setup failed');
    const { channelId } = await seedReports(db, {
      workspaceId,
      authorId: adaUser.id,
      memberIds: [adaUser.id, bobUser.id],
    });
    const segments = watchSegments(bob, channelId);
    await bob.reload();
    await bob.getByRole('button', { name: /^# reports/ }).waitFor();

    // `/` outside a text field focuses the box; operators and then channels are suggested.
    await bob.locator('body').click({ position: { x: 5, y: 300 } });
    await bob.keyboard.press('/');
    await expect
      .poll(() => searchBox(bob).evaluate((node) => node === document.activeElement))
      .toBe(true);
    await searchBox(bob).pressSequentially('i');
    await options(bob).filter({ hasText: 'in:#' }).waitFor();
    await searchBox(bob).pressSequentially('n:#ge');
    await options(bob).filter({ hasText: '#general' }).first().waitFor();
    expect(await searchBox(bob).getAttribute('aria-expanded')).toBe('true');
    await bob.screenshot({ path: join(SHOTS, 'suggestions.png') });
    await searchBox(bob).press('Tab');
    await expect.poll(() => searchBox(bob).inputValue()).toBe('in:#general ');

    await searchBox(bob).fill('from:@ada has:file report');
    await searchBox(bob).press('Enter');
    const results = bob.getByRole('main', { name: 'Search results' });
    const hit = results.getByRole('button', { name: /quarterly report is attached/ });
    await hit.waitFor();
    expect(await hit.locator('mark').allInnerTexts()).toContain('report');
    expect(await results.getByText('1 result', { exact: true }).count()).toBe(1);
    expect(await results.getByRole('region', { name: '# reports' }).count()).toBe(1);
    await bob.screenshot({ path: join(SHOTS, 'results.png') });
    await bob.setViewportSize({ width: 390, height: 844 });
    await bob.screenshot({ path: join(SHOTS, 'results-phone.png') });
    await bob.setViewportSize({ width: 1280, height: 800 });
    // The client follows the OS theme: the results and their marks must read in dark too.
    await bob.emulateMedia({ colorScheme: 'dark' });
    await bob.screenshot({ path: join(SHOTS, 'results-dark.png') });
    await bob.emulateMedia({ colorScheme: 'light' });

    // The Files tab finds the report's file by its text, shown as in a message.
    await results.getByRole('tab', { name: 'Files' }).click();
    await results.getByText('q3-numbers.csv').first().waitFor();
    await bob.screenshot({ path: join(SHOTS, 'files-tab.png') });
    await results.getByRole('tab', { name: 'Messages' }).click();

    // Opening it brings the old segment in and shows the message, highlighted.
    await hit.click();
    const focused = bob.locator('.messages li.focused');
    await focused.getByText(REPORT_TEXT).waitFor({ timeout: 30_000 });
    // Its segment and the head's, not the ones between.
    expect(segments()).toEqual([0, FULL_SEGMENTS]);
    await waitUntil(() =>
      bob.locator('.messages').evaluate((scroller, wanted) => {
        const box = scroller.getBoundingClientRect();
        return [...scroller.querySelectorAll('li.focused .text')].some((node) => {
          const rect = node.getBoundingClientRect();
          return node.textContent === wanted && rect.top >= box.top && rect.bottom <= box.bottom;
        });
      }, REPORT_TEXT),
    );
    await bob.screenshot({ path: join(SHOTS, 'opened.png') });

    // Reading on, the gap after segment 0 says so; asked, it brings segment 1 in (only that one).
    const newer = bob.getByRole('button', { name: 'Load newer messages' });
    await waitUntil(async () => {
      if ((await newer.count()) > 0) return true;
      await bob.locator('.messages').evaluate((scroller) => {
        scroller.scrollTop += scroller.clientHeight;
      });
      return false;
    });
    await newer.click();
    await waitUntil(async () => segments().includes(1));
    expect(segments()).toEqual([0, 1, FULL_SEGMENTS]);

    // The search is remembered in its canonical form, shown while the box is empty.
    await searchBox(bob).click();
    await searchBox(bob).fill('');
    await options(bob).filter({ hasText: 'report from:@ada has:file' }).waitFor();
    await bob.screenshot({ path: join(SHOTS, 'recent.png') });
    await bob.getByRole('button', { name: 'Clear recent searches' }).click();
    await waitUntil(async () => (await options(bob).count()) === 0);

    // Past the cap the total says 1,000+; Load more brings the next page with the cursor.
    await searchBox(bob).fill('history');
    await searchBox(bob).press('Enter');
    await results.getByText('1,000+ results').waitFor();
    const hits = results.getByRole('button', { name: /history message/ });
    await waitUntil(async () => (await hits.count()) === 20);
    await results.getByRole('button', { name: 'Load more' }).click();
    await waitUntil(async () => (await hits.count()) === 40);

    // A name that matches nothing is said plainly.
    await searchBox(bob).fill('report in:#nope');
    await searchBox(bob).press('Enter');
    await results.getByText('in:#nope matched no channel you can read.').waitFor();
    await results.getByText('No results').waitFor();

    // Offline, the search says it needs a connection.
    await bobContext.setOffline(true);
    await searchBox(bob).fill('report offline');
    await searchBox(bob).press('Enter');
    await results.getByText('Search needs a connection.').waitFor();
    await bobContext.setOffline(false);

    // Esc closes the box's list, then the search.
    await searchBox(bob).fill('report');
    await searchBox(bob).press('Enter');
    await results.waitFor();
    await searchBox(bob).press('Escape');
    await results.waitFor({ state: 'detached' });

    expect(errors.flat().join('\n')).toBe('');
    await adaContext.close();
    await bobContext.close();
  }, 180_000);

  it('opens a reply found by search in its thread, highlighted', async () => {
    const { ada, bob, adaContext, bobContext, errors } = await team(harness, harness.baseUrl);
    await send(ada, 'Budget review tomorrow');
    const root = ada.getByRole('listitem', { name: 'Message from Ada' }).filter({
      hasText: 'Budget review tomorrow',
    });
    // Projected first: a thread opened on a root the server does not know yet asks its follow
    // state with a 404 (and again after), which would count as a console error here.
    await waitUntil(async () => {
      const rows = await harness.db
        .select({ id: schema.messages.id })
        .from(schema.messages)
        .where(eq(schema.messages.text, 'Budget review tomorrow'));
      return rows.length > 0;
    });
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const adaThread = ada.getByRole('complementary', { name: 'Thread' });
    await adaThread
      .getByRole('textbox', { name: 'Reply in thread' })
      .fill('The spreadsheet is final');
    await adaThread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');

    // Searchable within a second of its ack; asked again until the projection has it.
    const results = bob.getByRole('main', { name: 'Search results' });
    const hit = results.getByRole('button', { name: /spreadsheet is final/ });
    await waitUntil(async () => {
      await searchBox(bob).fill('spreadsheet');
      await searchBox(bob).press('Enter');
      await results
        .getByText(/results?$/)
        .first()
        .waitFor();
      return (await hit.count()) > 0;
    });
    expect(await hit.textContent()).toContain('reply in a thread');
    await hit.click();
    const bobThread = bob.getByRole('complementary', { name: 'Thread' });
    await bobThread.locator('li.focused').getByText('The spreadsheet is final').waitFor();
    await bob.screenshot({ path: join(SHOTS, 'reply.png') });
    expect(errors.flat().join('\n')).toBe('');
    await adaContext.close();
    await bobContext.close();
  }, 120_000);

  it('opens a file hit’s message in a channel Bob is not in, where he joins; a guest sees authors’ names', async () => {
    await mkdir(SHOTS, { recursive: true });
    const {
      ada,
      bob,
      adaContext,
      bobContext,
      errors,
      channelId: generalId,
    } = await team(harness, harness.baseUrl);
    const db = harness.db;
    const [general] = await db
      .select()
      .from(schema.channels)
      .where(eq(schema.channels.id, generalId));
    const people = await db.select().from(schema.users);
    const adaUser = people.find((person) => person.name === 'Ada');
    const bobUser = people.find((person) => person.name === 'Bob');
    if (!general || !adaUser || !bobUser) throw new Error('setup failed');
    const text = 'Launch checklist attached, countdown on Friday';
    const { channelId } = await seedLaunch(db, {
      workspaceId: general.workspaceId,
      authorId: adaUser.id,
      text,
      fileName: 'rocket-plan.csv',
    });

    // The Files tab names the uploader and opens the message the file came with.
    await searchBox(bob).fill('rocket');
    await searchBox(bob).press('Enter');
    const results = bob.getByRole('main', { name: 'Search results' });
    await results.getByRole('tab', { name: 'Files' }).click();
    // The hit itself, not the attachment list its preview renders inside it (also a listitem).
    const fileHit = results.locator('li.search-item').filter({ hasText: 'rocket-plan.csv' });
    await fileHit.waitFor();
    expect(await fileHit.locator('.hit-meta').textContent()).toContain('Ada');
    await bob.screenshot({ path: join(SHOTS, 'file-hit.png') });
    await fileHit.getByRole('button', { name: 'Open its message' }).click();
    const channel = bob.getByRole('main', { name: '# launch' });
    await channel.locator('.messages li.focused').getByText(text).waitFor({ timeout: 30_000 });

    // Not a member: a bar to join instead of a composer the server would refuse.
    const joinButton = channel.getByRole('button', { name: 'Join # launch' });
    await joinButton.waitFor();
    expect(await channel.getByRole('textbox', { name: 'Message # launch' }).count()).toBe(0);
    // Nor reactions or replies, which the server would refuse too.
    const focused = channel.locator('.messages li.focused');
    expect(await focused.getByRole('button', { name: 'Reply in thread' }).count()).toBe(0);
    expect(await focused.locator('summary[aria-label="Add a reaction"]').count()).toBe(0);
    await bob.screenshot({ path: join(SHOTS, 'join-bar.png') });
    await joinButton.click();
    const composer = channel.getByRole('textbox', { name: 'Message # launch' });
    await composer.waitFor();
    expect(await joinButton.count()).toBe(0);
    await focused.getByRole('button', { name: 'Reply in thread' }).waitFor();
    await bob.getByRole('button', { name: /^# launch/ }).waitFor();
    // Joined, his message goes through: the server projects it.
    await composer.fill('Count me in for the launch');
    await composer.press('Enter');
    await waitUntil(async () => {
      const rows = await db
        .select({ id: schema.messages.id })
        .from(schema.messages)
        .where(eq(schema.messages.channelId, channelId));
      return rows.length === 2;
    });
    expect(await channel.getByText('Not sent').count()).toBe(0);
    await bob.screenshot({ path: join(SHOTS, 'joined.png') });

    // As a guest Bob may not list the workspace's members, yet his hits name their authors.
    await db
      .update(schema.workspaceMembers)
      .set({ role: 'guest' })
      .where(eq(schema.workspaceMembers.userId, bobUser.id));
    await send(ada, 'Budget for the guest to find');
    await waitUntil(async () => {
      const rows = await db
        .select({ id: schema.messages.id })
        .from(schema.messages)
        .where(eq(schema.messages.text, 'Budget for the guest to find'));
      return rows.length > 0;
    });
    await bob.reload();
    await searchBox(bob).fill('budget');
    await searchBox(bob).press('Enter');
    const hit = results.getByRole('button', { name: /guest to find/ });
    await hit.waitFor();
    expect(await hit.locator('.hit-meta strong').textContent()).toBe('Ada');
    await bob.screenshot({ path: join(SHOTS, 'guest-author.png') });

    expect(errors.flat().join('\n')).toBe('');
    await adaContext.close();
    await bobContext.close();
  }, 180_000);
});
