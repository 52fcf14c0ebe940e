/**
 * Where the signed-in app is, as a URL. Paths (all ids as the API gives them):
 *
 * - `/w/<workspaceId>`                         a workspace (its #general)
 * - `/w/<workspaceId>/c/<channelId>`           a channel
 * - `/w/<workspaceId>/c/<channelId>/t/<root>`  a channel with a thread open
 * - `…?m=<messageId>`                          scrolled to a message (in the thread if one is open)
 * - `/about`                                   the server's status and versions
 * - `/invite/<token>`                          an invitation
 *
 * `/?workspace=&channel=&message=` (the notification mails' links before these paths) is read as
 * the same place, so links already sent keep working.
 */
export interface Place {
  workspaceId: string;
  channelId: string | null;
  threadId: string | null;
  messageId: string | null;
}

export type Route =
  | { kind: 'home' }
  | { kind: 'place'; place: Place }
  | { kind: 'about' }
  | { kind: 'invite'; token: string };

/** Workspace and channel ids are UUIDs, message ids ULIDs: anything else is no place. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
const INVITE = /^\/invite\/([a-z0-9]{32})\/?$/;
const PLACE = /^\/w\/([^/]+)(?:\/c\/([^/]+)(?:\/t\/([^/]+))?)?\/?$/;

const uuid = (value: string | null | undefined) => (value && UUID.test(value) ? value : null);
const ulid = (value: string | null | undefined) => (value && ULID.test(value) ? value : null);

/** The route of a URL's path and query; malformed ids make it the home route, never a throw. */
export function parseRoute(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const invite = INVITE.exec(pathname);
  if (invite?.[1]) return { kind: 'invite', token: invite[1] };
  if (pathname === '/about') return { kind: 'about' };
  const match = PLACE.exec(pathname);
  if (match) {
    const workspaceId = uuid(match[1]);
    if (!workspaceId) return { kind: 'home' };
    const channelId = match[2] === undefined ? null : uuid(match[2]);
    if (match[2] !== undefined && !channelId) return { kind: 'home' };
    const threadId = match[3] === undefined ? null : ulid(match[3]);
    if (match[3] !== undefined && !threadId) return { kind: 'home' };
    return {
      kind: 'place',
      place: { workspaceId, channelId, threadId, messageId: ulid(query.get('m')) },
    };
  }
  const legacy = uuid(query.get('workspace'));
  if (pathname === '/' && legacy) {
    return {
      kind: 'place',
      place: {
        workspaceId: legacy,
        channelId: uuid(query.get('channel')),
        threadId: null,
        messageId: ulid(query.get('message')),
      },
    };
  }
  return { kind: 'home' };
}

/** The path of a place: the inverse of `parseRoute` for every place it returns. */
export function placePath(place: Place): string {
  let path = `/w/${place.workspaceId}`;
  if (place.channelId) {
    path += `/c/${place.channelId}`;
    if (place.threadId) path += `/t/${place.threadId}`;
    if (place.messageId) path += `?m=${place.messageId}`;
  }
  return path;
}

export function routePath(route: Route): string {
  switch (route.kind) {
    case 'home':
      return '/';
    case 'about':
      return '/about';
    case 'invite':
      return `/invite/${route.token}`;
    case 'place':
      return placePath(route.place);
  }
}
