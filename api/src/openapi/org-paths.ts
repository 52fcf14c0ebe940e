import { ULID_PATTERN } from '@confab/db/model';
import {
  addMembersSchema,
  channelRoleSchema,
  createChannelSchema,
  openConversationSchema,
  updateChannelSchema,
} from '../routes/channels/schemas';
import { createInvitationSchema } from '../routes/invitations/schemas';
import {
  createWorkspaceSchema,
  memberRoleSchema,
  renameWorkspaceSchema,
  transferOwnershipSchema,
} from '../routes/workspaces/schemas';
import { authErrors, bearer, body, commonErrors, error, ok } from './helpers';

const pathId = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
});
const notVisible = (what: string) =>
  error(`No such ${what}, or one the caller may not know of: both answer alike (\`not_found\`)`);
const denied = error('Visible, but the caller may not do this (`forbidden`)');
/** Another request changed the member's role between the check and the write. */
const changedMeanwhile = error(
  'The member’s role changed meanwhile (`member_changed`); read it again and retry',
);
const op = (
  summary: string,
  responses: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  summary,
  security: bearer,
  ...extra,
  responses: { ...responses, ...authErrors },
});
const query = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string' },
});
const messageId = {
  name: 'messageId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: ULID_PATTERN.source },
};
const workspace = [pathId('workspaceId')];
const channel = [pathId('channelId')];
const member = (scope: string) => [pathId(scope), pathId('userId')];

