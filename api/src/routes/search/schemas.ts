import { schema } from '@confab/db';
import { z } from 'zod';
import { idSchema, messageIdSchema, timestampSchema } from '../../http/response-schemas';
import { parseQuery } from '../../search/parse-query';
import type { IgnoredReason } from '../../search/query';

/**
 * `GET /api/workspaces/{workspaceId}/search` and `.../search/suggest`. `q` is the user's string
 * and never fails (parseQuery degrades it); every other parameter is strict: a value that is not
 * exactly what the query language would take is a 400 naming it, so a typo in a client can never
 * silently widen a search.
 */

export const SEARCH_TABS = ['messages', 'files', 'channels', 'people'] as const;
/** Items in one list parameter at most: with the others they stay within the 32 terms of a query. */
const MAX_LIST_ITEMS = 10;

/** A whole number in a range; one message for every way of missing it. */
const count = (max: number, fallback: number) => {
  const message = `must be a whole number from 1 to ${max}`;
  return z.coerce.number(message).int(message).min(1, message).max(max, message).default(fallback);
};

/** `a,b,c` into its items; an empty item (`a,,b`, a trailing comma) is an error, not skipped. */
const commaList = (name: string, item: (value: string) => string | undefined) =>
  z
    .string()
    .max(2000, `${name} is too long`)
    .transform((value, context) => {
      const items = value.split(',');
      if (items.length > MAX_LIST_ITEMS) {
        context.addIssue({ code: 'custom', message: `at most ${MAX_LIST_ITEMS} values` });
        return z.NEVER;
      }
      for (const raw of items) {
        const problem = item(raw);
        if (problem) {
          context.addIssue({ code: 'custom', message: `${JSON.stringify(raw)} ${problem}` });
          return z.NEVER;
        }
      }
      return items;
    });

/**
 * Whether `operator:value` alone is one clean operator of the query language: nothing ignored
 * and no words besides (a value with a space or a quote would smuggle in more of the query).
 */
function isCleanOperator(text: string): boolean {
  const parsed = parseQuery(text, { timeZone: 'UTC' });
  const operators = parsed.in.length + parsed.from.length + parsed.has.length + parsed.dates.length;
  return parsed.ignored.length === 0 && parsed.terms.length === 0 && operators === 1;
}

