import { type Db, rawQuery, SqlParams } from '@confab/db';
import type { SearchEngine, Searcher } from '../../src/search/engine';
import { parseQuery } from '../../src/search/parse-query';
import type { SearchQuery, SortOrder } from '../../src/search/query';
import type { DataSet } from './generate';

/**
 * The query cases, each run through the engine (with the searcher's permissions and highlights)
 * in both sorts, next to the naive query a first implementation would write: `to_tsvector` on the
 * text with a GIN index on that expression, the user's channel list as an array, newest first,
 * `ts_headline` on the 20 rows shown.
 */
export interface SearchCase {
  name: string;
  query: string;
  /** Not one of the issue's target cases: printed for information. */
  extra: boolean;
  /** How the naive query matches the text; absent when it cannot express the case (CJK). */
  naive?: 'plain' | 'phrase' | 'prefix';
}

export interface Stats {
  p50: number;
  p95: number;
  min: number;
  max: number;
  runs: number;
}

export interface CaseResult {
  name: string;
  query: string;
  extra: boolean;
  /** The engine's capped total and first page size (relevance sort). */
  total: number;
  totalCapped: boolean;
  hits: number;
  relevance: Stats;
  date: Stats;
  naive: (Stats & { hits: number; sameFirstPage: number }) | null;
}

export function searchCases(data: DataSet, end: Date): SearchCase[] {
  const { words } = data.vocabulary;
  const word = (rank: number) => words[rank - 1] as string;
  const yearAgo = new Date(end.getTime() - 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  // The least frequent word that still has a few readable hits (a rare word with none would
  // measure the fuzzy retry instead).
  let rare = Math.floor(words.length * 0.8);
  while (rare > 1000 && !((data.readableOccurrences[rare - 1] ?? 0) >= 3)) rare--;
  const accented = words.find((candidate) => candidate === 'café') ? 'cafe' : word(1500);
  return [
    { name: 'common word', query: word(31), extra: false, naive: 'plain' },
    { name: 'mid word (rank 1000)', query: word(1000), extra: false, naive: 'plain' },
    { name: 'two words', query: `${word(32)} ${word(37)}`, extra: false, naive: 'plain' },
    { name: 'phrase', query: '"code review"', extra: false, naive: 'phrase' },
    {
      name: 'operator mix',
      query: `report from:@ada has:file after:${yearAgo}`,
      extra: false,
      naive: 'plain',
    },
    {
      name: `rare word (rank ${rare})`,
      query: word(rare),
      extra: false,
      naive: 'plain',
    },
    { name: 'prefix', query: `${word(32).slice(0, 5)}*`, extra: true, naive: 'prefix' },
    { name: 'accent-free', query: accented, extra: true, naive: 'plain' },
    { name: 'CJK substring', query: 'タワー', extra: true },
  ];
}

/** p50 and p95 by nearest rank. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)] ?? Number.NaN;
  return {
    p50: at(0.5),
    p95: at(0.95),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    runs: sorted.length,
  };
}

/** The naive query for a case, or null. Filters come from the parsed query, like the engine's. */
function naiveStatement(
  kind: NonNullable<SearchCase['naive']>,
  query: SearchQuery,
  channelIds: string[],
  adaId: string,
): { text: string; params: SqlParams } {
  const params = new SqlParams();
  const words = query.terms.flatMap((term) => (term.kind === 'word' ? [term.text] : term.words));
  const tsquery =
    kind === 'phrase'
      ? `phraseto_tsquery('confab_search', ${params.add(words.join(' '))})`
      : kind === 'prefix'
        ? `to_tsquery('confab_search', ${params.add(`${words.join('')}:*`)})`
        : `plainto_tsquery('confab_search', ${params.add(words.join(' '))})`;
  const filters = [`m.channel_id = ANY(${params.add(channelIds)}::uuid[])`, 'm.deleted_at IS NULL'];
  if (query.from.length > 0) filters.push(`m.author_id = ${params.add(adaId)}`);
  if (query.has.includes('file')) filters.push('cardinality(m.file_ids) > 0');
  if (query.sentAt.from) filters.push(`m.received_at >= ${params.add(query.sentAt.from)}`);
  if (query.sentAt.to) filters.push(`m.received_at < ${params.add(query.sentAt.to)}`);
  return {
    text: `SELECT m.id, m.channel_id, m.received_at,
        ts_headline('confab_search', m.text, q, 'MaxWords=30, MinWords=10') AS snippet
      FROM messages m, ${tsquery} q
      WHERE to_tsvector('confab_search'::regconfig, m.text) @@ q AND ${filters.join(' AND ')}
      ORDER BY m.received_at DESC, m.id DESC
      LIMIT 20`,
    params,
  };
}

/** The expression index the naive query needs. */
export const NAIVE_INDEX = 'messages_naive_fts_idx';
export const NAIVE_INDEX_DEFINITION = `CREATE INDEX ${NAIVE_INDEX} ON messages
  USING gin (to_tsvector('confab_search'::regconfig, text))`;

const timed = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const value = await run();
  return [performance.now() - started, value];
};

/**
 * Runs every case `warmup + runs` times; within a run the engine's two sorts and the naive query
 * take turns, so a noisy moment on the shared machine hits all three alike.
 */
export async function runCases(options: {
  db: Db;
  engine: SearchEngine;
  data: DataSet;
  cases: SearchCase[];
  readableChannelIds: string[];
  end: Date;
  runs: number;
  warmup: number;
}): Promise<CaseResult[]> {
  const { db, engine, data, end } = options;
  const searcher: Searcher = { userId: data.searcherId, workspaceId: data.workspaceId };
  const results: CaseResult[] = [];
  for (const searchCase of options.cases) {
    const parse = (sort: SortOrder) =>
      parseQuery(searchCase.query, { timeZone: 'UTC', now: end, sort });
    const ours = (sort: SortOrder) => engine.messages(searcher, parse(sort), { limit: 20 });
    const naive = searchCase.naive
      ? naiveStatement(searchCase.naive, parse('date'), options.readableChannelIds, data.adaId)
      : null;
    const naiveRun = naive ? () => rawQuery<{ id: string }>(db, naive.text, naive.params) : null;
    const samples = { relevance: [] as number[], date: [] as number[], naive: [] as number[] };
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const measured = run >= options.warmup;
      const [relevanceMs] = await timed(() => ours('relevance'));
      const [dateMs] = await timed(() => ours('date'));
      if (measured) {
        samples.relevance.push(relevanceMs);
        samples.date.push(dateMs);
      }
      if (naiveRun) {
        const [naiveMs] = await timed(naiveRun);
        if (measured) samples.naive.push(naiveMs);
      }
    }
    // One more of each, to report what they found.
    const answer = await ours('relevance');
    const byDate = await ours('date');
    let naiveResult: CaseResult['naive'] = null;
    if (naiveRun) {
      const rows = await naiveRun();
      const ourIds = new Set(byDate.hits.map((hit) => hit.id));
      naiveResult = {
        ...stats(samples.naive),
        hits: rows.length,
        sameFirstPage: rows.filter((row) => ourIds.has(row.id)).length,
      };
    }
    results.push({
      name: searchCase.name,
      query: searchCase.query,
      extra: searchCase.extra,
      total: answer.total,
      totalCapped: answer.totalCapped,
      hits: answer.hits.length,
      relevance: stats(samples.relevance),
      date: stats(samples.date),
      naive: naiveResult,
    });
  }
  return results;
}
