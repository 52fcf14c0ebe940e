import { type Db, type DocRef, type Logger, schema } from '@confab/db';
import { eq } from 'drizzle-orm';

export interface Receipt {
  messageId: string;
  userId: string;
}

/** Records that messages were sent to recipients' devices; absent for docs that keep none. */
export type ReceiptRecorder = (receipts: Receipt[]) => void;

/**
 * Delivery receipts are kept for DMs and group DMs only, where message status shows them;
 * channels would write a row per member and message for nobody to look at.
 */
export function createReceipts(db: Db, logger: Logger) {
  return {
    async forDoc(ref: DocRef): Promise<ReceiptRecorder | null> {
      if (ref.kind === 'user') return null;
      const [channel] = await db
        .select({ kind: schema.channels.kind })
        .from(schema.channels)
        .where(eq(schema.channels.id, ref.channelId));
      if (channel?.kind !== 'dm' && channel?.kind !== 'group_dm') return null;
      return (receipts) => {
        if (!receipts.length) return;
        db.insert(schema.messageReceipts)
          .values(receipts)
          .onConflictDoNothing()
          .catch((error: unknown) => logger.warn({ err: error }, 'receipts not recorded'));
      };
    },
  };
}
export type Receipts = ReturnType<typeof createReceipts>;