/** Workspaces, members and roles, channels, DMs, discovery, audit. */
export const orgPaths = {
  '/api/workspaces': {
    get: op('My workspaces, with my role', { '200': ok('Workspaces') }),
    post: op(
      'Create a workspace (the caller becomes owner; #general is created)',
      { '201': ok('Created'), '409': error('Slug taken (`slug_taken`)'), ...commonErrors },
      { requestBody: body(createWorkspaceSchema) },
    ),
  },
  '/api/workspaces/{workspaceId}/unread': {
    get: op(
      'Unread and mention counts of each of my channels in the workspace',
      {
        '200': ok('Per channel: unreadCount, mentionCount, lastReadMessageId, muted'),
        '404': notVisible('workspace'),
      },
      { parameters: workspace },
    ),
  },
  '/api/workspaces/{workspaceId}': {
    get: op(
      'A workspace I am in',
      { '200': ok('Workspace'), '404': notVisible('workspace') },
      { parameters: workspace },
    ),
    patch: op(
      'Rename (workspace admins)',
      { '200': ok('Renamed'), '403': denied, '404': notVisible('workspace'), ...commonErrors },
      { parameters: workspace, requestBody: body(renameWorkspaceSchema) },
    ),
  },
  '/api/workspaces/{workspaceId}/members': {
    get: op(
      'Members and roles (not for guests)',
      { '200': ok('Members'), '403': denied, '404': notVisible('workspace') },
      { parameters: workspace },
    ),
  },
  '/api/workspaces/{workspaceId}/members/{userId}': {
    patch: op(
      'Change a role: admins manage members and guests; only the owner grants or removes admin',
      {
        '200': ok('Changed'),
        '403': denied,
        '404': notVisible('member'),
        '409': changedMeanwhile,
        ...commonErrors,
      },
      { parameters: member('workspaceId'), requestBody: body(memberRoleSchema) },
    ),
    delete: op(
      'Remove a member (admins), or leave (oneself); the owner must transfer ownership first',
      { '204': ok('Removed'), '403': denied, '404': notVisible('member'), '409': changedMeanwhile },
      { parameters: member('workspaceId') },
    ),
  },
  '/api/workspaces/{workspaceId}/transfer-ownership': {
    post: op(
      'Make another admin or member the owner; the old owner becomes an admin',
      {
        '204': ok('Transferred'),
        '400': error('Not a valid new owner (`invalid_new_owner`)'),
        '403': denied,
        '404': notVisible('workspace'),
      },
      { parameters: workspace, requestBody: body(transferOwnershipSchema) },
    ),
  },
  '/api/workspaces/{workspaceId}/audit': {
    get: op(
      'Audit log, newest first (workspace admins): actor, action, target, before and after',
      {
        '200': ok('Entries and `nextBefore` cursor'),
        '400': error('Bad cursor'),
        '403': denied,
        '404': notVisible('workspace'),
      },
      {
        parameters: [
          ...workspace,
          { name: 'before', in: 'query', schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 200 } },
        ],
      },
    ),
  },
  '/api/workspaces/{workspaceId}/channels': {
    get: op(
      'My channels and conversations (the sidebar)',
      { '200': ok('Channels'), '404': notVisible('workspace') },
      { parameters: workspace },
    ),
    post: op(
      'Create a public or private channel (not guests); the creator becomes its admin',
      {
        '201': ok('Created'),
        '403': denied,
        '404': notVisible('workspace'),
        '409': error('Name taken (`name_taken`)'),
        ...commonErrors,
      },
      { parameters: workspace, requestBody: body(createChannelSchema) },
    ),
  },
  '/api/workspaces/{workspaceId}/channels/browse': {
    get: op(
      'Discover public channels: search, member counts, activity (not guests)',
      {
        '200': ok('Channels'),
        '400': error('Bad query'),
        '403': denied,
        '404': notVisible('workspace'),
      },
      {
        parameters: [
          ...workspace,
          { name: 'q', in: 'query', schema: { type: 'string' } },
          { name: 'includeArchived', in: 'query', schema: { type: 'boolean' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 200 } },
          { name: 'offset', in: 'query', schema: { type: 'integer' } },
        ],
      },
    ),
  },
  '/api/workspaces/{workspaceId}/dms': {
    post: op(
      'Open the DM or group DM (2 to 9 people) of exactly these people; the same people always get the same one',
      {
        '200': ok('Existing'),
        '201': ok('Created'),
        ...commonErrors,
        '400': error('Invalid request, or someone is not a member (`invalid_members`)'),
        '404': notVisible('workspace'),
      },
      { parameters: workspace, requestBody: body(openConversationSchema) },
    ),
  },
  '/api/channels/{channelId}': {
    get: op(
      'A channel I may see',
      { '200': ok('Channel'), '404': notVisible('channel') },
      { parameters: channel },
    ),
    patch: op(
      'Change name, purpose or policies (channel admins), or the topic (members)',
      {
        '200': ok('Changed'),
        '403': denied,
        '404': notVisible('channel'),
        '409': error('Name taken'),
        ...commonErrors,
      },
      { parameters: channel, requestBody: body(updateChannelSchema) },
    ),
  },
  '/api/channels/{channelId}/messages': {
    get: op(
      'History: top-level messages newest first, with reactions and thread summaries',
      {
        '200': ok('A page and the cursor of the next'),
        '404': notVisible('channel'),
        ...commonErrors,
      },
      {
        parameters: [
          ...channel,
          query('before', 'Message id (ULID) to page back from'),
          query('limit', '1-200, default 50'),
        ],
      },
    ),
  },
  '/api/channels/{channelId}/segments': {
    get: op(
      "The channel's segment docs, newest first, and the head taking new messages",
      { '200': ok('Segments'), '404': notVisible('channel') },
      { parameters: channel },
    ),
  },
  '/api/channels/{channelId}/messages/{messageId}/replies': {
    get: op(
      "A thread's replies, oldest first",
      { '200': ok('A page of replies'), '404': notVisible('channel or message'), ...commonErrors },
      {
        parameters: [
          ...channel,
          messageId,
          query('after', 'Reply id (ULID) to continue after'),
          query('limit', '1-200, default 100'),
        ],
      },
    ),
  },
  '/api/channels/{channelId}/messages/{messageId}/follow': {
    get: op(
      'Whether I follow this thread',
      { '200': ok('{following}'), '404': notVisible('channel or message'), ...commonErrors },
      { parameters: [...channel, messageId] },
    ),
    put: op(
      'Follow a thread, or stop following it (`{following: boolean}`)',
      { '200': ok('{following}'), '404': notVisible('channel or message'), ...commonErrors },
      { parameters: [...channel, messageId] },
    ),
  },
  '/api/channels/{channelId}/messages/{messageId}/versions': {
    get: op(
      'Every version of a message, first to last (its author and admins)',
      { '200': ok('Versions'), '403': denied, '404': notVisible('channel or message') },
      { parameters: [...channel, messageId] },
    ),
  },
  '/api/channels/{channelId}/archive': {
    post: op(
      'Archive: read-only from now on (channel admins)',
      { '204': ok('Archived'), '403': denied, '404': notVisible('channel') },
      { parameters: channel },
    ),
  },
  '/api/channels/{channelId}/unarchive': {
    post: op(
      'Unarchive (channel admins)',
      { '204': ok('Unarchived'), '403': denied, '404': notVisible('channel') },
      { parameters: channel },
    ),
  },
  '/api/channels/{channelId}/join': {
    post: op(
      'Join a public channel (not guests)',
      { '204': ok('Joined'), '403': denied, '404': notVisible('channel') },
      { parameters: channel },
    ),
  },
  '/api/channels/{channelId}/leave': {
    post: op(
      'Leave a channel (not a DM)',
      { '204': ok('Left'), '403': denied, '404': notVisible('channel') },
      { parameters: channel },
    ),
  },
  '/api/channels/{channelId}/members': {
    get: op(
      'Members and channel roles',
      { '200': ok('Members'), '404': notVisible('channel') },
      { parameters: channel },
    ),
    post: op(
      'Add workspace members (public: any full member; private: channel or workspace admins)',
      {
        '200': ok('Added'),
        ...commonErrors,
        '400': error('Invalid request, or not workspace members (`invalid_members`)'),
        '403': denied,
        '404': notVisible('channel'),
      },
      { parameters: channel, requestBody: body(addMembersSchema) },
    ),
  },
  '/api/channels/{channelId}/members/{userId}': {
    patch: op(
      'Make or unmake a channel admin',
      { '200': ok('Changed'), '403': denied, '404': notVisible('member'), ...commonErrors },
      { parameters: member('channelId'), requestBody: body(channelRoleSchema) },
    ),
    delete: op(
      'Remove someone (channel admins), or leave (oneself)',
      { '204': ok('Removed'), '403': denied, '404': notVisible('member') },
      { parameters: member('channelId') },
    ),
  },
  '/api/channels/{channelId}/files': {
    post: op(
      'Upload a file for the channel (posting rights needed): the raw bytes as the body, streamed',
      {
        '201': ok('Stored, validated and promoted; thumbnails follow (`processing`)'),
        '400': error('Empty body (`file_empty`), or a bad name (`invalid_request`)'),
        '403': denied,
        '404': notVisible('channel'),
        '413': error(
          'Larger than FILE_MAX_BYTES (`file_too_large`; the connection is closed), or over the workspace quota (`quota_exceeded`)',
        ),
        '415': error(
          'The bytes are not an allowed type, or not what the name or Content-Type claims (`file_type_refused`)',
        ),
      },
      {
        parameters: [
          ...channel,
          {
            ...query(
              'name',
              'The display name, percent-encoded; path and control characters are removed',
            ),
            required: true,
          },
        ],
        requestBody: {
          required: true,
          description: 'The file. Content-Type is the declared type (or application/octet-stream).',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
      },
    ),
    get: op(
      'The channel’s Files list: attached, not deleted, newest first',
      { '200': ok('Files and the cursor of the next page'), '404': notVisible('channel') },
      {
        parameters: [
          ...channel,
          query('before', '`next` of the previous page'),
          query('limit', '1 to 100 (50)'),
        ],
      },
    ),
  },
  '/api/files': {
    get: op(
      'Files by id (up to 100); those the caller may not read are left out',
      { '200': ok('Files'), '400': error('Missing or malformed ids (`invalid_request`)') },
      { parameters: [{ ...query('ids', 'Comma-separated file ids'), required: true }] },
    ),
  },
  '/api/files/{fileId}': {
    get: op(
      'A file’s details and fresh signed URLs',
      { '200': ok('File'), '404': notVisible('file') },
      { parameters: [pathId('fileId')] },
    ),
    delete: op(
      'Delete a file (its uploader, or workspace owners and admins); the bytes go after a grace period',
      { '204': ok('Deleted (also when it already was)'), '403': denied, '404': notVisible('file') },
      { parameters: [pathId('fileId')] },
    ),
  },
  '/api/files/{fileId}/content/{variant}': {
    get: {
      summary:
        'A file’s bytes, by signed URL (no bearer token: URLs from FileInfo, valid 10 minutes, and only while the signer may still read the file)',
      parameters: [
        pathId('fileId'),
        {
          name: 'variant',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: ['original', 'thumb-small', 'thumb-large', 'preview'] },
        },
        { ...query('u', 'The user the URL was signed for'), required: true },
        { ...query('exp', 'Expiry, Unix seconds'), required: true },
        { ...query('sig', 'The signature'), required: true },
      ],
      responses: {
        '200': {
          description:
            'The bytes, with `X-Content-Type-Options: nosniff`, a sandboxing CSP and `Content-Disposition` (inline only for allowlisted images and our WebP thumbnails)',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        '403': error('Bad or expired signature (`forbidden`)'),
        '404': notVisible('file, variant or access'),
      },
    },
  },
  '/api/workspaces/{workspaceId}/invitations': {
    get: op(
      'Invitations, with their status (workspace admins)',
      { '200': ok('Invitations'), '403': denied, '404': notVisible('workspace') },
      { parameters: workspace },
    ),
    post: op(
      'Invite by email (mailed, single use) or by link (optionally limited uses); the link is shown once',
      {
        ...commonErrors,
        '201': ok('Invitation and its URL'),
        '400': error('Invalid request, or a channel of another workspace (`invalid_channels`)'),
        '403': denied,
        '404': notVisible('workspace'),
      },
      { parameters: workspace, requestBody: body(createInvitationSchema) },
    ),
  },
  '/api/workspaces/{workspaceId}/invitations/{invitationId}': {
    delete: op(
      'Revoke an invitation',
      { '204': ok('Revoked'), '403': denied, '404': notVisible('invitation') },
      { parameters: [pathId('workspaceId'), pathId('invitationId')] },
    ),
  },
  '/api/invitations/{token}': {
    get: {
      summary: 'What an invitation is for (workspace, role, inviter, expiry); no sign-in needed',
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': ok('Invitation'),
        '404': error('Invalid, expired, revoked or used up (`invalid_invitation`)'),
      },
    },
  },
  '/api/invitations/{token}/accept': {
    post: op(
      'Join the workspace (new users sign up first); a member accepting again spends nothing',
      {
        '200': ok('Joined, or `alreadyMember`'),
        '403': error('Sent to another email address (`invitation_for_another_email`)'),
        '404': error('Invalid, expired, revoked or used up (`invalid_invitation`)'),
      },
      { parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }] },
    ),
  },
};
