import type { schema } from '@confab/db';
import {
  hasMessage,
  reactionsOn,
  readMessageRecord,
  readMessages,
  stateClock,
} from '@confab/db/model';
import type * as Y from 'yjs';
import type { DocChanges } from '../engine/changes';
import { mentionsChannel, mentionsIn } from './mentions';

/**
 * Doc -> rows: what a channel or thread doc's changes become in Postgres, as plain objects,
 * computed from the doc's state alone (no database; the Yjs doc read only through
 * `@confab/db/model` readers). The same function serves the live projector and a log replay.
 */

export type MessageRow = typeof schema.messages.$inferInsert & {
  id: string;
  channelId: string;
  text: string;
};
export type VersionRow = typeof schema.messageVersions.$inferInsert;
export interface ReactionRow {
  messageId: string;
  userId: string;
  emoji: string;
  reactedAt: Date;
}

/** A text an update wrote, to become a version row (only on the node that committed it). */
export type TextVersion = DocChanges['texts'][number] & { seq: number; receivedAt: Date };

/** A thread's summary row, from its doc's replies. */
export interface ThreadSummary {
  channelId: string;
  rootId: string;
  replyCount: number;
  lastReplyId: string | null;
  lastReplyAt: Date | null;
  participantIds: string[];
  stateClock: number;
}

/** One doc's rows, ready to be written with the other docs of a drain. */
export interface DocRows {
  rows: MessageRow[];
  versions: VersionRow[];
  /** The reactions each projected message holds now (older ones of it are removed). */
  reactions: Map<string, ReactionRow[]>;
  /** Users each live message mentions, its author left out. */
  mentions: Map<string, string[]>;
  thread: ThreadSummary | null;
}

export interface DocRowsInput {
  doc: Y.Doc;
  docName: string;
  channelId: string;
  /** The thread's root for a thread doc, null for a segment. */
  threadRootId: string | null;
  changes: DocChanges;
  versions: readonly TextVersion[];
  /** Log sequence and receive time of the newest update in these changes. */
  seq: number;
  receivedAt: Date;
  /** Owner of a Yjs client id [S3]; null when unknown. */
  ownerOf: (client: number) => string | null;
  /** The channel's members, for `<!channel>`; read only when `needsChannelMembers`. */
  channelMembers: readonly string[];
}

/** The client ids whose owners the rows name: authors, deleters and editors. */
export function clientsOf(doc: Y.Doc, changes: DocChanges, versions: readonly TextVersion[]) {
  const clients: number[] = [];
  for (const id of changes.messageIds) {
    const record = readMessageRecord(doc, id);
    if (!record) continue;
    clients.push(record.creatorClient);
    if (record.deleterClient !== null) clients.push(record.deleterClient);
  }
  for (const version of versions) clients.push(version.client);
  return clients;
}

/** Whether some changed text mentions the whole channel, so its members are needed. */
export const needsChannelMembers = (doc: Y.Doc, changes: DocChanges): boolean =>
  [...changes.messageIds].some((id) => mentionsChannel(readMessageRecord(doc, id)?.text ?? ''));

export function docRows(input: DocRowsInput): DocRows {
  const { doc, changes, ownerOf, receivedAt } = input;
  const clock = stateClock(doc);
  const rows = [...changes.messageIds].flatMap((id): MessageRow[] => {
    const record = readMessageRecord(doc, id);
    if (!record) return [];
    const { deleted, editedAt } = record;
    return [
      {
        id,
        channelId: input.channelId,
        docName: input.docName,
        authorId: ownerOf(record.creatorClient),
        parentId: input.threadRootId,
        text: record.text,
        // Undefined for a message that never held files: its rows leave the files table alone.
        fileIds: record.files,
        createdAt: new Date(record.createdAt),
        receivedAt,
        editedAt: editedAt !== null && !deleted ? new Date(editedAt) : null,
        deletedAt: deleted && editedAt !== null ? new Date(editedAt) : null,
        deletedBy: deleted && record.deleterClient !== null ? ownerOf(record.deleterClient) : null,
        docSeq: input.seq,
        stateClock: clock,
      },
    ];
  });
  const versions = input.versions
    .filter(({ messageId }) => hasMessage(doc, messageId))
    .map((version) => ({
      messageId: version.messageId,
      itemId: version.itemId,
      text: version.text,
      editorId: ownerOf(version.client),
      editedAt: version.receivedAt,
      docSeq: version.seq,
    }));
  const reactions = new Map<string, ReactionRow[]>();
  for (const [messageId, set] of reactionsOn(doc, changes.messageIds))
    reactions.set(
      messageId,
      set.map(({ userId, emoji }) => ({ messageId, userId, emoji, reactedAt: receivedAt })),
    );
  const mentions = new Map<string, string[]>();
  for (const row of rows) {
    if (row.deletedAt) continue;
    const users = mentionsIn(row.text, input.channelMembers);
    users.delete(row.authorId ?? '');
    if (users.size) mentions.set(row.id, [...users]);
  }
  const thread = input.threadRootId
    ? threadSummary(doc, input.channelId, input.threadRootId, clock)
    : null;
  return { rows, versions, reactions, mentions, thread };
}

/** Reply count, last reply and participants of a thread doc (tombstones do not count). */
export function threadSummary(
  doc: Y.Doc,
  channelId: string,
  rootId: string,
  clock = stateClock(doc),
): ThreadSummary {
  const replies = readMessages(doc).filter((reply) => !reply.deleted);
  const last = replies.at(-1);
  return {
    channelId,
    rootId,
    replyCount: replies.length,
    lastReplyId: last?.id ?? null,
    lastReplyAt: last ? new Date(last.createdAt) : null,
    participantIds: [...new Set(replies.map((reply) => reply.author))],
    stateClock: clock,
  };
}
