import type { Logger } from '@confab/db';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { errorBody } from '../errors';
import { contract as apiContract, type RouteContract } from './contract';

interface CompiledRoute {
  key: string;
  method: string;
  pattern: RegExp;
  route: RouteContract;
}

/** `/api/channels/{channelId}` -> `^/api/channels/[^/]+$`; literal paths sort before templates. */
function compile(routes: Record<string, RouteContract>): CompiledRoute[] {
  return Object.entries(routes)
    .map(([key, route]) => {
      const [method = '', path = ''] = key.split(' ');
      const source = path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+');
      return { key, method, pattern: new RegExp(`^${source}$`), route };
    })
    .sort((a, b) => a.key.split('{').length - b.key.split('{').length);
}

/** Why a success answer breaks its route's contract, or null when it keeps it. */
export async function contractViolation(
  route: RouteContract,
  response: Response,
): Promise<string | null> {
  if (!(response.status in route.responses))
    return `status ${response.status} is not a documented answer`;
  if (route.binary) return null;
  const schema = route.responses[response.status];
  const text = await response.clone().text();
  if (!schema) return text ? `status ${response.status} is documented without a body` : null;
  if (!response.headers.get('content-type')?.startsWith('application/json'))
    return 'the body is not JSON';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not valid JSON';
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? null : z.prettifyError(parsed.error);
}

/**
 * Test mode only (`checkResponses` of createApp; never in production, where it would cost a
 * parse per answer): holds every 2xx answer of a documented route to its response schema. A
 * mismatch, such as a field the schema lacks, turns the answer into a 500
 * `response_schema_mismatch` naming the route and the zod issues, so whichever test made the
 * request fails, and the route and its callers cannot drift apart unnoticed.
 */
export function responseCheck({
  routes = apiContract,
  logger,
}: {
  routes?: Record<string, RouteContract>;
  logger?: Logger;
} = {}): MiddlewareHandler {
  const compiled = compile(routes);
  return async (c, next) => {
    await next();
    if (c.res.status < 200 || c.res.status >= 400) return;
    const path = c.req.path;
    const match = compiled.find(
      (entry) => entry.method === c.req.method && entry.pattern.test(path),
    );
    if (!match) return;
    const violation = await contractViolation(match.route, c.res);
    if (!violation) return;
    logger?.error(
      { route: match.key, status: c.res.status, violation },
      'response schema mismatch',
    );
    c.res = new Response(
      JSON.stringify(
        errorBody(
          'response_schema_mismatch',
          `${match.key} answered ${c.res.status} outside its schema: ${violation}`,
        ),
      ),
      { status: 500, headers: { 'Content-Type': 'application/json' } },
    );
  };
}
