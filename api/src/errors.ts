import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a client may see. `code` is stable (clients branch on it); `message` is for people.
 * Rendered as `{ "error": { "code", "message" } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (message = 'Not found') => new ApiError(404, 'not_found', message);

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
