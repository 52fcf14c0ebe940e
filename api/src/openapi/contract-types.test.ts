import { describe, expectTypeOf, it } from 'vitest';
import type { ApiContract, ApiErrorCode, MessageEntry } from '../index';

// Checked by `tsc` (these assertions are types); the test names what a client may rely on.
describe('ApiContract (types for clients)', () => {
  it('gives each route its path parameters, query, body and response', () => {
    type Replies = ApiContract['GET /api/channels/{channelId}/messages/{messageId}/replies'];
    expectTypeOf<Replies['params']>().toEqualTypeOf<{ channelId: string; messageId: string }>();
    expectTypeOf<Replies['query']>().toEqualTypeOf<{ after?: string; limit?: number }>();
    expectTypeOf<Replies['body']>().toEqualTypeOf<undefined>();
    expectTypeOf<Replies['response']['replies']>().toEqualTypeOf<MessageEntry[]>();
    expectTypeOf<Replies['method']>().toEqualTypeOf<'GET'>();
  });

  it('takes request bodies as sent (defaults optional) and answers as sent (dates as strings)', () => {
    type Create = ApiContract['POST /api/workspaces/{workspaceId}/channels'];
    expectTypeOf<{ name: string }>().toExtend<Create['body']>();
    expectTypeOf<Create['response']['channel']['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf<Create['params']>().toEqualTypeOf<{ workspaceId: string }>();
  });

  it('answers 204 routes with no body, and keeps each status of a route answering two', () => {
    expectTypeOf<ApiContract['POST /api/auth/logout']['response']>().toEqualTypeOf<undefined>();
    type Dm = ApiContract['POST /api/workspaces/{workspaceId}/dms'];
    expectTypeOf<keyof Dm['responses']>().toEqualTypeOf<200 | 201>();
  });

  it('names error codes as a closed union', () => {
    expectTypeOf<'not_found'>().toExtend<ApiErrorCode>();
    expectTypeOf<'no_such_code'>().not.toExtend<ApiErrorCode>();
  });
});
