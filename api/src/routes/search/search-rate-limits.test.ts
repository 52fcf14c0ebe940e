import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits } from '../../auth/rate-limits';
import { authConfigFromEnv } from '../../compose-app';
import { loadApiEnv } from '../../env';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';
import { seedMessage } from './search-seed';

/**
 * Search and suggestions are limited per user (60 searches, 600 suggestions a minute, Redis here
 * as in production): hostile bursts in parallel get exactly the budget through and 429s with
 * Retry-After after it, whatever they ask. Each test spends a fresh user's budget.
 */
const api = useTestApi();

let owner: Person;
let workspaceId: string;
let otherWorkspaceId: string;

/** A new member of the workspace, with a whole budget. */
async function newMember(): Promise<Person> {
  const person = await signUp(api.app, 'Searcher');
  await api.backends.database.db
    .insert(schema.workspaceMembers)
    .values({ workspaceId, userId: person.id, role: 'member' });
  return person;
}

function get(who: Person, path: string): Promise<Response> | Response {
  return api.app.request(path, { headers: { Authorization: `Bearer ${who.token}` } });
}

const search = (who: Person, query: Record<string, string> = { q: 'report' }, in_ = workspaceId) =>
  get(who, `/api/workspaces/${in_}/search?${new URLSearchParams(query)}`);
const suggest = (who: Person, prefix = 'ge') =>
  get(who, `/api/workspaces/${workspaceId}/search/suggest?kind=channel&prefix=${prefix}`);

/** How many of the answers had each status. */
async function statuses(responses: Array<Promise<Response> | Response>) {
  const counts: Record<number, number> = {};
  for (const response of await Promise.all(responses))
    counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

async function expectRefused(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('Retry-After'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(await response.json()).toMatchObject({ error: { code: 'rate_limited' } });
}

const HOSTILE = [
  'x'.repeat(10_000),
  '"unbalanced',
  "'; DROP TABLE messages; --",
  'a* '.repeat(5000),
  'report & !(x | y) <-> z:*',
  '(a+)+$ '.repeat(200),
  'nul\u0000byte',
];

beforeAll(async () => {
  owner = await signUp(api.app, 'Owner');
  const created = async (name: string) => {
    const { body } = await callAs<{ workspace: { id: string } }>(
      api.app,
      owner,
      'POST',
      '/api/workspaces',
      { name, slug: `${name.toLowerCase()}-${randomUUID().slice(0, 8)}` },
    );
    return body.workspace.id;
  };
  workspaceId = await created('Limits');
  otherWorkspaceId = await created('Elsewhere');
  const { body } = await callAs<{ channel: { id: string } }>(
    api.app,
    owner,
    'POST',
    `/api/workspaces/${workspaceId}/channels`,
    { name: 'general-reports', kind: 'public' },
  );
  await seedMessage(api.backends.database.db, {
    channelId: body.channel.id,
    authorId: owner.id,
    text: 'The quarterly report',
  });
});

describe('search rate limits', () => {
  it('answers 100 parallel hostile searches by one user with exactly 60 answers and 40 429s', async () => {
    const eve = await newMember();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        search(eve, { q: HOSTILE[index % HOSTILE.length] ?? '' }),
      ),
    );
    expect(await statuses(responses)).toEqual({ 200: 60, 429: 40 });
    const refused = responses.find((response) => response.status === 429);
    if (!refused) throw new Error('no refusal');
    await expectRefused(refused);
    // Still refused afterwards, the next page too.
    await expectRefused(await search(eve, { q: 'report', tab: 'files' }));
  });

  it('charges bad requests and foreign workspaces too, before looking at them', async () => {
    const eve = await newMember();
    const answers = await statuses([
      ...Array.from({ length: 20 }, () => search(eve, { q: 'report', frm: '@x' })),
      ...Array.from({ length: 20 }, () => search(eve, { q: 'report' }, otherWorkspaceId)),
      ...Array.from({ length: 20 }, () => search(eve, { q: 'report', cursor: 'forged' })),
    ]);
    expect(answers).toEqual({ 400: 40, 404: 20 });
    // The budget is spent: the same 429 in a workspace one is not in, so it tells nothing.
    await expectRefused(await search(eve));
    await expectRefused(await search(eve, { q: 'report' }, otherWorkspaceId));
  });

  it('keeps each user to their own budget, and suggestions apart from searches', async () => {
    const eve = await newMember();
    const ada = await newMember();
    expect(await statuses(Array.from({ length: 61 }, () => search(eve)))).toEqual({
      200: 60,
      429: 1,
    });
    expect((await search(ada)).status).toBe(200);
    expect((await suggest(eve)).status).toBe(200);
  });
});

describe('suggestion rate limits', () => {
  it('answers 650 parallel suggestions by one user with exactly 600 answers and 50 429s', async () => {
    const eve = await newMember();
    const prefixes = ['ge', '%23g', '%25_', 'x'.repeat(101), '', '%40', "'"];
    const responses = await Promise.all(
      Array.from({ length: 650 }, (_, index) => suggest(eve, prefixes[index % prefixes.length])),
    );
    const answers = await statuses(responses);
    // The over-long prefix is a 400, after its point is paid.
    expect((answers[200] ?? 0) + (answers[400] ?? 0)).toBe(600);
    expect(answers[429]).toBe(50);
    const refused = responses.find((response) => response.status === 429);
    if (!refused) throw new Error('no refusal');
    await expectRefused(refused);
    expect((await search(eve)).status).toBe(200);
  });
});

describe('search limits in process memory (embedded mode)', () => {
  it('lets exactly 60 of 100 parallel searches and 600 of 650 suggestions through', async () => {
    const limits = createRateLimits(null, '');
    const paid = async (charges: Array<Promise<unknown>>) =>
      (await Promise.allSettled(charges)).filter((result) => result.status === 'fulfilled').length;
    expect(await paid(Array.from({ length: 100 }, () => limits.search.consume('user-1')))).toBe(60);
    expect(await paid(Array.from({ length: 650 }, () => limits.suggest.consume('user-1')))).toBe(
      600,
    );
    expect(await paid([limits.search.consume('user-2')])).toBe(1);
  });
});

describe('SEARCH_RATE_LIMIT_PER_MINUTE', () => {
  it('defaults to 60 searches and 600 suggestions a minute, and takes whole numbers', () => {
    expect(authConfigFromEnv(loadApiEnv({})).rateLimits).toEqual({
      search: { points: 60, duration: 60 },
      suggest: { points: 600, duration: 60 },
    });
    expect(authConfigFromEnv(loadApiEnv({ SEARCH_RATE_LIMIT_PER_MINUTE: '5' })).rateLimits).toEqual(
      { search: { points: 5, duration: 60 }, suggest: { points: 50, duration: 60 } },
    );
  });

  it.each(['0', '1.5', 'many'])('refuses %s, naming it', (value) => {
    expect(() => loadApiEnv({ SEARCH_RATE_LIMIT_PER_MINUTE: value })).toThrow(
      /SEARCH_RATE_LIMIT_PER_MINUTE: expected a whole number/,
    );
  });
});
