import { z } from 'zod';
import { timestampSchema } from '../../http/response-schemas';

export const syncTicketSchema = z.strictObject({ ticket: z.string(), expiresAt: timestampSchema });
