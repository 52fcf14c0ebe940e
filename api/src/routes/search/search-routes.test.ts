import { randomUUID } from 'node:crypto';
import { schema } from '@confab/db';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { callAs, type Person, signUp, useTestApi } from '../auth/test-app';
import type { searchResponseSchema, suggestResponseSchema } from './schemas';
import { seedFile, seedMessage } from './search-seed';

/**
 * The search routes on real Postgres with the Postgres engine, answers held to their schemas
 * (the test app checks every 2xx). What each operator means is the engine's contract suite; here
 * every parameter is shown to reach the engine, and every bad one to stop at the door.
 */
// Bob searches far more than 60 times a minute here; search-rate-limits.test.ts tests the budget.
const api = useTestApi({ rateLimits: { search: { points: 10_000, duration: 60 } } });
type Answer = z.output<typeof searchResponseSchema>;
type Suggestions = z.output<typeof suggestResponseSchema>;

let ada: Person;
let bob: Person;
let carol: Person;
let workspaceId: string;
let otherWorkspaceId: string;
const channel = { general: '', design: '', secret: '' };
const message = { adaLink: '', bobFile: '', bobDesign: '', adaReply: '', secret: '' };
let fileId: string;

async function createWorkspace(owner: Person, name: string) {
  const { body } = await callAs<{ workspace: { id: string } }>(
    api.app,
    owner,
    'POST',
    '/api/workspaces',
    { name, slug: `${name.toLowerCase()}-${Date.now()}` },
  );
  return body.workspace.id;
}

async function createChannel(owner: Person, name: string, kind: 'public' | 'private') {
  const { body } = await callAs<{ channel: { id: string } }>(
    api.app,
    owner,
    'POST',
    `/api/workspaces/${workspaceId}/channels`,
    { name, kind },
  );
  return body.channel.id;
}

beforeAll(async () => {
  ada = await signUp(api.app, 'Ada Lovelace', `ada-${randomUUID()}@example.com`);
  bob = await signUp(api.app, 'Bob Stone', `bob-${randomUUID()}@example.com`);
  carol = await signUp(api.app, 'Carol Other', `carol-${randomUUID()}@example.com`);
  workspaceId = await createWorkspace(ada, 'Search');
  otherWorkspaceId = await createWorkspace(carol, 'Elsewhere');
  const db = api.backends.database.db;
  await db.insert(schema.workspaceMembers).values({ workspaceId, userId: bob.id, role: 'member' });
  channel.general = await createChannel(ada, 'general-talk', 'public');
  channel.design = await createChannel(ada, 'design', 'public');
  channel.secret = await createChannel(ada, 'secret', 'private');

  message.adaLink = await seedMessage(db, {
    channelId: channel.general,
    authorId: ada.id,
    text: 'The quarterly report is ready https://example.com/r',
    receivedAt: new Date('2026-03-10T02:00:00Z'),
  });
  message.bobDesign = await seedMessage(db, {
    channelId: channel.design,
    authorId: bob.id,
    text: 'report colours for the new logo',
    receivedAt: new Date('2026-01-15T12:00:00Z'),
  });
  fileId = randomUUID();
  message.bobFile = await seedMessage(db, {
    channelId: channel.general,
    authorId: bob.id,
    text: 'report draft attached',
    fileIds: [fileId],
  });
  await seedFile(db, {
    id: fileId,
    workspaceId,
    channelId: channel.general,
    uploaderId: bob.id,
    name: 'Quarterly-report.pdf',
    messageId: message.bobFile,
    extractedText: 'revenue numbers by region',
  });
  message.adaReply = await seedMessage(db, {
    channelId: channel.design,
    authorId: ada.id,
    text: 'report reply in the thread',
    parentId: message.bobDesign,
  });
  message.secret = await seedMessage(db, {
    channelId: channel.secret,
    authorId: ada.id,
    text: 'report nobody else may read',
  });
  await db
    .insert(schema.reactions)
    .values({ messageId: message.adaLink, emoji: '👍', userId: bob.id, reactedAt: new Date() });
});

const path = (query: Record<string, string> = {}, workspace = workspaceId) =>
  `/api/workspaces/${workspace}/search?${new URLSearchParams(query)}`;
const search = async (who: Person, query: Record<string, string>) => {
  const { status, body } = await callAs<Answer>(api.app, who, 'GET', path(query));
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};
const hitIds = (answer: Answer) => answer.hits.map((hit) => hit.id);

