import { ULID_SOURCE, UUID_SOURCE } from '../model/wire';

/**
 * Names of sync docs, the unit the sync server authorizes:
 *   channel:<channelId>:segment:<n>     a segment of a channel's history
 *   channel:<channelId>:thread:<rootId> a thread's replies
 *   user:<userId>                       a user's private doc (read markers, drafts, saved items)
 */
export type DocRef =
  | { kind: 'segment'; channelId: string; index: number }
  | { kind: 'thread'; channelId: string; rootId: string }
  | { kind: 'user'; userId: string };

const SEGMENT = new RegExp(`^channel:(${UUID_SOURCE}):segment:(0|[1-9][0-9]{0,8})$`);
const THREAD = new RegExp(`^channel:(${UUID_SOURCE}):thread:(${ULID_SOURCE})$`);
const USER = new RegExp(`^user:(${UUID_SOURCE})$`);

export function parseDocRef(name: string): DocRef | null {
  let match = SEGMENT.exec(name);
  if (match?.[1] && match[2])
    return { kind: 'segment', channelId: match[1], index: Number(match[2]) };
  match = THREAD.exec(name);
  if (match?.[1] && match[2]) return { kind: 'thread', channelId: match[1], rootId: match[2] };
  match = USER.exec(name);
  if (match?.[1]) return { kind: 'user', userId: match[1] };
  return null;
}

export function docName(ref: DocRef): string {
  switch (ref.kind) {
    case 'segment':
      return `channel:${ref.channelId}:segment:${ref.index}`;
    case 'thread':
      return `channel:${ref.channelId}:thread:${ref.rootId}`;
    case 'user':
      return `user:${ref.userId}`;
  }
}
