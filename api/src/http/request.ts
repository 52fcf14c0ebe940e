import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, invalidRequest } from '../errors';
import { readBody } from './body-limit';

/**
 * Reads and validates a JSON body; anything else is a 400 that changes nothing. The body is read
 * through the route's limit (`limitRequestBodies`), never whole before it is measured.
 */
export async function parseJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  if (!c.req.header('content-type')?.toLowerCase().startsWith('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send JSON (Content-Type: application/json)');
  }
  const bytes = await readBody(c);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidRequest('Body is not valid JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * The client's address. Behind a load balancer (TRUST_PROXY) it is the last hop the proxy added to
 * X-Forwarded-For; otherwise the socket's peer. A client cannot choose it either way.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const last = hops?.at(-1);
    if (last) return last;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * Cookie-authenticated unsafe requests must come from an allowed origin (CSRF). Browsers send
 * Origin on every cross-origin POST and cannot forge it.
 */
export function assertAllowedOrigin(c: Context, allowedOrigins: readonly string[]): void {
  const origin = c.req.header('origin');
  if (!origin || !allowedOrigins.includes(origin)) {
    throw new ApiError(403, 'forbidden_origin', 'This request must come from the Confab web app');
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack socket reports). */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
