export { type AppOptions, createApp } from './app';
export { type ApiEnv, apiEnvSchema, loadApiEnv, type ServiceName } from './env';
export { ApiError, errorBody } from './errors';
/**
 * The contract with clients, as types only (no runtime code reaches a client that imports them):
 * routes keyed `METHOD /path/{param}` with their params, query, body and response, error codes,
 * and the named things the answers carry. See openapi/contract.ts and README "Contract".
 */
export type {
  ApiContract,
  ApiErrorBody,
  ApiErrorCode,
  ApiRoute,
  AuditEntry,
  BrowsedChannel,
  Channel,
  ChannelMember,
  ChannelView,
  FileInfo,
  Invitation,
  InvitationPreview,
  MessageEntry,
  MyWorkspace,
  PublicUser,
  RouteTypes,
  Session,
  SidebarChannel,
  Tokens,
  UnreadCount,
  WorkspaceMember,
} from './openapi/contract-types';
export { type RunningServer, startServer } from './server';
