import {
  type DecodedUpdate,
  messageCount,
  SEGMENT_BOUND,
  type ValidationContext,
  type Verdict,
  validateUpdate,
} from '@confab/db/model';
import type * as Y from 'yjs';
import type { AttachableFiles, ClientIdOwner, ClientIdRegistry, SyncConnection } from './ports';

/** What the validator needs to know about a room's doc, besides its contents. */
export interface RoomGuard {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly docKind: ValidationContext['docKind'];
  readonly threadRootId: string | undefined;
  /** The channel of a segment or thread doc: messages attach files uploaded for it. */
  readonly channelId: string | null;
  readonly clientIds: ClientIdRegistry;
  /** Owners of the doc's client ids as this node knows them (claims update it). */
  readonly owners: Map<number, ClientIdOwner>;
  /** Message ids created by updates being committed: a second creation of one is refused. */
  readonly reserved: ReadonlySet<string>;
  readonly attachableFiles: AttachableFiles;
}

/**
 * Claims the update's new client ids for the sender, then runs the shared validator [S2] on
 * the server's copy. An owner this node does not know yet (claimed on another node) is read
 * from the registry and the update checked once more; so are files it newly attaches, whose
 * answers hold for this update only (a file deleted after it must not stay attachable).
 * Updates attaching no new file never wait for a lookup.
 */
export async function validateInRoom(
  guard: RoomGuard,
  connection: SyncConnection,
  update: DecodedUpdate,
  writers: number[],
): Promise<Verdict> {
  const { owners, clientIds, doc, reserved } = guard;
  const unclaimed = writers.filter((client) => !owners.has(client));
  if (unclaimed.length) {
    for (const [client, owner] of await clientIds.claim(guard.name, unclaimed, connection.userId))
      owners.set(client, owner);
  }
  const barred = writers.find((client) => owners.get(client)?.barred);
  if (barred !== undefined)
    return {
      ok: false,
      reason: 'client_id_barred',
      detail: `client id ${barred} is barred here`,
    };
  let missed = false;
  const files = new Map<string, boolean>();
  const unknownFiles = new Set<string>();
  const check = () =>
    validateUpdate(doc, update, {
      docKind: guard.docKind,
      threadRootId: guard.threadRootId,
      userId: connection.userId,
      may: connection.may,
      reserved: (id) => reserved.has(id),
      capacity:
        guard.docKind === 'segment'
          ? SEGMENT_BOUND.hardCap - messageCount(doc) - reserved.size
          : undefined,
      ownerOf: (client) => {
        const owner = owners.get(client);
        if (!owner) missed = true;
        return owner?.userId;
      },
      attachable: (fileId) => {
        const known = files.get(fileId);
        if (known === undefined) unknownFiles.add(fileId);
        return known;
      },
    });
  let verdict = check();
  if (!verdict.ok && missed) {
    for (const [client, owner] of await clientIds.owners(guard.name)) owners.set(client, owner);
    verdict = check();
  }
  if (!verdict.ok && unknownFiles.size && guard.channelId) {
    const fileIds = [...unknownFiles];
    const attachable = await guard.attachableFiles({
      channelId: guard.channelId,
      userId: connection.userId,
      fileIds,
    });
    for (const id of fileIds) files.set(id, attachable.has(id));
    verdict = check();
  }
  return verdict;
}