const placeItem = (value: string) =>
  /^[#@]/.test(value) && isCleanOperator(`in:${value}`)
    ? undefined
    : 'is not a #channel or @person name';
const authorItem = (value: string) =>
  (value === 'me' || value.startsWith('@')) && isCleanOperator(`from:${value}`)
    ? undefined
    : 'is not @person or me';
const HAS_VALUES = ['file', 'link', 'reaction'] as const;
const hasItem = (value: string) =>
  (HAS_VALUES as readonly string[]).includes(value) ? undefined : 'is not file, link or reaction';

const dateValue = (operator: string) =>
  z
    .string()
    .refine(
      (value) => isCleanOperator(`${operator}:${value}`),
      'is not a date: YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, week, month or year',
    );

export const searchQuerySchema = z.strictObject({
  q: z.string().default(''),
  tab: z.enum(SEARCH_TABS).default('messages'),
  /** The order when `q` has no `sort:` of its own. */
  sort: z.enum(['relevance', 'date']).optional(),
  /** IANA time zone the dates are local to; an unknown one falls back to UTC (and is reported). */
  tz: z.string().max(100, 'is not a time zone (too long)').default('UTC'),
  limit: count(50, 20),
  /** `nextCursor` of the previous page of the same search. */
  cursor: z.string().optional(),
  in: commaList('in', placeItem).optional(),
  from: commaList('from', authorItem).optional(),
  has: commaList('has', hasItem).optional(),
  is: z.literal('thread', 'must be thread').optional(),
  on: dateValue('on').optional(),
  during: dateValue('during').optional(),
  before: dateValue('before').optional(),
  after: dateValue('after').optional(),
});
export type SearchParams = z.output<typeof searchQuerySchema>;

export const suggestQuerySchema = z.strictObject({
  kind: z.enum(['channel', 'person']),
  /** What was typed after `in:#` or `from:@` (a leading `#` or `@` is dropped). */
  prefix: z.string().max(100, 'at most 100 characters').default(''),
  limit: count(20, 10),
});

// Responses.

/** Every `IgnoredReason`, at run time (schemas.test.ts checks that none is missing). */
const IGNORED_REASONS = [
  'too_long',
  'too_many_terms',
  'control_characters',
  'unbalanced_quote',
  'empty_phrase',
  'lone_minus',
  'stray_star',
  'no_searchable_text',
  'unknown_operator',
  'negated_operator',
  'empty_value',
  'invalid_value',
  'invalid_date',
  'duplicate',
  'conflict',
  'unknown_time_zone',
] as const satisfies readonly IgnoredReason[];

const ignoredSchema = z.strictObject({
  text: z.string(),
  reason: z.enum(IGNORED_REASONS),
});

/** Text with its matches as UTF-16 `[start, end)` offsets; never markup. */
const highlightedSchema = z.strictObject({
  text: z.string(),
  ranges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});

const resolutionSchema = z.strictObject({
  text: z.string(),
  matches: z.array(
    z.strictObject({
      kind: z.enum(['channel', 'dm', 'person']),
      id: idSchema,
      label: z.string(),
    }),
  ),
});

const unusedSchema = z.strictObject({
  text: z.string(),
  reason: z.enum([...IGNORED_REASONS, 'not_for_this_tab']),
});

export const messageHitSchema = z.strictObject({
  id: messageIdSchema,
  channelId: idSchema,
  docName: z.string(),
  parentId: messageIdSchema.nullable(),
  authorId: idSchema.nullable(),
  authorName: z.string().nullable(),
  createdAt: timestampSchema,
  editedAt: timestampSchema.nullable(),
  snippet: highlightedSchema,
  fileIds: z.array(idSchema),
  replyCount: z.number().int().nonnegative(),
});

export const fileHitSchema = z.strictObject({
  id: idSchema,
  channelId: idSchema,
  messageId: messageIdSchema.nullable(),
  messageDocName: z.string().nullable(),
  messageParentId: messageIdSchema.nullable(),
  uploaderId: idSchema.nullable(),
  uploaderName: z.string().nullable(),
  name: highlightedSchema,
  kind: z.enum(schema.FILE_KINDS),
  contentType: z.string(),
  byteSize: z.number().int().nonnegative(),
  createdAt: timestampSchema,
  snippet: highlightedSchema.nullable(),
});

export const channelHitSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(['public', 'private']),
  name: highlightedSchema,
  topic: highlightedSchema,
  purpose: z.string(),
  memberCount: z.number().int().nonnegative(),
  isMember: z.boolean(),
  archived: z.boolean(),
});

export const personHitSchema = z.strictObject({
  id: idSchema,
  name: highlightedSchema,
  handle: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'guest']),
  /** Only for workspace owners and admins. */
  email: z.string().optional(),
});

/** The answer of one tab: its hits and what the query turned out to be. */
const answerOf = <Tab extends (typeof SEARCH_TABS)[number], Hit extends z.ZodType>(
  tab: Tab,
  hit: Hit,
) =>
  z.strictObject({
    tab: z.literal(tab),
    query: z.strictObject({
      /** The whole query (`q` and the filter parameters) in the query language's own form. */
      canonical: z.string(),
      /** What was left out of `q`, for the user to see. */
      ignored: z.array(ignoredSchema),
    }),
    hits: z.array(hit),
    /**
     * Matches the user may read, counted up to 1,000 (100 for a very common word or prefix);
     * `totalCapped` when there are more.
     */
    total: z.number().int().nonnegative(),
    totalCapped: z.boolean(),
    nextCursor: z.string().nullable(),
    resolutions: z.array(resolutionSchema),
    unused: z.array(unusedSchema),
    /** No exact match: the hits are similar words. */
    fuzzy: z.boolean(),
  });

export const searchResponseSchema = z.discriminatedUnion('tab', [
  answerOf('messages', messageHitSchema),
  answerOf('files', fileHitSchema),
  answerOf('channels', channelHitSchema),
  answerOf('people', personHitSchema),
]);

export const suggestResponseSchema = z.strictObject({
  suggestions: z.array(
    z.strictObject({
      kind: z.enum(['channel', 'person']),
      id: idSchema,
      /** The operator value to insert: `#general`, `@ada.lovelace`. */
      value: z.string(),
      label: z.string(),
    }),
  ),
});
