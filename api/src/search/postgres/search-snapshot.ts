import type { Db } from '@confab/db';
import { sql } from 'drizzle-orm';
import { type Searcher, SearchTimeoutError } from '../engine';
import type { TextTerm } from '../query';
import { readableChannelIds } from './readable-channels';
import type { NameFilters } from './search-sql';
import { parseJson, queryRows } from './sql-rows';
import { type CompiledTerms, compiledTerms, type PrintedTerm, printedTermsSql } from './text-terms';

/** A search statement running longer than this is cancelled (SearchTimeoutError). */
export const SEARCH_STATEMENT_TIMEOUT_MS = 5000;

/** What the opening statement of a search read, in the search's snapshot. */
export interface SearchOpening {
  /** The channels the searcher may read now: bound as a constant array into the search. */
  readable: string[];
  terms: CompiledTerms;
}

/**
 * Whether a search can match nothing before it runs: the searcher reads no channel, or an `in:`
 * or `from:` named nobody they may see.
 */
export function matchesNothing(names: NameFilters, opening: SearchOpening): boolean {
  return [names.channelIds, names.authorIds, opening.readable].some((ids) => ids?.length === 0);
}

/** Postgres' SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * Runs one search in a READ ONLY REPEATABLE READ transaction: every statement sees one snapshot,
 * so the permission set read first and the search that binds it as constants agree. The opening
 * statement sets the transaction's JIT off (compiling a search plan cost ~0.4 s, more than any
 * search) and its statement timeout, and reads the readable channel ids and the printed terms,
 * all in one round trip. A statement over the timeout throws SearchTimeoutError.
 */
export async function inSearchSnapshot<Result>(
  db: Db,
  searcher: Searcher,
  terms: readonly TextTerm[],
  work: (tx: Db, opening: SearchOpening) => Promise<Result>,
  timeoutMs = SEARCH_STATEMENT_TIMEOUT_MS,
): Promise<Result> {
  try {
    return await db.transaction(
      async (tx) => {
        const printed = printedTermsSql(terms) ?? sql`NULL::json`;
        const [row] = await queryRows<{
          readable: string[] | string | null;
          printed: PrintedTerm[] | string | null;
        }>(
          tx,
          sql`SELECT set_config('jit', 'off', true) AS jit,
            set_config('statement_timeout', ${String(Math.max(1, Math.round(timeoutMs)))}, true) AS timeout,
            to_json(ARRAY(${readableChannelIds(searcher)})) AS readable, ${printed} AS printed`,
        );
        const opening: SearchOpening = {
          readable: parseJson<string[]>(row?.readable) ?? [],
          terms: compiledTerms(terms, parseJson<PrintedTerm[]>(row?.printed) ?? []),
        };
        return work(tx, opening);
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  } catch (error) {
    if (isQueryCanceled(error)) throw new SearchTimeoutError();
    throw error;
  }
}

function isQueryCanceled(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as Error & { code?: unknown }).code === QUERY_CANCELED) return true;
  }
  return false;
}
