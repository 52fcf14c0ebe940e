import { z } from 'zod';
import {
  jwksSchema,
  loginSchema,
  meResponseSchema,
  refreshSchema,
  resetAcceptedSchema,
  resetConfirmSchema,
  resetRequestSchema,
  sessionsResponseSchema,
  signupSchema,
  ssoProvidersResponseSchema,
  tokensSchema,
} from '../routes/auth/schemas';
import {
  addedMembersResponseSchema,
  addMembersSchema,
  browseQuerySchema,
  browseResponseSchema,
  channelMemberResponseSchema,
  channelMembersResponseSchema,
  channelResponseSchema,
  channelRoleSchema,
  channelViewResponseSchema,
  createChannelSchema,
  createdChannelResponseSchema,
  followResponseSchema,
  followSchema,
  historyQuerySchema,
  historyResponseSchema,
  myChannelsResponseSchema,
  openConversationSchema,
  repliesQuerySchema,
  repliesResponseSchema,
  segmentsResponseSchema,
  unreadResponseSchema,
  updateChannelSchema,
  versionsResponseSchema,
} from '../routes/channels/schemas';
import {
  channelFilesQuerySchema,
  channelFilesResponseSchema,
  contentQuerySchema,
  fileIdsQuerySchema,
  fileResponseSchema,
  filesResponseSchema,
  uploadQuerySchema,
} from '../routes/files/schemas';
import { healthResponseSchema } from '../routes/health/schemas';
import {
  acceptInvitationResponseSchema,
  createdInvitationResponseSchema,
  createInvitationSchema,
  invitationPreviewResponseSchema,
  invitationsResponseSchema,
} from '../routes/invitations/schemas';
import {
  inboxQuerySchema,
  inboxResponseSchema,
  markReadSchema,
  preferenceResponseSchema,
  putPreferenceSchema,
  putSettingsSchema,
  settingsResponseSchema,
  unreadCountResponseSchema,
  unsubscribeQuerySchema,
} from '../routes/notifications/schemas';
import {
  searchQuerySchema,
  searchResponseSchema,
  suggestQuerySchema,
  suggestResponseSchema,
} from '../routes/search/schemas';
import {
  setDndSchema,
  setStatusSchema,
  statusesResponseSchema,
  statusIdsQuerySchema,
  userStatusSchema,
} from '../routes/status/schemas';
import { syncTicketRequestSchema, syncTicketSchema } from '../routes/sync-tickets/schemas';
import {
  auditQuerySchema,
  auditResponseSchema,
  createWorkspaceSchema,
  memberRoleSchema,
  myWorkspaceResponseSchema,
  renameWorkspaceSchema,
  transferOwnershipSchema,
  workspaceMemberResponseSchema,
  workspaceMembersResponseSchema,
  workspaceResponseSchema,
  workspacesResponseSchema,
} from '../routes/workspaces/schemas';
import { errorResponseSchema } from './error-codes';

/** What one route takes and answers. Path parameters come from the `{name}`s of its key. */
export interface RouteContract {
  /** Query parameters, as the route parses them. */
  query?: z.ZodType;
  /** The JSON request body. */
  body?: z.ZodType;
  /** Each documented success status: its JSON body's schema, or null for none (204, 302). */
  responses: Readonly<Record<number, z.ZodType | null>>;
  /** The success answer is bytes (a file), not JSON: only its status is held to the contract. */
  binary?: true;
}

/** The OpenAPI document describes itself by the specification's own schema; we check its frame. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
const ssoStartQuerySchema = z.object({ returnTo: z.string().optional() });
const none = null;

/**
 * Every route the API serves, keyed `METHOD /path/{param}` as in the OpenAPI document: the one
 * contract of server and client. The document takes its request and response schemas from here,
 * the test-mode response check (response-check.ts) holds every 2xx answer to them, and the
 * client gets the `ApiContract` type built from them (types only, see index.ts).
 */
