import { type Db, type DocRef, type Logger, schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import type { StatusActivity } from '../activity';
import type { Receipt } from '../engine/ports';

/** Records that messages were sent to recipients' devices; absent for docs that keep none. */
export type ReceiptRecorder = (receipts: Receipt[]) => void;

/**
 * Delivery receipts are kept for DMs and group DMs only, where message status shows them;
 * channels would write a row per member and message for nobody to look at. Authors whose
 * messages got a new receipt are told through `onStatus` (the activity stream).
 */
export function createReceipts(
  db: Db,
  logger: Logger,
  onStatus: (events: StatusActivity[]) => void = () => {},
) {
  return {
    async forDoc(ref: DocRef): Promise<ReceiptRecorder | null> {
      if (ref.kind === 'user') return null;
      const { channelId } = ref;
      const [channel] = await db
        .select({ kind: schema.channels.kind })
        .from(schema.channels)
        .where(eq(schema.channels.id, channelId));
      if (channel?.kind !== 'dm' && channel?.kind !== 'group_dm') return null;
      return (receipts) => {
        if (!receipts.length) return;
        db.insert(schema.messageReceipts)
          .values(receipts.map(({ messageId, userId }) => ({ messageId, userId })))
          .onConflictDoNothing()
          .returning({ messageId: schema.messageReceipts.messageId })
          .then((recorded) => {
            const fresh = new Set(recorded.map((row) => row.messageId));
            const authors = new Set(
              receipts.filter((r) => fresh.has(r.messageId)).map((r) => r.authorId),
            );
            if (authors.size)
              onStatus([...authors].map((userId) => ({ kind: 'status', userId, channelId })));
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'receipts not recorded'));
      };
    },
  };
}
export type Receipts = ReturnType<typeof createReceipts>;
