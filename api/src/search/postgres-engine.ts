import type { Db } from '@confab/db';
import type { SearchEngine } from './engine';
import { searchChannels } from './postgres/channels';
import { searchFiles } from './postgres/files';
import { searchMessages } from './postgres/messages';
import { searchPeople } from './postgres/people';
import { inSearchSnapshot } from './postgres/search-snapshot';
import { suggest } from './postgres/suggest';
import { resolveNames } from './resolve-names';

/**
 * The default search engine: everything in the application's own Postgres (or PGlite), read
 * through the search vectors and trigram indexes of migration 0009, permissions in every query.
 */
export function createPostgresSearchEngine(db: Db): SearchEngine {
  return {
    name: 'postgres',
    messages: (searcher, query, page) =>
      inSearchSnapshot(db, searcher, query.terms, async (tx, opening) => {
        const names = await resolveNames(tx, searcher, query);
        const answer = await searchMessages(tx, query, page, names, opening);
        return { ...answer, resolutions: names.resolutions };
      }),
    files: (searcher, query, page) =>
      inSearchSnapshot(db, searcher, query.terms, async (tx, opening) => {
        const names = await resolveNames(tx, searcher, query);
        const answer = await searchFiles(tx, query, page, names, opening);
        return { ...answer, resolutions: names.resolutions };
      }),
    channels: (searcher, query, page) => searchChannels(db, searcher, query, page),
    people: (searcher, query, page) => searchPeople(db, searcher, query, page),
    suggest: (searcher, request) => suggest(db, searcher, request),
  };
}
