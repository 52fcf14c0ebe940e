import { authErrors, bearer, commonErrors, error, ok } from './helpers';

const answer = { '200': ok('My status and do-not-disturb as stored now') };
const me = (summary: string, withBody = false) => ({
  summary,
  security: bearer,
  responses: { ...answer, ...(withBody ? commonErrors : {}), ...authErrors },
});

/** Custom status and do-not-disturb (README "Status and do-not-disturb"). */
export const statusPaths = {
  '/api/me/status': {
    get: me('My custom status and do-not-disturb; anything past its end reads as cleared'),
    put: me(
      'Set my status; `expiry` (30m, 1h, 4h, today, this_week, an ISO date-time with offset, or null) is resolved in `timeZone` by the server, which clears it then',
      true,
    ),
    delete: me('Clear my status'),
  },
  '/api/me/dnd': {
    put: me('Do not disturb until a time, or on a daily schedule in a time zone', true),
    delete: me('Clear do-not-disturb (end time and schedule)'),
  },
  '/api/workspaces/{workspaceId}/statuses': {
    get: {
      summary:
        'Statuses of up to 100 people (`ids`, comma-separated) that the caller may see in the workspace; others are left out',
      security: bearer,
      parameters: [
        {
          name: 'workspaceId',
          in: 'path',
          required: true,
          schema: { type: 'string', format: 'uuid' },
        },
        { name: 'ids', in: 'query', required: true, schema: { type: 'string' } },
      ],
      responses: {
        '200': ok('Their statuses and whether do-not-disturb holds now'),
        '400': error('`ids` is not 1 to 100 user ids (`invalid_request`)'),
        ...authErrors,
        '404': error('No such workspace, or one the caller is not in (`not_found`)'),
      },
    },
  },
};
