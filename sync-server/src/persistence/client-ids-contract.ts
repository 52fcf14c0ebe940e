import { describe, expect, it } from 'vitest';
import type { ClientIdRegistry } from '../engine/ports';

export interface ClientIdFixture {
  /** A new registry on the fixture's store: two of them stand for two nodes. */
  registry(): ClientIdRegistry;
  /** Two users the store knows. */
  readonly users: readonly [string, string];
}

/**
 * Test support: what every client-id registry must do [S3], run against each implementation.
 * `fixture` is read inside tests only; `prefix` keeps runs on one store apart.
 */
export function clientIdsContract(
  name: string,
  fixture: () => ClientIdFixture,
  prefix: string,
): void {
  describe(`ClientIdRegistry contract on ${name}`, () => {
    it('lets the first claimant of a client id own it; a later claim reads the owner back', async () => {
      const { registry, users } = fixture();
      const [ada, bob] = users;
      const doc = `first-${prefix}`;
      const [one, two] = [registry(), registry()];
      const [mine, theirs] = await Promise.all([
        one.claim(doc, [1, 2], ada),
        two.claim(doc, [2, 3], bob),
      ]);
      const owner2 = mine.get(2)?.userId;
      expect(theirs.get(2)?.userId).toBe(owner2);
      expect(mine.get(1)).toEqual({ userId: ada, barred: false });
      expect(theirs.get(3)).toEqual({ userId: bob, barred: false });
      expect([...mine.keys()].sort()).toEqual([1, 2]);
      const again = await one.claim(doc, [3], ada);
      expect(again.get(3)?.userId).toBe(bob);
      const owners = await two.owners(doc);
      expect([...owners.keys()].sort()).toEqual([1, 2, 3]);
    });

    it('keeps docs apart and takes the largest client ids', async () => {
      const { registry, users } = fixture();
      const node = registry();
      const big = 2 ** 32 - 1;
      await node.claim(`a-${prefix}`, [big], users[0]);
      await node.claim(`b-${prefix}`, [big], users[1]);
      expect((await node.owners(`a-${prefix}`)).get(big)?.userId).toBe(users[0]);
      expect((await node.owners(`b-${prefix}`)).get(big)?.userId).toBe(users[1]);
      expect((await node.owners(`none-${prefix}`)).size).toBe(0);
      expect((await node.claim(`a-${prefix}`, [], users[1])).size).toBe(0);
    });

    it('bars client ids for good, in one doc only, for every node', async () => {
      const { registry, users } = fixture();
      const [one, two] = [registry(), registry()];
      const doc = `bar-${prefix}`;
      const claimed = await one.claim(doc, [10, 11], users[0]);
      await one.claim(`other-${prefix}`, [10], users[0]);
      // A caller marking its own copy changes nothing stored: only `bar` does.
      const copy = claimed.get(11);
      if (copy) copy.barred = true;
      await one.bar(doc, [10]);
      await one.bar(doc, []);
      const owners = await two.owners(doc);
      expect(owners.get(10)).toEqual({ userId: users[0], barred: true });
      expect(owners.get(11)).toEqual({ userId: users[0], barred: false });
      expect((await two.owners(`other-${prefix}`)).get(10)?.barred).toBe(false);
      expect((await two.claim(doc, [10], users[1])).get(10)).toEqual({
        userId: users[0],
        barred: true,
      });
    });
  });
}
