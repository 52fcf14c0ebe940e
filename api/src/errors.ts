import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a client may see. `code` is stable (clients branch on it); `message` is for people.
 * Rendered as `{ "error": { "code", "message" } }`, with `headers` added to the response.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (message = 'Not found') => new ApiError(404, 'not_found', message);
export const unauthenticated = (message = 'Sign in first') =>
  new ApiError(401, 'unauthenticated', message, {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });
export const invalidRequest = (message: string) => new ApiError(400, 'invalid_request', message);

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