describe('GET /api/workspaces/{workspaceId}/search', () => {
  it('answers the messages tab by default, within what the user may read', async () => {
    const answer = await search(bob, { q: 'report' });
    expect(answer.tab).toBe('messages');
    expect(answer.query).toEqual({ canonical: 'report', ignored: [] });
    expect(new Set(hitIds(answer))).toEqual(
      new Set([message.adaLink, message.bobFile, message.bobDesign, message.adaReply]),
    );
    expect(answer).toMatchObject({ total: 4, totalCapped: false, nextCursor: null, fuzzy: false });
    // Ada is in the private channel: the same search finds its message for her.
    expect(hitIds(await search(ada, { q: 'report' }))).toContain(message.secret);
  });

  it('applies each filter parameter, and shows it in the canonical query', async () => {
    const cases: Array<[Record<string, string>, string[], string]> = [
      [{ in: '#design' }, [message.bobDesign, message.adaReply], 'report in:#design'],
      [{ from: '@ada' }, [message.adaLink, message.adaReply], 'report from:@ada'],
      [{ from: 'me' }, [message.bobFile, message.bobDesign], 'report from:me'],
      [{ has: 'file' }, [message.bobFile], 'report has:file'],
      [{ has: 'link' }, [message.adaLink], 'report has:link'],
      [{ has: 'reaction,link' }, [message.adaLink], 'report has:reaction has:link'],
      [{ is: 'thread' }, [message.adaReply], 'report is:thread'],
      [{ on: '2026-01-15' }, [message.bobDesign], 'report on:2026-01-15'],
      [{ during: '2026-03' }, [message.adaLink], 'report during:2026-03'],
      [{ before: '2026-02' }, [message.bobDesign], 'report before:2026-02'],
      [{ after: '2026-03-10' }, [message.bobFile, message.adaReply], 'report after:2026-03-10'],
    ];
    for (const [filters, expected, canonical] of cases) {
      const answer = await search(bob, { q: 'report', ...filters });
      // is:thread also matches a root with replies, which the seed has no statistics for.
      expect(new Set(hitIds(answer)), JSON.stringify(filters)).toEqual(new Set(expected));
      expect(answer.query.canonical, JSON.stringify(filters)).toBe(canonical);
    }
  });

  it('reports how in: and from: names were understood', async () => {
    const answer = await search(bob, { in: '#design,#nowhere', from: '@ada' });
    // Labels are the engine's wording; the ids are what must be right.
    const matched = Object.fromEntries(
      answer.resolutions.map(({ text, matches }) => [
        text,
        matches.map(({ kind, id }) => ({ kind, id })),
      ]),
    );
    expect(matched).toEqual({
      'in:#design': [{ kind: 'channel', id: channel.design }],
      'in:#nowhere': [],
      'from:@ada': [{ kind: 'person', id: ada.id }],
    });
    // A private channel the user is not in resolves like one that does not exist.
    const hidden = await search(bob, { in: '#secret' });
    expect(hidden.resolutions).toEqual([{ text: 'in:#secret', matches: [] }]);
    expect(hidden).toMatchObject({ hits: [], total: 0 });
  });

  it('resolves dates in the time zone given (tz), and reports an unknown zone', async () => {
    // Ada's link arrived at 02:00 UTC on March 10: still March 9 in Los Angeles.
    const inUtc = await search(bob, { q: 'report', on: '2026-03-10' });
    expect(hitIds(inUtc)).toEqual([message.adaLink]);
    const losAngeles = { q: 'report', tz: 'America/Los_Angeles' };
    expect(hitIds(await search(bob, { ...losAngeles, on: '2026-03-10' }))).toEqual([]);
    expect(hitIds(await search(bob, { ...losAngeles, on: '2026-03-09' }))).toEqual([
      message.adaLink,
    ]);
    const unknown = await search(bob, { q: 'report', on: '2026-03-10', tz: 'Mars/Olympus' });
    expect(unknown.query.ignored).toEqual([{ text: 'Mars/Olympus', reason: 'unknown_time_zone' }]);
    expect(hitIds(unknown)).toEqual([message.adaLink]);
  });

  it('sorts by date on request, newest first; sort: in q wins', async () => {
    const byDate = await search(bob, { q: 'report', sort: 'date' });
    expect(byDate.query.canonical).toBe('report sort:date');
    // By arrival: the two of today, then March, then January.
    expect(hitIds(byDate)).toEqual([
      message.adaReply,
      message.bobFile,
      message.adaLink,
      message.bobDesign,
    ]);
    const written = await search(bob, { q: 'report sort:date' });
    expect(hitIds(written)).toEqual(hitIds(byDate));
  });

  it('pages with limit and cursor: every hit once, then no cursor', async () => {
    for (const sort of ['relevance', 'date']) {
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const answer: Answer = await search(bob, {
          q: 'report',
          sort,
          limit: '1',
          ...(cursor ? { cursor } : {}),
        });
        expect(answer.hits.length, sort).toBeLessThanOrEqual(1);
        expect(answer.total).toBe(4);
        seen.push(...hitIds(answer));
        cursor = answer.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen.sort(), sort).toEqual(
        [message.adaLink, message.bobFile, message.bobDesign, message.adaReply].sort(),
      );
    }
  });

  it('answers the files, channels and people tabs with their own hits', async () => {
    const files = await search(bob, { q: 'revenue', tab: 'files' });
    expect(files.tab).toBe('files');
    expect(hitIds(files)).toEqual([fileId]);
    const notForFiles = await search(bob, { q: 'report', tab: 'files', has: 'link' });
    expect(notForFiles.unused).toEqual([{ text: 'has:link', reason: 'not_for_this_tab' }]);

    const channels = await search(bob, { q: 'design', tab: 'channels' });
    expect(channels.tab).toBe('channels');
    expect(hitIds(channels)).toEqual([channel.design]);
    expect(hitIds(await search(bob, { q: 'secret', tab: 'channels' }))).toEqual([]);

    const people = await search(bob, { q: 'ada', tab: 'people' });
    expect(people.tab).toBe('people');
    expect(people.hits).toEqual([
      expect.objectContaining({ id: ada.id, handle: 'ada.lovelace', role: 'owner' }),
    ]);
    // Carol is in another workspace only.
    expect(hitIds(await search(bob, { q: 'carol', tab: 'people' }))).toEqual([]);
  });

  it('refuses each bad parameter with a 400 naming it', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ tab: 'emails' }, 'tab'],
      [{ sort: 'size' }, 'sort'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '51' }, 'limit'],
      [{ limit: 'many' }, 'limit'],
      [{ in: 'design' }, 'in'],
      [{ in: '#design,' }, 'in'],
      [{ in: '#a b' }, 'in'],
      [{ from: 'ada' }, 'from'],
      [{ has: 'files' }, 'has'],
      [{ is: 'root' }, 'is'],
      [{ on: '2026-02-30' }, 'on'],
      [{ during: 'soon' }, 'during'],
      [{ before: '10/03/2026' }, 'before'],
      [{ after: 'now' }, 'after'],
      [{ tz: 'x'.repeat(200) }, 'tz'],
      [{ frm: '@ada' }, 'frm'],
      [{ before: '2026-01-01', after: '2026-06-01' }, 'after:2026-06-01 (conflict)'],
      [{ in: '#design,#design' }, 'in:#design (duplicate)'],
    ];
    for (const [query, named] of cases) {
      const { status, body } = await callAs<{ error: { code: string; message: string } }>(
        api.app,
        bob,
        'GET',
        path({ q: 'report', ...query }),
      );
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message, JSON.stringify(query)).toContain(named);
    }
    const repeated = await callAs<{ error: { message: string } }>(
      api.app,
      bob,
      'GET',
      `${path({ q: 'report' })}&in=%23design&in=%23general-talk`,
    );
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.message).toMatch(/^in: give it once/);
  });

  it('answers hostile q strings (never a 500) without leaking the private channel', async () => {
    const hostile = [
      'x'.repeat(10_000),
      'report '.repeat(1500),
      '"report',
      '"""',
      "report'); DROP TABLE messages;--",
      'report & secret | !nobody <-> read:*',
      'report\u0000secret',
      'a*'.repeat(5000),
      '(((((((((((a+)+)+)+)+)+)+)+)+)+)+$',
      '%_\\ report %',
      'in:#secret report',
      'from:@ada in:@bob in:@ada.lovelace report',
      '\u202ereport\u2066',
      '-report -"" -',
    ];
    let slowest = 0;
    for (const q of hostile) {
      for (const tab of ['messages', 'files', 'channels', 'people']) {
        const started = performance.now();
        const answer = await search(bob, { q, tab });
        slowest = Math.max(slowest, performance.now() - started);
        expect(hitIds(answer), q.slice(0, 40)).not.toContain(message.secret);
        expect(hitIds(answer), q.slice(0, 40)).not.toContain(channel.secret);
      }
    }
    // Printed, not asserted (a shared machine): the issue asks for well under a second.
    console.log(`hostile search strings: slowest answer ${slowest.toFixed(1)} ms`);
  });

  it('refuses a cursor that is not of this search (400 invalid_cursor)', async () => {
    const first = await search(bob, { q: 'report', limit: '1' });
    expect(first.nextCursor).toEqual(expect.any(String));
    const cursor = first.nextCursor as string;
    const foreign: Array<Record<string, string>> = [
      { q: 'report', cursor: 'garbage' },
      { q: 'report', cursor: 'x'.repeat(10_000) },
      { q: 'colours', limit: '1', cursor },
      { q: 'report', limit: '1', sort: 'date', cursor },
      { q: 'report', limit: '1', tab: 'files', cursor },
    ];
    for (const query of foreign) {
      const { status, body } = await callAs<{ error: { code: string } }>(
        api.app,
        bob,
        'GET',
        path(query),
      );
      expect(status, JSON.stringify(query).slice(0, 80)).toBe(400);
      expect(body.error.code).toBe('invalid_cursor');
    }
  });

  it('is 404 for a workspace the user is not in, and 401 without a token', async () => {
    expect((await callAs(api.app, bob, 'GET', path({ q: 'x' }, otherWorkspaceId))).status).toBe(
      404,
    );
    expect((await callAs(api.app, bob, 'GET', path({ q: 'x' }, 'not-a-uuid'))).status).toBe(404);
    // Membership first: a bad parameter in a workspace one is not in is still a 404.
    expect((await callAs(api.app, bob, 'GET', path({ tab: 'x' }, otherWorkspaceId))).status).toBe(
      404,
    );
    expect((await callAs(api.app, null, 'GET', path({ q: 'x' }))).status).toBe(401);
  });
});

