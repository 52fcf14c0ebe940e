import type { Db } from '@confab/db';
import { type SQL, sql } from 'drizzle-orm';
import type { UnusedFilter } from '../engine';
import { describeTerm, type TextTerm } from '../query';
import { jsonArray, parseJson, queryRows } from './sql-rows';

/** The text search configuration of migration 0009 (unaccent, then English stemming). */
export const SEARCH_CONFIG = sql`'confab_search'::regconfig`;

/** Han, Hiragana, Katakana, Hangul: text without spaces between words, matched as substrings. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** A term matched through the search vector: a tsquery as Postgres printed it. */
interface LexicalTerm {
  tsquery: string;
  negated: boolean;
}

/** A term matched by substring (ILIKE on a trigram index): CJK text. */
export interface SubstringTerm {
  /** The ILIKE pattern, `%` + text with `% _ \` escaped + `%`. */
  pattern: string;
  /** The text itself, lower-case, for highlighting. */
  text: string;
  negated: boolean;
}

export interface CompiledTerms {
  lexical: LexicalTerm[];
  substrings: SubstringTerm[];
  /** The plain words of a words-only query, for the trigram retry; null when not eligible. */
  fuzzyWords: string[] | null;
  /** Terms that reduce to nothing (stop words such as "the"). */
  unused: UnusedFilter[];
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** A term's text as the search vector reads it, and whether it is a CJK substring. */
const termText = (term: TextTerm) => (term.kind === 'word' ? term.text : term.words.join(' '));
const lexicalOf = (terms: readonly TextTerm[]) => terms.filter((term) => !CJK.test(termText(term)));

/** How Postgres printed one lexical term, in both configurations. */
export interface PrintedTerm {
  english: string;
  simple: string;
}

/**
 * A scalar subquery printing the lexical terms (JSON array of PrintedTerm, in order), or null
 * when there are none: part of the search's opening statement, so terms cost no round trip.
 * Word and phrase texts go to Postgres as bound parameters of `phraseto_tsquery`, so user text
 * never becomes tsquery syntax.
 */
export function printedTermsSql(terms: readonly TextTerm[]): SQL | null {
  const lexical = lexicalOf(terms);
  if (lexical.length === 0) return null;
  return sql`(SELECT json_agg(json_build_object(
      'english', phraseto_tsquery(${SEARCH_CONFIG}, t)::text,
      'simple', phraseto_tsquery('simple'::regconfig, unaccent(t))::text) ORDER BY n)
    FROM jsonb_array_elements_text(${jsonArray(lexical.map(termText))}::jsonb)
      WITH ORDINALITY AS u(t, n))`;
}

/**
 * Turns the parsed terms into what the SQL needs, given `printed` (printedTermsSql's answer).
 * The engine composes the printed tsqueries with `&&` and `!!`. A prefix appends `:*` to the
 * last lexeme of that printed, quoted form. A word that is a stop word for English is retried as
 * a prefix with the 'simple' configuration, else dropped and reported.
 */
export function compiledTerms(
  terms: readonly TextTerm[],
  printed: readonly PrintedTerm[],
): CompiledTerms {
  const compiled: CompiledTerms = { lexical: [], substrings: [], fuzzyWords: null, unused: [] };
  for (const term of terms) {
    const text = termText(term);
    if (CJK.test(text)) {
      compiled.substrings.push({ pattern: `%${escapeLike(text)}%`, text, negated: term.negated });
    }
  }
  lexicalOf(terms).forEach((term, index) => {
    const row = printed[index];
    const prefix = term.kind === 'word' && term.prefix;
    const text = row?.english || (prefix ? row?.simple : '') || '';
    if (!text) {
      compiled.unused.push({ text: describeTerm(term), reason: 'no_searchable_text' });
      return;
    }
    compiled.lexical.push({ tsquery: prefix ? `${text}:*` : text, negated: term.negated });
  });
  const wordsOnly = terms.every((term) => term.kind === 'word' && !term.negated && !term.prefix);
  if (wordsOnly && compiled.substrings.length === 0 && compiled.lexical.length > 0) {
    compiled.fuzzyWords = terms.flatMap((term) => (term.kind === 'word' ? [term.text] : []));
  }
  return compiled;
}

/** compiledTerms in a statement of its own (the channel tab). */
export async function compileTerms(db: Db, terms: readonly TextTerm[]): Promise<CompiledTerms> {
  const printed = printedTermsSql(terms);
  if (!printed) return compiledTerms(terms, []);
  const [row] = await queryRows<{ printed: PrintedTerm[] | string | null }>(
    db,
    sql`SELECT ${printed} AS printed`,
  );
  return compiledTerms(terms, parseJson<PrintedTerm[]>(row?.printed) ?? []);
}

/** All lexical terms as one tsquery (negated ones with `!!`), or null when there are none. */
export function matchQuery(terms: CompiledTerms): SQL | null {
  if (terms.lexical.length === 0) return null;
  return sql.join(
    terms.lexical.map((term) =>
      term.negated ? sql`(!!${term.tsquery}::tsquery)` : sql`${term.tsquery}::tsquery`,
    ),
    sql` && `,
  );
}

/** The positive lexical terms as one tsquery, for ranking and highlighting; null when none. */
export function positiveQuery(terms: CompiledTerms): SQL | null {
  const positive = terms.lexical.filter((term) => !term.negated);
  if (positive.length === 0) return null;
  return sql`(${sql.join(
    positive.map((term) => sql`${term.tsquery}::tsquery`),
    sql` && `,
  )})`;
}

/**
 * The WHERE conditions of the text terms: the vector matches the tsquery, and each CJK term is
 * (or, negated, is not) a substring of one of `texts`.
 */
export function termConditions(terms: CompiledTerms, vector: SQL, texts: SQL[]): SQL[] {
  const conditions: SQL[] = [];
  const query = matchQuery(terms);
  if (query) conditions.push(sql`${vector} @@ (${query})`);
  for (const term of terms.substrings) {
    const anyText = sql.join(
      texts.map((text) => sql`${text} ILIKE ${term.pattern}`),
      sql` OR `,
    );
    conditions.push(term.negated ? sql`NOT (${anyText})` : sql`(${anyText})`);
  }
  return conditions;
}
