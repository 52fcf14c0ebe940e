import type { z } from 'zod';
import type { contract, RouteContract } from './contract';

/** `{ workspaceId: string; userId: string }` from `/api/workspaces/{workspaceId}/members/{userId}`. */
type PathParams<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? { [K in Name | keyof PathParams<Rest>]: string }
  : // biome-ignore lint/complexity/noBannedTypes: a route without parameters takes none
    {};

type Success = 200 | 201 | 202 | 204 | 302;
type Body<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a typed client needs to know of one route; every field is a plain TypeScript type. */
export type RouteTypes<Key extends string, Route extends RouteContract> = {
  method: Key extends `${infer Method} ${string}` ? Method : never;
  path: Key extends `${string} ${infer Path}` ? Path : never;
  params: PathParams<Key extends `${string} ${infer Path}` ? Path : never>;
  /** Query parameters as the route parses them; send them as strings. */
  query: Route extends { query: infer Q extends z.ZodType } ? Partial<z.output<Q>> : undefined;
  /** The JSON request body (fields with defaults may be left out). */
  body: Route extends { body: infer B extends z.ZodType } ? z.input<B> : undefined;
  /** The body of any success answer (`undefined` for 204 and redirects). */
  response: {
    [Status in keyof Route['responses'] & Success]: Body<Route['responses'][Status]>;
  }[keyof Route['responses'] & Success];
  /** Each success status with its body, for routes that answer more than one (200 or 201). */
  responses: { [Status in keyof Route['responses']]: Body<Route['responses'][Status]> };
};

/**
 * The API's contract as types: `ApiContract['GET /api/channels/{channelId}/messages']['response']`
 * is what that route answers. Built from the zod schemas the server checks its answers against.
 */
export type ApiContract = {
  [Key in keyof typeof contract]: RouteTypes<Key, (typeof contract)[Key]>;
};
export type ApiRoute = keyof ApiContract;

/** Errors: `{ error: { code, message } }`, `code` one of `ApiErrorCode`. */
export type { ApiErrorBody, ApiErrorCode } from './error-codes';

type Response<Key extends ApiRoute> = ApiContract[Key]['response'];
type Item<List> = List extends readonly (infer T)[] ? T : never;

// The things a client shows, named, each as one route answers it.
export type PublicUser = Response<'GET /api/auth/me'>['user'];
export type Tokens = Response<'POST /api/auth/login'>;
export type Session = Item<Response<'GET /api/auth/sessions'>['sessions']>;
export type MyWorkspace = Response<'GET /api/workspaces/{workspaceId}'>['workspace'];
export type WorkspaceMember = Item<
  Response<'GET /api/workspaces/{workspaceId}/members'>['members']
>;
export type AuditEntry = Item<Response<'GET /api/workspaces/{workspaceId}/audit'>['entries']>;
export type Channel = Response<'PATCH /api/channels/{channelId}'>['channel'];
export type ChannelView = Response<'GET /api/channels/{channelId}'>['channel'];
export type SidebarChannel = Item<
  Response<'GET /api/workspaces/{workspaceId}/channels'>['channels']
>;
export type BrowsedChannel = Item<
  Response<'GET /api/workspaces/{workspaceId}/channels/browse'>['channels']
>;
export type UnreadCount = Item<Response<'GET /api/workspaces/{workspaceId}/unread'>['channels']>;
export type ChannelMember = Item<Response<'GET /api/channels/{channelId}/members'>['members']>;
export type MessageEntry = Item<Response<'GET /api/channels/{channelId}/messages'>['messages']>;
export type Invitation = Item<
  Response<'GET /api/workspaces/{workspaceId}/invitations'>['invitations']
>;
export type InvitationPreview = Response<'GET /api/invitations/{token}'>['invitation'];
export type FileInfo = Response<'GET /api/files/{fileId}'>['file'];
