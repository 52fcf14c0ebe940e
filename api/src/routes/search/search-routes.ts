import type { Policy } from '@confab/db';
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Auth } from '../../auth/auth';
import { consume } from '../../auth/rate-limits';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { ApiError, invalidRequest } from '../../errors';
import {
  InvalidCursorError,
  type PageRequest,
  type SearchEngine,
  type Searcher,
  SearchTimeoutError,
} from '../../search/engine';
import { describeQuery, type SearchQuery } from '../../search/query';
import { workspaceRoleOr404 } from '../org-deps';
import { type SearchParams, searchQuerySchema, suggestQuerySchema } from './schemas';
import { searchQueryFromParams } from './search-query';

export interface SearchDeps {
  policy: Policy;
  auth: Auth;
  engine: SearchEngine;
}

/**
 * The query string's parameters, strictly: each given once, none unknown, each valid. A problem
 * is a 400 naming the parameter; nothing is guessed.
 */
function parseParams<S extends z.ZodType>(schema: S, c: Context): z.output<S> {
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) throw invalidRequest(`${name}: give it once (a comma list if many)`);
  }
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.');
    throw invalidRequest(`${name ? `${name}: ` : ''}${issue?.message ?? 'invalid parameters'}`);
  }
  return parsed.data;
}

function answerTab(
  engine: SearchEngine,
  tab: SearchParams['tab'],
  searcher: Searcher,
  query: SearchQuery,
  page: PageRequest,
) {
  switch (tab) {
    case 'messages':
      return engine.messages(searcher, query, page).then((answer) => ({ tab, ...answer }));
    case 'files':
      return engine.files(searcher, query, page).then((answer) => ({ tab, ...answer }));
    case 'channels':
      return engine.channels(searcher, query, page).then((answer) => ({ tab, ...answer }));
    case 'people':
      return engine.people(searcher, query, page).then((answer) => ({ tab, ...answer }));
  }
}

/**
 * `GET /api/workspaces/{workspaceId}/search` and `.../search/suggest` (README "Search API"). The
 * caller pays a point of their own per-minute budget first (429 past it, before any query runs),
 * then the workspace is checked (404 for one the caller is not an active member of), then the
 * parameters; the engine applies the caller's read permissions inside its own query.
 */
export function searchRoutes({ policy, auth, engine }: SearchDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  // Per route, not `use('*')`: mounted under /workspaces, a wildcard would run for every
  // workspace route too.
  const authenticated = requireAuth(auth);

  app.get('/:workspaceId/search', authenticated, async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const userId = c.get('auth').userId;
    await consume([[auth.limits.search, userId]]);
    await workspaceRoleOr404(policy, userId, workspaceId);
    const params = parseParams(searchQuerySchema, c);
    const query = searchQueryFromParams(params, new Date());
    const page: PageRequest = { limit: params.limit };
    if (params.cursor !== undefined) page.cursor = params.cursor;
    try {
      const { tab, ...answer } = await answerTab(
        engine,
        params.tab,
        { userId, workspaceId },
        query,
        page,
      );
      return c.json({
        tab,
        query: { canonical: describeQuery(query), ignored: query.ignored },
        ...answer,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw new ApiError(400, 'invalid_cursor', error.message);
      // The database cancelled the statement: no partial answer, and no point retrying as is.
      if (error instanceof SearchTimeoutError)
        throw new ApiError(503, 'search_timeout', error.message);
      throw error;
    }
  });

  app.get('/:workspaceId/search/suggest', authenticated, async (c) => {
    const workspaceId = c.req.param('workspaceId');
    const userId = c.get('auth').userId;
    await consume([[auth.limits.suggest, userId]]);
    await workspaceRoleOr404(policy, userId, workspaceId);
    const { kind, prefix, limit } = parseParams(suggestQuerySchema, c);
    const suggestions = await engine.suggest(
      { userId, workspaceId },
      { kind, prefix: prefix.replace(/^[#@]/, ''), limit },
    );
    return c.json({ suggestions });
  });

  return app;
}
