import { authErrors, bearer, error, ok } from './helpers';

const param = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const text = { type: 'string' };
const workspaceId = {
  name: 'workspaceId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};
const noWorkspace = error(
  'No such workspace, or one the caller is not an active member of: both answer alike (`not_found`)',
);
const dateParam = (name: string) =>
  param(
    name,
    `\`${name}:\` of the query language: YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, week, month or year, local to \`tz\``,
    text,
  );

/** Search (README "Search API"): one route per workspace, and operator completion. */
export const searchPaths = {
  '/api/workspaces/{workspaceId}/search': {
    get: {
      summary:
        'Search messages, files, channels or people the caller may read now; the filter parameters add to `q`',
      security: bearer,
      parameters: [
        workspaceId,
        param(
          'q',
          'The search string in the query language; never an error (what cannot be used is listed in `query.ignored`)',
          text,
        ),
        param('tab', 'messages (default), files, channels or people', {
          type: 'string',
          enum: ['messages', 'files', 'channels', 'people'],
        }),
        param('sort', 'relevance (default) or date; a `sort:` in `q` wins', {
          type: 'string',
          enum: ['relevance', 'date'],
        }),
        param(
          'tz',
          'IANA time zone of the dates (UTC); an unknown one is reported, not refused',
          text,
        ),
        param('limit', 'Hits per page, 1 to 50 (20)', { type: 'integer', minimum: 1, maximum: 50 }),
        param('cursor', '`nextCursor` of the previous page of the same search', text),
        param('in', 'Comma list of `#channel` and `@person` (the DM with them): any of them', text),
        param('from', 'Comma list of `@person` and `me`: any of them', text),
        param('has', 'Comma list of file, link, reaction: all of them', text),
        param('is', '`thread`: replies and roots with replies', {
          type: 'string',
          enum: ['thread'],
        }),
        dateParam('on'),
        dateParam('during'),
        dateParam('before'),
        dateParam('after'),
      ],
      responses: {
        '200': ok('Hits of the tab, capped total, next cursor, name resolutions, what was ignored'),
        '400': error(
          'A bad parameter (`invalid_request`), or a cursor of another search (`invalid_cursor`)',
        ),
        '404': noWorkspace,
        '503': error(
          'The search ran past its time budget and was cancelled (`search_timeout`): narrow it',
        ),
        ...authErrors,
      },
    },
  },
  '/api/workspaces/{workspaceId}/search/suggest': {
    get: {
      summary: 'Completions for `in:#…` (channels the caller may read) and `from:@…` (people)',
      security: bearer,
      parameters: [
        workspaceId,
        {
          ...param('kind', 'channel or person', { type: 'string', enum: ['channel', 'person'] }),
          required: true,
        },
        param('prefix', 'What was typed so far, up to 100 characters (may be empty)', text),
        param('limit', '1 to 20 (10)', { type: 'integer', minimum: 1, maximum: 20 }),
      ],
      responses: {
        '200': ok('Suggestions, best first'),
        '400': error('A bad parameter (`invalid_request`)'),
        '404': noWorkspace,
        ...authErrors,
      },
    },
  },
};
