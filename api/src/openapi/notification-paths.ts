import { authErrors, bearer, commonErrors, error, ok } from './helpers';

const uuidParameter = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
});
const tokenParameter = { name: 'token', in: 'query', required: true, schema: { type: 'string' } };
const noChannel = {
  '404': error('No such channel, or one the caller is not a member of (`not_found`)'),
};
const noWorkspace = {
  '404': error('No such workspace, or one the caller is not in (`not_found`)'),
};
const badToken = {
  '400': error('A missing, altered or foreign token (`invalid_request`)'),
};

/** Notification preferences, settings, the inbox and unsubscribe (README "Notifications"). */
export const notificationPaths = {
  '/api/channels/{channelId}/notification-preference': {
    get: {
      summary:
        'My notification preference for the channel (`default` follows the kind: DMs `all`, channels `mentions`), the one in effect, and whether I muted it',
      security: bearer,
      parameters: [uuidParameter('channelId')],
      responses: { '200': ok('My preference'), ...authErrors, ...noChannel },
    },
    put: {
      summary: 'Set my preference (`default`, `all`, `mentions`, `nothing`) and/or mute',
      security: bearer,
      parameters: [uuidParameter('channelId')],
      responses: {
        '200': ok('My preference as stored now'),
        ...commonErrors,
        ...authErrors,
        ...noChannel,
      },
    },
  },
  '/api/me/notification-settings': {
    get: {
      summary: 'My keywords and whether unread notifications are mailed to me',
      security: bearer,
      responses: { '200': ok('My settings'), ...authErrors },
    },
    put: {
      summary:
        'Replace my keywords (at most 25, each 2-40 characters after trimming, one line, deduplicated ignoring case) and mail choice',
      security: bearer,
      responses: { '200': ok('My settings as stored now'), ...commonErrors, ...authErrors },
    },
  },
  '/api/workspaces/{workspaceId}/notifications': {
    get: {
      summary:
        'My notifications in the workspace, newest first (`cursor`: the previous page’s `nextCursor`; `limit` 1-100, default 30; `unread=true` for unread ones only), with my unread count',
      security: bearer,
      parameters: [
        uuidParameter('workspaceId'),
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
        {
          name: 'unread',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['true', 'false'] },
        },
      ],
      responses: {
        '200': ok('A page of notifications'),
        '400': error('A bad cursor, limit or unread (`invalid_request`)'),
        ...authErrors,
        ...noWorkspace,
      },
    },
  },
  '/api/workspaces/{workspaceId}/notifications/read': {
    post: {
      summary:
        'Mark some of my notifications (`ids`, up to 200; others’ ids are ignored) or all of them (`all: true`) read',
      security: bearer,
      parameters: [uuidParameter('workspaceId')],
      responses: {
        '200': ok('My unread count now'),
        ...commonErrors,
        ...authErrors,
        ...noWorkspace,
      },
    },
  },
  '/api/notifications/unsubscribe': {
    get: {
      summary:
        'A page with a button that stops notification mails (no sign-in: the signed token from the mail names the user)',
      parameters: [tokenParameter],
      responses: {
        '200': { description: 'An HTML page', content: { 'text/html': {} } },
        ...badToken,
      },
    },
    post: {
      summary: 'Stop notification mails (RFC 8058 one-click; no sign-in, any body)',
      parameters: [tokenParameter],
      responses: {
        '200': { description: 'An HTML page saying so', content: { 'text/html': {} } },
        ...badToken,
        '413': error('Body larger than 64 KiB (`payload_too_large`)'),
      },
    },
  },
};
