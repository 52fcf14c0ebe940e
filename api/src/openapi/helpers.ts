import { z } from 'zod';

export type Schema = Record<string, unknown>;

/** Requests are described as clients may send them (`input`), responses as sent (`output`). */
export const json = (schema: z.ZodType, io: 'input' | 'output' = 'input'): Schema =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: json(schema) } },
});
export const ok = (description: string, schema?: Schema) => ({
  description,
  ...(schema ? { content: { 'application/json': { schema } } } : {}),
});
export const error = (description: string) => ok(description, ref('Error'));
export const bearer = [{ bearer: [] }];

export const commonErrors = {
  '400': error('Invalid request (`invalid_request`)'),
  '413': error('Body larger than 64 KiB (`payload_too_large`)'),
  '415': error('Body is not JSON (`unsupported_media_type`)'),
};
export const authErrors = {
  '401': error('Missing, invalid or expired access token, or ended session (`unauthenticated`)'),
};
export const limited = {
  '429': error('Rate limited (`rate_limited`); `Retry-After` says when to retry'),
};
