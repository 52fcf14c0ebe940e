import type { ClientIdOwner, ClientIdRegistry } from '../engine/ports';

/** Doc name -> client id -> owner; shared by registries that stand for several nodes. */
export type MemoryClientIdStore = Map<string, Map<number, ClientIdOwner>>;

/**
 * The engine's client-id registry held in memory; passes the same contract suite as the
 * Postgres one (`client-ids-contract.ts`). Owners are handed out as copies, as a database
 * would: a caller marking its copy barred changes nothing here.
 */
export function createMemoryClientIdRegistry(
  store: MemoryClientIdStore = new Map(),
): ClientIdRegistry {
  const ofDoc = (docName: string) => {
    let owners = store.get(docName);
    if (!owners) {
      owners = new Map();
      store.set(docName, owners);
    }
    return owners;
  };
  const copy = (owners: Iterable<[number, ClientIdOwner]>) =>
    new Map([...owners].map(([client, owner]) => [client, { ...owner }]));
  return {
    async owners(docName) {
      return copy(ofDoc(docName));
    },
    async claim(docName, clientIds, userId) {
      const owners = ofDoc(docName);
      for (const client of clientIds)
        if (!owners.has(client)) owners.set(client, { userId, barred: false });
      return copy(
        clientIds.flatMap((client) => {
          const owner = owners.get(client);
          return owner ? [[client, owner] as [number, ClientIdOwner]] : [];
        }),
      );
    },
    async bar(docName, clientIds) {
      const owners = ofDoc(docName);
      for (const client of clientIds) {
        const owner = owners.get(client);
        if (owner) owner.barred = true;
      }
    },
  };
}
