import { MAX_SYNC_TICKET_USES } from '@confab/sync-server';
import { z } from 'zod';
import { timestampSchema } from '../../http/response-schemas';

/** Optional: without a body a ticket opens one socket (the stock provider's way). */
export const syncTicketRequestSchema = z.strictObject({
  // Absent: the single-use ticket clients asked for before bursts existed (`{}` included).
  uses: z.number().int().min(1).max(MAX_SYNC_TICKET_USES).default(1),
});

export const syncTicketSchema = z.strictObject({
  ticket: z.string(),
  expiresAt: timestampSchema,
  uses: z.number().int(),
});
