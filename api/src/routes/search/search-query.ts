import { invalidRequest } from '../../errors';
import { parseQuery } from '../../search/parse-query';
import type { SearchQuery } from '../../search/query';
import type { SearchParams } from './schemas';

/**
 * The filter parameters as query-language operators, in a fixed order. Each value was checked by
 * the schema to parse alone as exactly one clean operator, so this text carries nothing else.
 */
export function filterText(params: SearchParams): string {
  const parts = [
    ...(params.in ?? []).map((place) => `in:${place}`),
    ...(params.from ?? []).map((author) => `from:${author}`),
    ...(params.has ?? []).map((has) => `has:${has}`),
  ];
  if (params.is) parts.push(`is:${params.is}`);
  for (const operator of ['on', 'during', 'before', 'after'] as const) {
    const value = params[operator];
    if (value !== undefined) parts.push(`${operator}:${value}`);
  }
  return parts.join(' ');
}

/**
 * One typed query from `q` and the filter parameters: the parameters are written as operators in
 * front of `q` and parsed together, so they are never cut by `q`'s length or term budget, a
 * clash between `q` and a parameter is reported like any other (the parameter wins: it came
 * first), and `describeQuery` prints the whole of it. The parameters alone must parse without a
 * single problem (a duplicate, two dates that leave no time, too many of them): a 400 otherwise.
 */
export function searchQueryFromParams(params: SearchParams, now: Date): SearchQuery {
  const filters = filterText(params);
  const options = { timeZone: params.tz, now, ...(params.sort ? { sort: params.sort } : {}) };
  const problems = parseQuery(filters, options).ignored.filter(
    (ignored) => ignored.reason !== 'unknown_time_zone',
  );
  if (problems.length > 0) {
    const listed = problems.map(({ text, reason }) => `${text} (${reason.replaceAll('_', ' ')})`);
    throw invalidRequest(`The filter parameters do not go together: ${listed.join(', ')}`);
  }
  return parseQuery(filters === '' ? params.q : `${filters} ${params.q}`, options);
}
