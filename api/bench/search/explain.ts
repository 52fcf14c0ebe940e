import { type Db, schema } from '@confab/db';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Searcher } from '../../src/search/engine';
import { parseQuery } from '../../src/search/parse-query';
import { createPostgresSearchEngine } from '../../src/search/postgres-engine';
import type { SearchCase } from './cases';

/** The part of node-postgres' Pool this needs. */
interface Pool {
  query(text: string, values: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every statement the engine runs for each case and sort, for
 * whoever tunes the engine or its indexes (SEARCH_BENCH_EXPLAIN=1; Postgres only). The engine runs
 * on a second drizzle over the same pool whose logger keeps the statements it sends.
 */
export async function explainCases(
  db: Db,
  searcher: Searcher,
  cases: SearchCase[],
  end: Date,
): Promise<string> {
  const pool = (db as unknown as { $client: Pool }).$client;
  const sent: Array<{ text: string; params: unknown[] }> = [];
  const logging = drizzle(pool as never, {
    schema,
    logger: { logQuery: (text, params) => sent.push({ text, params }) },
  }) as unknown as Db;
  const engine = createPostgresSearchEngine(logging);
  const report: string[] = [];
  for (const searchCase of cases) {
    for (const sort of ['relevance', 'date'] as const) {
      sent.length = 0;
      const query = parseQuery(searchCase.query, { timeZone: 'UTC', now: end, sort });
      await engine.messages(searcher, query, { limit: 20 });
      // Queries only: not the transaction's BEGIN, SET LOCAL or COMMIT around them.
      for (const statement of sent.filter(({ text }) => /^\s*(SELECT|WITH)\b/i.test(text))) {
        const { rows } = await pool.query(
          `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
          statement.params,
        );
        const plan = rows.map((row) => String(row['QUERY PLAN'])).join('\n');
        report.push(
          `=== ${searchCase.name}, ${sort}: ${searchCase.query}\n${statement.text}\n${plan}`,
        );
      }
    }
  }
  return report.join('\n\n');
}