export const contract = {
  'GET /api/health': { responses: { 200: healthResponseSchema, 503: healthResponseSchema } },
  'GET /api/openapi.json': { responses: { 200: openApiDocumentSchema } },
  'GET /.well-known/jwks.json': { responses: { 200: jwksSchema } },

  'POST /api/auth/signup': { body: signupSchema, responses: { 201: tokensSchema } },
  'POST /api/auth/login': { body: loginSchema, responses: { 200: tokensSchema } },
  'POST /api/auth/refresh': { body: refreshSchema, responses: { 200: tokensSchema } },
  'POST /api/auth/logout': { responses: { 204: none } },
  'POST /api/auth/logout-all': { responses: { 204: none } },
  'GET /api/auth/sessions': { responses: { 200: sessionsResponseSchema } },
  'DELETE /api/auth/sessions/{id}': { responses: { 204: none } },
  'GET /api/auth/me': { responses: { 200: meResponseSchema } },
  'POST /api/auth/password-reset': {
    body: resetRequestSchema,
    responses: { 202: resetAcceptedSchema },
  },
  'POST /api/auth/password-reset/confirm': { body: resetConfirmSchema, responses: { 204: none } },
  'GET /api/auth/oidc/providers': { responses: { 200: ssoProvidersResponseSchema } },
  'GET /api/auth/oidc/{provider}/start': { query: ssoStartQuerySchema, responses: { 302: none } },
  'GET /api/auth/oidc/{provider}/callback': { responses: { 302: none } },
  'POST /api/sync/tickets': {
    body: syncTicketRequestSchema,
    responses: { 201: syncTicketSchema },
  },

  'GET /api/workspaces': { responses: { 200: workspacesResponseSchema } },
  'POST /api/workspaces': {
    body: createWorkspaceSchema,
    responses: { 201: myWorkspaceResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}': { responses: { 200: myWorkspaceResponseSchema } },
  'PATCH /api/workspaces/{workspaceId}': {
    body: renameWorkspaceSchema,
    responses: { 200: workspaceResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/unread': { responses: { 200: unreadResponseSchema } },
  'GET /api/workspaces/{workspaceId}/members': {
    responses: { 200: workspaceMembersResponseSchema },
  },
  'PATCH /api/workspaces/{workspaceId}/members/{userId}': {
    body: memberRoleSchema,
    responses: { 200: workspaceMemberResponseSchema },
  },
  'DELETE /api/workspaces/{workspaceId}/members/{userId}': { responses: { 204: none } },
  'POST /api/workspaces/{workspaceId}/transfer-ownership': {
    body: transferOwnershipSchema,
    responses: { 204: none },
  },
  'GET /api/workspaces/{workspaceId}/audit': {
    query: auditQuerySchema,
    responses: { 200: auditResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/channels': { responses: { 200: myChannelsResponseSchema } },
  'POST /api/workspaces/{workspaceId}/channels': {
    body: createChannelSchema,
    responses: { 201: createdChannelResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/channels/browse': {
    query: browseQuerySchema,
    responses: { 200: browseResponseSchema },
  },
  'POST /api/workspaces/{workspaceId}/dms': {
    body: openConversationSchema,
    responses: { 200: channelResponseSchema, 201: channelResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/invitations': {
    responses: { 200: invitationsResponseSchema },
  },
  'POST /api/workspaces/{workspaceId}/invitations': {
    body: createInvitationSchema,
    responses: { 201: createdInvitationResponseSchema },
  },
  'DELETE /api/workspaces/{workspaceId}/invitations/{invitationId}': { responses: { 204: none } },
  'GET /api/workspaces/{workspaceId}/search': {
    query: searchQuerySchema,
    responses: { 200: searchResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/search/suggest': {
    query: suggestQuerySchema,
    responses: { 200: suggestResponseSchema },
  },

  'GET /api/channels/{channelId}': { responses: { 200: channelViewResponseSchema } },
  'PATCH /api/channels/{channelId}': {
    body: updateChannelSchema,
    responses: { 200: channelResponseSchema },
  },
  'GET /api/channels/{channelId}/messages': {
    query: historyQuerySchema,
    responses: { 200: historyResponseSchema },
  },
  'GET /api/channels/{channelId}/segments': { responses: { 200: segmentsResponseSchema } },
  'GET /api/channels/{channelId}/messages/{messageId}/replies': {
    query: repliesQuerySchema,
    responses: { 200: repliesResponseSchema },
  },
  'GET /api/channels/{channelId}/messages/{messageId}/follow': {
    responses: { 200: followResponseSchema },
  },
  'PUT /api/channels/{channelId}/messages/{messageId}/follow': {
    body: followSchema,
    responses: { 200: followResponseSchema },
  },
  'GET /api/channels/{channelId}/messages/{messageId}/versions': {
    responses: { 200: versionsResponseSchema },
  },
  'POST /api/channels/{channelId}/archive': { responses: { 204: none } },
  'POST /api/channels/{channelId}/unarchive': { responses: { 204: none } },
  'POST /api/channels/{channelId}/join': { responses: { 204: none } },
  'POST /api/channels/{channelId}/leave': { responses: { 204: none } },
  'GET /api/channels/{channelId}/members': { responses: { 200: channelMembersResponseSchema } },
  'POST /api/channels/{channelId}/members': {
    body: addMembersSchema,
    responses: { 200: addedMembersResponseSchema },
  },
  'PATCH /api/channels/{channelId}/members/{userId}': {
    body: channelRoleSchema,
    responses: { 200: channelMemberResponseSchema },
  },
  'DELETE /api/channels/{channelId}/members/{userId}': { responses: { 204: none } },

  'POST /api/channels/{channelId}/files': {
    query: uploadQuerySchema,
    responses: { 201: fileResponseSchema },
  },
  'GET /api/channels/{channelId}/files': {
    query: channelFilesQuerySchema,
    responses: { 200: channelFilesResponseSchema },
  },
  'GET /api/files': { query: fileIdsQuerySchema, responses: { 200: filesResponseSchema } },
  'GET /api/files/{fileId}': { responses: { 200: fileResponseSchema } },
  'DELETE /api/files/{fileId}': { responses: { 204: none } },
  'GET /api/files/{fileId}/content/{variant}': {
    query: contentQuerySchema,
    responses: { 200: none },
    binary: true,
  },

  'GET /api/me/status': { responses: { 200: userStatusSchema } },
  'PUT /api/me/status': { body: setStatusSchema, responses: { 200: userStatusSchema } },
  'DELETE /api/me/status': { responses: { 200: userStatusSchema } },
  'PUT /api/me/dnd': { body: setDndSchema, responses: { 200: userStatusSchema } },
  'DELETE /api/me/dnd': { responses: { 200: userStatusSchema } },
  'GET /api/workspaces/{workspaceId}/statuses': {
    query: statusIdsQuerySchema,
    responses: { 200: statusesResponseSchema },
  },

  'GET /api/channels/{channelId}/notification-preference': {
    responses: { 200: preferenceResponseSchema },
  },
  'PUT /api/channels/{channelId}/notification-preference': {
    body: putPreferenceSchema,
    responses: { 200: preferenceResponseSchema },
  },
  'GET /api/me/notification-settings': { responses: { 200: settingsResponseSchema } },
  'PUT /api/me/notification-settings': {
    body: putSettingsSchema,
    responses: { 200: settingsResponseSchema },
  },
  'GET /api/workspaces/{workspaceId}/notifications': {
    query: inboxQuerySchema,
    responses: { 200: inboxResponseSchema },
  },
  'POST /api/workspaces/{workspaceId}/notifications/read': {
    body: markReadSchema,
    responses: { 200: unreadCountResponseSchema },
  },
  'GET /api/notifications/unsubscribe': {
    query: unsubscribeQuerySchema,
    responses: { 200: none },
    binary: true,
  },
  'POST /api/notifications/unsubscribe': {
    query: unsubscribeQuerySchema,
    responses: { 200: none },
    binary: true,
  },

  'GET /api/invitations/{token}': { responses: { 200: invitationPreviewResponseSchema } },
  'POST /api/invitations/{token}/accept': { responses: { 200: acceptInvitationResponseSchema } },
} as const satisfies Record<string, RouteContract>;

export type RouteKey = keyof typeof contract;
export { errorResponseSchema };
