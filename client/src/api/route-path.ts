import type { ApiContract, ApiRoute } from '@confab/api';

/** What a route takes besides its key; a part the route does not have cannot be given. */
type Part<Name extends string, Value> = [Value] extends [undefined]
  ? { [K in Name]?: never }
  : // biome-ignore lint/complexity/noBannedTypes: a route without parameters takes none
    {} extends Value
    ? { [K in Name]?: Value }
    : { [K in Name]: Value };

/**
 * The arguments of `Api.request(route, args)`: the `{name}` params of the route's path, its query
 * (sent as strings) and its JSON body, each required exactly when the route needs it.
 */
export type RequestArgs<R extends ApiRoute> = Part<'params', ApiContract[R]['params']> &
  Part<'query', ApiContract[R]['query']> &
  Part<'body', ApiContract[R]['body']>;

/** What a route answers on success (`undefined` for 204 and redirects). */
export type ApiResponse<R extends ApiRoute> = ApiContract[R]['response'];

/** Optional when the route needs nothing, so `api.request('GET /api/workspaces')` reads well. */
export type RequestRest<R extends ApiRoute> =
  // biome-ignore lint/complexity/noBannedTypes: a route that needs nothing takes no arguments
  {} extends RequestArgs<R> ? [args?: RequestArgs<R>] : [args: RequestArgs<R>];

/** `RequestArgs` as they are read at run time, whatever the route. */
export interface RouteParts {
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, unknown>>;
  body?: unknown;
}

/**
 * The method and path of one call of `route` ("GET /api/channels/{channelId}"): each `{name}`
 * replaced by its param, encoded; the query's defined fields appended in the order given, as
 * strings. A param that would lead to another route (empty, `.` or `..`, which the browser
 * resolves away) is refused, as is a missing one.
 */
export function routePath(route: ApiRoute, { params = {}, query = {} }: RouteParts = {}) {
  const space = route.indexOf(' ');
  const method = route.slice(0, space);
  const path = route.slice(space + 1).replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..')
      throw new TypeError(`${route}: the param ${name} must name one thing`);
    return encodeURIComponent(value);
  });
  const search = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return { method, path: search ? `${path}?${search}` : path };
}
