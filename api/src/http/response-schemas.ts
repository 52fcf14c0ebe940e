import { ULID_PATTERN } from '@confab/db/model';
import { z } from 'zod';

/**
 * Building blocks of the API's response schemas. Responses are strict objects: a field the schema
 * does not name fails the test-mode response check, so nothing leaks into an answer unnoticed.
 */

/** A moment as JSON carries it: `Date#toJSON`, UTC with `Z`. */
export const timestampSchema = z.iso.datetime();
export const idSchema = z.uuid();
/** Message ids are ULIDs made by the client: time-ordered, 26 Crockford base-32 characters. */
export const messageIdSchema = z.string().regex(ULID_PATTERN);
export const workspaceRoleSchema = z.enum(['owner', 'admin', 'member', 'guest']);
export const channelRoleSchema = z.enum(['admin', 'member']);
