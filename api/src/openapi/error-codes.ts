import { z } from 'zod';

/**
 * Every `code` an API error answer may carry (`{ "error": { "code", "message" } }`). Clients
 * branch on these, so they are a closed set: error-codes.test.ts fails when the source throws a
 * code that is not listed here.
 */
export const API_ERROR_CODES = [
  'email_taken',
  'file_empty',
  'file_too_large',
  'file_type_refused',
  'forbidden',
  'forbidden_origin',
  'internal',
  'invalid_channels',
  'invalid_credentials',
  /** A search cursor of another search, or not one at all (routes/search). */
  'invalid_cursor',
  'invalid_invitation',
  'invalid_members',
  'invalid_new_owner',
  'invalid_refresh_token',
  'invalid_request',
  'invalid_reset_token',
  'invitation_for_another_email',
  'member_changed',
  'name_taken',
  'not_found',
  'payload_too_large',
  'quota_exceeded',
  'rate_limited',
  'refresh_conflict',
  'request_aborted',
  'search_timeout',
  'slug_taken',
  'sso_unknown_provider',
  'unauthenticated',
  'unsupported_media_type',
  /** A password zxcvbn scores below 3: common, breached or guessable (routes/auth/password-policy). */
  'weak_password',
  /** Test mode only: a 2xx answer did not match its documented schema (response-check.ts). */
  'response_schema_mismatch',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const errorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.enum(API_ERROR_CODES), message: z.string() }),
});
export type ApiErrorBody = z.infer<typeof errorResponseSchema>;
