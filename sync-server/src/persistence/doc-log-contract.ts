import { describe, expect, it } from 'vitest';
import type { DocLog } from '../engine/ports';
import { MessageIdTaken } from '../engine/ports';

export interface DocLogFixture {
  /** A new log on the fixture's store: two of them stand for two nodes. */
  log(): DocLog;
  /** A user the store knows (Postgres checks the foreign key). */
  readonly userId: string;
  /**
   * Whether appends asked for in one tick are decided in call order (one group commit, or
   * memory); else commits in flight together race, and only "exactly one creation wins" holds.
   */
  readonly inOrder: boolean;
}

type Status = PromiseSettledResult<unknown>['status'];

/** In call order the first creation wins; racing, any one token may, and only its entries pass. */
function expectOneWinner(
  inOrder: boolean,
  tokens: string[],
  statuses: Status[],
  ordered: Status[],
) {
  if (inOrder) return expect(statuses).toEqual(ordered);
  const winners = new Set(tokens.filter((_, i) => statuses[i] === 'fulfilled'));
  expect(winners.size).toBe(1);
  expect(statuses).toEqual(tokens.map((token) => (winners.has(token) ? 'fulfilled' : 'rejected')));
}

/**
 * Test support: what every `DocLog` must do, run against each implementation (Postgres, PGlite,
 * memory). `fixture` is read inside tests only; `prefix` (up to 4 letters) keeps runs on one store
 * apart.
 */
export function docLogContract(name: string, fixture: () => DocLogFixture, prefix: string): void {
  describe(`DocLog contract on ${name}`, () => {
    /** Message ids of this run (26 characters, like the ULIDs clients make). */
    const id = (n: number) =>
      `01JE${prefix.toUpperCase().padEnd(4, 'X')}${String(n).padStart(18, '0')}`;

    it('logs a burst of appends, each once, and loads them in log order', async () => {
      const { log, userId } = fixture();
      const node = log();
      const doc = `burst-${prefix}`;
      const updates = Array.from({ length: 20 }, (_, i) => new Uint8Array([i, 255, 0, i]));
      const seqs = await Promise.all(
        updates.map((update, i) =>
          node.append({
            docName: doc,
            update,
            clientId: 4_000_000_000 + i,
            userId: i % 2 ? userId : null,
          }),
        ),
      );
      expect(new Set(seqs).size).toBe(20);
      const bySeq = updates.map((_, i) => i).sort((a, b) => (seqs[a] ?? 0) - (seqs[b] ?? 0));
      expect((await node.load(doc)).map((update) => update[0])).toEqual(bySeq);
      expect(await node.load(`other-${prefix}`)).toEqual([]);
    });

    it('refuses a second creation of a message id and passes a re-sent one', async () => {
      const { log, inOrder } = fixture();
      const node = log();
      const creation = (token: string) => ({
        docName: `claims-${prefix}`,
        update: new Uint8Array([9]),
        clientId: 7,
        userId: null,
        claim: { messageIds: [id(1)], token },
      });
      const results = await Promise.allSettled([
        node.append(creation('first')),
        node.append(creation('second')),
        node.append(creation('first')),
      ]);
      const statuses = results.map((r) => r.status);
      expectOneWinner(inOrder, ['first', 'second', 'first'], statuses, [
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      for (const result of results)
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(MessageIdTaken);
      // Refused entries were not logged; a re-sent one was (its dedup is the engine's job).
      expect(await node.load(`claims-${prefix}`)).toHaveLength(
        statuses.filter((status) => status === 'fulfilled').length,
      );
    });

    it('lets exactly one of two nodes log a creation of the same message ids', async () => {
      const { log, inOrder } = fixture();
      const nodes = [log(), log()];
      const entry = (token: string) => ({
        docName: `nodes-${prefix}`,
        update: new Uint8Array([1, 2, 3]),
        clientId: 1,
        userId: null,
        claim: { messageIds: [id(2), id(3)], token },
      });
      const results = await Promise.allSettled(
        nodes.map((node, n) => node.append(entry(`node${n}`))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      await expect(nodes[1 - winner]?.append(entry(`node${winner}`))).resolves.toBeGreaterThan(0);
      const pair = await Promise.allSettled([
        nodes[0]?.append({ ...entry('a'), claim: { messageIds: [id(4)], token: 'a' } }),
        nodes[0]?.append({ ...entry('b'), claim: { messageIds: [id(4)], token: 'b' } }),
        nodes[0]?.append({ ...entry('c'), claim: undefined }),
      ]);
      expectOneWinner(
        inOrder,
        ['a', 'b'],
        pair.slice(0, 2).map((r) => r.status),
        ['fulfilled', 'rejected'],
      );
      expect(pair[2]?.status).toBe('fulfilled');
    });

    it('flush waits for every append already asked for', async () => {
      const node = fixture().log();
      let done = 0;
      for (let i = 0; i < 5; i++)
        void node
          .append({
            docName: `flush-${prefix}`,
            update: new Uint8Array([i]),
            clientId: 1,
            userId: null,
          })
          .then(() => done++);
      await node.flush();
      expect(done).toBe(5);
      await expect(node.flush()).resolves.toBeUndefined();
    });

    it('answers an attachable-files question with no files with no files', async () => {
      const node = fixture().log();
      const { userId } = fixture();
      const answer = await node.attachableFiles({
        channelId: '00000000-0000-4000-8000-000000000000',
        userId,
        fileIds: [],
      });
      expect(answer.size).toBe(0);
    });
  });
}
