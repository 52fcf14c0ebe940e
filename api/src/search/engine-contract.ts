import type { Db } from '@confab/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  type MessageHit,
  type PageRequest,
  type SearchAnswer,
  type SearchEngine,
  type Searcher,
} from './engine';
import { parseQuery } from './parse-query';
import {
  deleteMessage,
  editMessage,
  joinChannel,
  leaveChannel,
  react,
  removeMember,
  seedChannel,
  seedFile,
  seedMember,
  seedMessage,
  seedUser,
  seedWorkspace,
} from './postgres/seed';
import type { SortOrder } from './query';

/** What a contract run needs: an engine over a migrated database the suite seeds. */
export interface ContractTarget {
  engine: SearchEngine;
  /** The projection tables the suite writes rows into. */
  db: Db;
  /** Called after the suite writes rows, for engines that index asynchronously. */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

/** The people and places every contract test shares; each test uses its own words. */
interface World {
  workspaceId: string;
  ada: string;
  bob: string;
  gus: string;
  rex: string;
  eve: string;
  general: string;
  random: string;
  secret: string;
  guests: string;
  adaBob: string;
  eveCarl: string;
  elsewhere: string;
}

async function seedWorld(db: Db): Promise<World> {
  const workspaceId = await seedWorkspace(db, 'Acme');
  const other = await seedWorkspace(db, 'Other');
  const ada = await seedUser(db, 'Ada Lovelace');
  const bob = await seedUser(db, 'Bob Stone');
  const gus = await seedUser(db, 'Gus Guest');
  const rex = await seedUser(db, 'Rex Removed');
  const eve = await seedUser(db, 'Eve Member');
  const carl = await seedUser(db, 'Carl Other');
  await seedMember(db, workspaceId, ada, 'owner');
  await seedMember(db, workspaceId, bob);
  await seedMember(db, workspaceId, gus, 'guest');
  await seedMember(db, workspaceId, rex);
  await seedMember(db, workspaceId, eve);
  await seedMember(db, workspaceId, carl);
  await seedMember(db, other, ada);
  return {
    workspaceId,
    ada,
    bob,
    gus,
    rex,
    eve,
    general: await seedChannel(db, workspaceId, 'public', 'general', [ada, bob, rex]),
    random: await seedChannel(db, workspaceId, 'public', 'random', [ada]),
    secret: await seedChannel(db, workspaceId, 'private', 'secret', [ada, rex]),
    guests: await seedChannel(db, workspaceId, 'public', 'guests', [ada, gus]),
    adaBob: await seedChannel(db, workspaceId, 'dm', '', [ada, bob]),
    eveCarl: await seedChannel(db, workspaceId, 'dm', '', [eve, carl]),
    elsewhere: await seedChannel(db, other, 'public', 'elsewhere', [ada]),
  };
}

const NOW = new Date();

/**
 * The behaviour every search engine must have (messages and files tabs): matching, filters,
 * permissions for hits and counts, sort and paging, highlights, and hostile input. Run it with
 * a fresh, migrated database per target.
 */
export function searchEngineContract(name: string, make: () => Promise<ContractTarget>): void {
  describe(`search engine contract: ${name}`, () => {
    let target: ContractTarget;
    let world: World;
    let db: Db;

    beforeAll(async () => {
      target = await make();
      db = target.db;
      world = await seedWorld(db);
    }, 60_000);
    afterAll(async () => {
      await target?.close();
    });

    const as = (userId: string): Searcher => ({ userId, workspaceId: world.workspaceId });
    const settle = async () => target.settle?.();
    const search = (
      userId: string,
      q: string,
      page: PageRequest = { limit: 50 },
      sort: SortOrder = 'date',
    ): Promise<SearchAnswer<MessageHit>> =>
      target.engine.messages(as(userId), parseQuery(q, { timeZone: 'UTC', now: NOW, sort }), page);
    const ids = (answer: SearchAnswer<{ id: string }>) => answer.hits.map((hit) => hit.id).sort();
    const say = (channelId: string, text: string, authorId = world.ada) =>
      seedMessage(db, { channelId, authorId, text });
    const marked = (hit: MessageHit) =>
      hit.snippet.ranges.map(([start, end]) => hit.snippet.text.slice(start, end));

    describe('words', () => {
      it('matches words whatever their form: stemming, case, accents', async () => {
        const report = await say(world.general, 'The quarterly Reports are ready');
        const cafe = await say(world.general, 'Lunch at the Café Zanzibar');
        const aero = await say(world.general, 'Ferry to Ærø tomorrow');
        await settle();
        expect(ids(await search(world.bob, 'report quarterly'))).toEqual([report]);
        expect(ids(await search(world.bob, 'cafe zanzibar'))).toEqual([cafe]);
        expect(ids(await search(world.bob, 'CAFÉ zanzibar'))).toEqual([cafe]);
        expect(ids(await search(world.bob, 'aero ferry'))).toEqual([aero]);
        expect(ids(await search(world.bob, 'ærø'))).toEqual([aero]);
      });

      it('matches prefixes, phrases in order only, and excludes negated terms', async () => {
        const first = await say(world.general, 'walrus migration planning starts');
        const second = await say(world.general, 'planning walrus migration later');
        await settle();
        expect(ids(await search(world.bob, 'walr*'))).toEqual([first, second].sort());
        expect(ids(await search(world.bob, '"walrus migration planning"'))).toEqual([first]);
        expect(ids(await search(world.bob, '"planning walrus"'))).toEqual([second]);
        expect(ids(await search(world.bob, 'walrus -later'))).toEqual([first]);
        expect(ids(await search(world.bob, 'walrus -"migration later"'))).toEqual([first]);
      });

      it('finds Chinese and Japanese text by substring', async () => {
        const chinese = await say(world.general, '我们明天讨论项目预算和时间表');
        const japanese = await say(world.general, '東京タワーで会いましょう');
        await settle();
        expect(ids(await search(world.bob, '项目预算'))).toEqual([chinese]);
        expect(ids(await search(world.bob, 'タワー'))).toEqual([japanese]);
        const answer = await search(world.bob, 'タワー');
        expect(answer.hits[0] && marked(answer.hits[0])).toEqual(['タワー']);
      });

      it('drops stop words and reports them', async () => {
        const hit = await say(world.general, 'the narwhal surfaced');
        await settle();
        const answer = await search(world.bob, 'the narwhal');
        expect(ids(answer)).toEqual([hit]);
        expect(answer.unused).toEqual([{ text: 'the', reason: 'no_searchable_text' }]);
      });

      it('follows edits and deletes', async () => {
        const id = await say(world.general, 'original pelican text');
        await settle();
        expect(ids(await search(world.bob, 'pelican'))).toEqual([id]);
        await editMessage(db, id, 'edited flamingo text');
        await settle();
        expect(ids(await search(world.bob, 'pelican'))).toEqual([]);
        expect(ids(await search(world.bob, 'flamingo'))).toEqual([id]);
        await deleteMessage(db, id);
        await settle();
        const answer = await search(world.bob, 'flamingo');
        expect([answer.hits.length, answer.total]).toEqual([0, 0]);
      });

      it('falls back to similar words when a words-only query finds nothing', async () => {
        const id = await say(world.general, 'the Hippopotamus yawned');
        await settle();
        const answer = await search(world.bob, 'hipopotamus');
        expect(ids(answer)).toEqual([id]);
        expect(answer.fuzzy).toBe(true);
        const [hit] = answer.hits;
        expect(hit && marked(hit)).toEqual(['Hippopotamus']);
        expect((await search(world.bob, 'hippopotamus')).fuzzy).toBe(false);
      });
    });

    describe('filters', () => {
      it('in: a channel or a DM, from: a person or me', async () => {
        const inGeneral = await say(world.general, 'otter news from general', world.bob);
        const inRandom = await say(world.random, 'otter news from random');
        const inDm = await say(world.adaBob, 'otter news privately', world.bob);
        await settle();
        expect(ids(await search(world.ada, 'otter in:#general'))).toEqual([inGeneral]);
        expect(ids(await search(world.ada, 'otter in:#general in:#random'))).toEqual(
          [inGeneral, inRandom].sort(),
        );
        expect(ids(await search(world.ada, 'otter in:@bob.stone'))).toEqual([inDm]);
        expect(ids(await search(world.ada, 'otter from:@bob'))).toEqual([inGeneral, inDm].sort());
        expect(ids(await search(world.ada, 'otter from:me'))).toEqual([inRandom]);
        const nobody = await search(world.ada, 'otter from:@nobody');
        expect([nobody.total, nobody.resolutions]).toEqual([
          0,
          [{ text: 'from:@nobody', matches: [] }],
        ]);
        expect((await search(world.ada, 'otter in:#nowhere')).total).toBe(0);
      });

      it('has:file, has:link, has:reaction, is:thread', async () => {
        const plain = await say(world.general, 'badger plain');
        const link = await say(world.general, 'badger see https://example.com/x');
        const file = await seedMessage(db, {
          channelId: world.general,
          authorId: world.ada,
          text: 'badger attached',
          fileIds: ['00000000-0000-4000-8000-000000000001'],
        });
        const reacted = await say(world.general, 'badger liked');
        await react(db, reacted, world.bob);
        const root = await say(world.general, 'badger thread root');
        const reply = await seedMessage(db, {
          channelId: world.general,
          authorId: world.bob,
          text: 'badger reply',
          parentId: root,
        });
        await settle();
        expect(ids(await search(world.bob, 'badger has:link'))).toEqual([link]);
        const [withFile] = (await search(world.bob, 'badger has:file')).hits;
        expect([withFile?.id, withFile?.fileIds]).toEqual([
          file,
          ['00000000-0000-4000-8000-000000000001'],
        ]);
        expect(ids(await search(world.bob, 'badger has:reaction'))).toEqual([reacted]);
        const thread = await search(world.bob, 'badger is:thread');
        expect(ids(thread)).toEqual([root, reply].sort());
        const byId = new Map(thread.hits.map((hit) => [hit.id, hit]));
        expect(byId.get(root)).toMatchObject({
          replyCount: 1,
          parentId: null,
          authorId: world.ada,
          authorName: 'Ada Lovelace',
        });
        expect(byId.get(reply)).toMatchObject({
          replyCount: 0,
          parentId: root,
          authorId: world.bob,
          authorName: 'Bob Stone',
        });
        expect(byId.get(reply)?.channelId).toBe(world.general);
        expect(ids(await search(world.bob, 'badger'))).toContain(plain);
      });

      it('dates on the server receive time', async () => {
        const old = await seedMessage(db, {
          channelId: world.general,
          authorId: world.ada,
          text: 'lemur archive',
          receivedAt: new Date('2024-03-10T12:00:00Z'),
        });
        const recent = await say(world.general, 'lemur recent');
        await settle();
        expect(ids(await search(world.bob, 'lemur on:2024-03-10'))).toEqual([old]);
        expect(ids(await search(world.bob, 'lemur before:2025'))).toEqual([old]);
        expect(ids(await search(world.bob, 'lemur after:2024'))).toEqual([recent]);
        expect(ids(await search(world.bob, 'lemur during:2024-03'))).toEqual([old]);
      });

      it('filters alone, without words', async () => {
        const id = await say(world.random, 'anything at all', world.ada);
        await settle();
        const answer = await search(world.ada, 'in:#random from:me');
        expect(answer.hits.map((hit) => hit.id)).toContain(id);
      });
    });

    describe('permissions, for hits and counts', () => {
      it('never finds a private channel, a DM of others or another workspace', async () => {
        await say(world.secret, 'zeppelin secret plans');
        await say(world.eveCarl, 'zeppelin private chat', world.eve);
        await say(world.elsewhere, 'zeppelin elsewhere');
        const open = await say(world.general, 'zeppelin open');
        await settle();
        const bob = await search(world.bob, 'zeppelin');
        expect([ids(bob), bob.total]).toEqual([[open], 1]);
        const ada = await search(world.ada, 'zeppelin');
        expect(ada.total).toBe(2);
        expect((await search(world.bob, 'zeppelin in:#secret')).total).toBe(0);
      });

      it('guests read their channels only; removed members nothing', async () => {
        const guests = await say(world.guests, 'quokka for guests');
        const open = await say(world.general, 'quokka for members');
        await settle();
        expect(ids(await search(world.gus, 'quokka'))).toEqual([guests]);
        expect(ids(await search(world.bob, 'quokka'))).toEqual([guests, open].sort());
        await removeMember(db, world.workspaceId, world.rex);
        const rex = await search(world.rex, 'quokka');
        expect([rex.hits.length, rex.total]).toEqual([0, 0]);
      });

      it('leaving a private channel removes its messages at once', async () => {
        const channel = await seedChannel(db, world.workspaceId, 'private', 'ops', [world.bob]);
        await say(channel, 'axolotl incident', world.bob);
        await settle();
        expect((await search(world.bob, 'axolotl')).total).toBe(1);
        await leaveChannel(db, channel, world.bob);
        expect((await search(world.bob, 'axolotl')).total).toBe(0);
        await joinChannel(db, channel, world.bob);
        expect((await search(world.bob, 'axolotl')).total).toBe(1);
      });
    });

    describe('sort and paging', () => {
      let all: string[];
      beforeAll(async () => {
        all = [];
        for (let index = 0; index < 23; index += 1) {
          const extra = index % 3 === 0 ? ' iguana iguana iguana' : '';
          all.push(await say(world.general, `iguana number ${index}${extra}`));
        }
        await settle();
      });

      for (const sort of ['date', 'relevance'] as const) {
        it(`pages by ${sort} without duplicates or gaps`, async () => {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const answer = await search(world.bob, 'iguana', { limit: 5, cursor }, sort);
            expect(answer.total).toBe(23);
            seen.push(...answer.hits.map((hit) => hit.id));
            cursor = answer.nextCursor ?? undefined;
            pages += 1;
          } while (cursor && pages < 10);
          expect(pages).toBe(5);
          expect(new Set(seen).size).toBe(23);
          expect([...seen].sort()).toEqual([...all].sort());
          if (sort === 'date') expect(seen).toEqual([...all].reverse());
        });
      }

      it('ranks better matches first under relevance', async () => {
        const answer = await search(world.bob, 'iguana', { limit: 8 }, 'relevance');
        const boosted = all.filter((_, index) => index % 3 === 0);
        expect(answer.hits.map((hit) => hit.id)).toEqual([...boosted].reverse());
      });

      it('refuses a cursor of another search, or a tampered one', async () => {
        const answer = await search(world.bob, 'iguana', { limit: 5 });
        const cursor = answer.nextCursor ?? '';
        await expect(search(world.bob, 'iguana number', { limit: 5, cursor })).rejects.toThrow(
          InvalidCursorError,
        );
        await expect(
          search(world.bob, 'iguana', { limit: 5, cursor }, 'relevance'),
        ).rejects.toThrow(InvalidCursorError);
        for (const bad of ['x', `${cursor}x`, cursor.slice(1), 'eyJ2IjoxfQ', '%%%']) {
          await expect(search(world.bob, 'iguana', { limit: 5, cursor: bad })).rejects.toThrow(
            InvalidCursorError,
          );
        }
      });
    });

    describe('highlights', () => {
      it('marks the matches of the page, never inside a mention', async () => {
        const text = `<@${world.bob}> the gecko reports: Geckos climb`;
        await say(world.general, text);
        await settle();
        const [hit] = (await search(world.bob, 'gecko report')).hits;
        expect(hit?.snippet.text).toBe(text);
        expect(hit && marked(hit)).toEqual(['gecko', 'reports', 'Geckos']);
        const mention = await search(world.bob, world.bob.slice(0, 8));
        for (const found of mention.hits) expect(marked(found)).toEqual([]);
      });

      it('shows a window around the match of a long text', async () => {
        const filler = 'lorem ipsum dolor sit amet '.repeat(40);
        await say(world.general, `${filler}the pangolin appears ${filler}`);
        await settle();
        const [hit] = (await search(world.bob, 'pangolin')).hits;
        expect(hit?.snippet.text.length).toBeLessThan(600);
        expect(hit?.snippet.text.startsWith('…')).toBe(true);
        expect(hit && marked(hit)).toEqual(['pangolin']);
      });

      it('ignores highlight marks written in the message itself', async () => {
        await say(world.general, 'fake \uE000mark\uE001 toucan');
        await settle();
        const [hit] = (await search(world.bob, 'toucan')).hits;
        expect(hit && marked(hit)).toEqual(['toucan']);
      });
    });

    describe('files', () => {
      it('finds attached, ready files by name and text, in readable channels', async () => {
        const message = await say(world.general, 'here is the file');
        const secretMessage = await say(world.secret, 'secret file');
        const seed = (name: string, extra: Partial<Parameters<typeof seedFile>[1]> = {}) =>
          seedFile(db, {
            workspaceId: world.workspaceId,
            channelId: world.general,
            uploaderId: world.ada,
            name,
            messageId: message,
            ...extra,
          });
        const byName = await seed('Budget_hyena-2026.pdf');
        const byText = await seed('notes.pdf', { extractedText: 'the hyena budget in detail' });
        await seed('hyena unattached.pdf', { messageId: null });
        await seed('hyena quarantined.pdf', { status: 'quarantined' });
        await seed('hyena deleted.pdf', { deleted: true });
        await seed('hyena secret.pdf', { channelId: world.secret, messageId: secretMessage });
        await settle();
        const files = (userId: string, q: string) =>
          target.engine.files(as(userId), parseQuery(q, { timeZone: 'UTC', now: NOW }), {
            limit: 20,
          });
        const answer = await files(world.bob, 'hyena has:link is:thread');
        expect([ids(answer), answer.total]).toEqual([[byName, byText].sort(), 2]);
        expect(answer.unused).toEqual([
          { text: 'has:link', reason: 'not_for_this_tab' },
          { text: 'is:thread', reason: 'not_for_this_tab' },
        ]);
        expect(answer.hits[0]?.id).toBe(byName);
        expect(answer.hits[0]).toMatchObject({
          messageId: message,
          messageDocName: `seg:${world.general}:0`,
          messageParentId: null,
          uploaderId: world.ada,
          uploaderName: 'Ada Lovelace',
        });
        const name = answer.hits[0]?.name;
        expect(name?.ranges.map(([a, b]) => name.text.slice(a, b))).toEqual(['hyena']);
        const snippet = answer.hits[1]?.snippet;
        expect(snippet?.ranges.map(([a, b]) => snippet.text.slice(a, b))).toEqual(['hyena']);
        expect((await files(world.ada, 'hyena')).total).toBe(3);
        expect((await files(world.bob, 'hyena from:@bob')).total).toBe(0);
        expect((await files(world.bob, 'hyena in:#general from:@ada')).total).toBe(2);
      });
    });

    describe('hostile queries', () => {
      const hostile = [
        'x'.repeat(10_000),
        '"unbalanced quote',
        `${'a* '.repeat(5000)}`,
        "'); DROP TABLE messages;--",
        'a & b | !c <-> d:*',
        'nul\u0000byte',
        '\\%_ %% __ \\\\',
        '(((((((((( ))))))',
        '東京%_\\',
        `${'ab'.repeat(3000)} ${'(a+)+$ '.repeat(50)}`,
      ];
      for (const q of hostile) {
        it(`answers ${JSON.stringify(q.slice(0, 30))}`, async () => {
          for (const sort of ['date', 'relevance'] as const) {
            const answer = await search(world.bob, q, { limit: 20 }, sort);
            expect(answer.total).toBeGreaterThanOrEqual(0);
            const files = await target.engine.files(
              as(world.bob),
              parseQuery(q, { timeZone: 'UTC', now: NOW, sort }),
              { limit: 20 },
            );
            expect(files.total).toBeGreaterThanOrEqual(0);
          }
        });
      }
    });
  });
}
