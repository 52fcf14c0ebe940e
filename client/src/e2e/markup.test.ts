import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { artifacts, useBrowserHarness } from './harness';
import { send, team } from './team';

const harness = useBrowserHarness();
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(artifacts, 'look');

const list = (page: Page) => page.getByRole('list', { name: 'Messages', exact: true });

describe('message markup in Chromium', () => {
  it('renders links, **bold** and Slack labels, never unsafe links, collapses long messages and renders the thread root', async () => {
    await mkdir(SHOTS, { recursive: true });
    const { ada, bob, errors } = await team(harness, harness.baseUrl);
    await send(
      ada,
      'Read [the docs](https://example.com/docs) and <https://example.com/r|the report>, **now**',
    );
    await send(
      ada,
      'Hostile: [x](javascript:alert(1)) <javascript:alert(2)|click> [y](data:text/html,hi)',
    );
    const long = Array.from({ length: 40 }, (_, at) => `Line ${at + 1} of the long paste`).join(
      '\n',
    );
    await send(ada, long);

    const links = list(bob).getByRole('listitem').filter({ hasText: 'Read' });
    await links.getByRole('link', { name: 'the docs' }).waitFor();
    expect(await links.getByRole('link', { name: 'the docs' }).getAttribute('href')).toBe(
      'https://example.com/docs',
    );
    // The label is the link's text, never part of its address.
    expect(await links.getByRole('link', { name: 'the report' }).getAttribute('href')).toBe(
      'https://example.com/r',
    );
    await links.locator('strong', { hasText: 'now' }).waitFor();
    const hostile = list(bob).getByRole('listitem').filter({ hasText: 'Hostile' });
    await hostile.waitFor();
    expect(await hostile.getByRole('link').count()).toBe(0);
    const unsafe = await bob.evaluate(
      () =>
        [...document.querySelectorAll('a[href]')].filter((link) =>
          /^\s*(javascript|data|vbscript):/i.test(link.getAttribute('href') ?? ''),
        ).length,
    );
    expect(unsafe).toBe(0);

    // A long paste shows its first lines and "Show more"; the button shows it all.
    const paste = list(bob).getByRole('listitem').filter({ hasText: 'Line 1 of the long paste' });
    const text = paste.locator('.text');
    const more = paste.getByRole('button', { name: 'Show more' });
    await more.waitFor();
    const collapsed = (await text.boundingBox())?.height ?? 0;
    await more.click();
    await paste.getByRole('button', { name: 'Show less' }).waitFor();
    const expanded = (await text.boundingBox())?.height ?? 0;
    expect(expanded).toBeGreaterThan(collapsed * 2);
    await bob.screenshot({ path: join(SHOTS, 'markup.png') });

    // The thread panel shows its root's mention by name, not as <@uuid>.
    await send(bob, 'Ping @Ada about **this**');
    const root = list(ada).getByRole('listitem').filter({ hasText: 'Ping' });
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = ada.getByRole('complementary', { name: 'Thread' });
    await thread.locator('.root .mention', { hasText: '@Ada' }).waitFor();
    await thread.locator('.root strong', { hasText: 'this' }).waitFor();
    expect(await thread.locator('.root').textContent()).not.toContain('<@');
    if (errors.flat().length) throw new Error(errors.flat().join('\n'));
  }, 180_000);
});
