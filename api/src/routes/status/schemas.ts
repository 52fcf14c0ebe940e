import { z } from 'zod';
import { idSchema, timestampSchema } from '../../http/response-schemas';
import { lineTextSchema } from '../../http/text-schemas';
import { isKnownTimeZone } from '../../search/zoned-dates';
import { EXPIRY_PRESETS, LOCAL_TIME_PATTERN } from '../../status/expiry';

/**
 * Bidirectional overrides and isolates would let a status shown next to someone's name reorder
 * the text around it (a name made to read as another's): refused, as control characters are.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
const statusTextSchema = (max: number) =>
  lineTextSchema({ max }).refine((text) => !BIDI_CONTROLS.test(text), {
    message: 'must not contain bidirectional override characters',
  });

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, { message: 'is not a known IANA time zone' });

export const setStatusSchema = z
  .strictObject({
    emoji: statusTextSchema(64).nullable(),
    text: statusTextSchema(100).nullable(),
    /** A preset, an ISO date-time with an offset, or null for "don't clear". */
    expiry: z.union([z.enum(EXPIRY_PRESETS), z.string().max(40)]).nullable(),
    /** The zone `today` and `this_week` are counted in: the user's own. */
    timeZone: timeZoneSchema,
  })
  .refine((body) => Boolean(body.emoji || body.text), {
    message: 'a status needs an emoji or a text (DELETE clears it)',
  });

const localTimeSchema = z.string().regex(LOCAL_TIME_PATTERN, 'expected HH:MM (24-hour)');

export const setDndSchema = z.union([
  z.strictObject({ until: z.iso.datetime({ offset: true }) }),
  z.strictObject({
    schedule: z.strictObject({
      start: localTimeSchema,
      end: localTimeSchema,
      timeZone: timeZoneSchema,
    }),
  }),
]);

export const statusIdsQuerySchema = z.strictObject({
  ids: z
    .string()
    .max(100 * 37)
    .transform((ids) => ids.split(','))
    .pipe(z.array(z.uuid()).min(1).max(100)),
});

// Responses.

export const userStatusSchema = z.strictObject({
  status: z
    .strictObject({
      emoji: z.string().nullable(),
      text: z.string().nullable(),
      expiresAt: timestampSchema.nullable(),
    })
    .nullable(),
  dnd: z.strictObject({
    until: timestampSchema.nullable(),
    schedule: z
      .strictObject({ start: z.string(), end: z.string(), timeZone: z.string() })
      .nullable(),
    /** Do-not-disturb holds at the time of the answer (manual end time or schedule). */
    now: z.boolean(),
  }),
  version: z.number().int(),
});

export const statusesResponseSchema = z.strictObject({
  statuses: z.array(userStatusSchema.extend({ userId: idSchema })),
});