describe('GET /api/workspaces/{workspaceId}/search/suggest', () => {
  const suggest = async (who: Person, query: Record<string, string>) => {
    const { status, body } = await callAs<Suggestions>(
      api.app,
      who,
      'GET',
      `/api/workspaces/${workspaceId}/search/suggest?${new URLSearchParams(query)}`,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    return body.suggestions;
  };

  it('completes channels the user may read and people of the workspace', async () => {
    expect(await suggest(bob, { kind: 'channel', prefix: 'des' })).toEqual([
      expect.objectContaining({ kind: 'channel', id: channel.design, value: '#design' }),
    ]);
    // As typed after the operator, sigil included.
    expect((await suggest(bob, { kind: 'channel', prefix: '#des' })).map((s) => s.id)).toEqual([
      channel.design,
    ]);
    expect(await suggest(bob, { kind: 'channel', prefix: 'secr' })).toEqual([]);
    expect((await suggest(ada, { kind: 'channel', prefix: 'secr' })).map((s) => s.id)).toEqual([
      channel.secret,
    ]);
    const people = await suggest(bob, { kind: 'person', prefix: '@ad' });
    expect(people).toEqual([
      expect.objectContaining({ kind: 'person', id: ada.id, value: '@ada.lovelace' }),
    ]);
    expect(await suggest(bob, { kind: 'person', prefix: 'car' })).toEqual([]);
    expect((await suggest(bob, { kind: 'channel', limit: '1' })).length).toBeLessThanOrEqual(1);
  });

  it('refuses bad parameters, answers hostile prefixes, hides other workspaces', async () => {
    const bad: Array<Record<string, string>> = [
      {},
      { kind: 'file' },
      { kind: 'channel', limit: '21' },
      { kind: 'channel', prefix: 'x'.repeat(101) },
      { kind: 'channel', extra: '1' },
    ];
    for (const query of bad) {
      const { status, body } = await callAs<{ error: { code: string } }>(
        api.app,
        bob,
        'GET',
        `/api/workspaces/${workspaceId}/search/suggest?${new URLSearchParams(query)}`,
      );
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.error.code).toBe('invalid_request');
    }
    for (const prefix of ['%', '_', '\\', "'; DROP TABLE users;--", '\u0000', 'x'.repeat(100)]) {
      await suggest(bob, { kind: 'person', prefix });
      await suggest(bob, { kind: 'channel', prefix });
    }
    const { status } = await callAs(
      api.app,
      bob,
      'GET',
      `/api/workspaces/${otherWorkspaceId}/search/suggest?kind=person`,
    );
    expect(status).toBe(404);
  });
});
