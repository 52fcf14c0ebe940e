import {
  loginSchema,
  refreshSchema,
  resetConfirmSchema,
  resetRequestSchema,
  signupSchema,
} from '../routes/auth/schemas';
import { authErrors, bearer, body, commonErrors, error, json, limited, ok } from './helpers';

const WEAK_OR_INVALID =
  'Invalid request (`invalid_request`), or a password zxcvbn scores below 3 (`weak_password`)';

/** Health, the document itself, JWKS, accounts and sessions, SSO, sync tickets. */
export const authPaths = {
  '/api/health': {
    get: {
      summary:
        'Health: `{status}` for anyone; version, installation and backends only for loopback callers',
      responses: { '200': ok('Every backend answers'), '503': ok('A backend does not answer') },
    },
  },
  '/api/openapi.json': {
    get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } },
  },
  '/.well-known/jwks.json': {
    get: {
      summary: 'Public keys that verify access tokens (JWK Set)',
      responses: { '200': ok('JWK Set') },
    },
  },
  '/api/auth/signup': {
    post: {
      summary: 'Create an account and sign in',
      requestBody: body(signupSchema),
      responses: {
        '201': ok('Signed in'),
        '409': error('Email already used (`email_taken`)'),
        ...commonErrors,
        '400': error(WEAK_OR_INVALID),
        ...limited,
      },
    },
  },
  '/api/auth/login': {
    post: {
      summary:
        'Sign in with email and password; sets the `confab_device` cookie that lets this device past the per-account limit later',
      requestBody: body(loginSchema),
      responses: {
        '200': ok('Signed in'),
        '401': error('Unknown email or wrong password, indistinguishably (`invalid_credentials`)'),
        ...commonErrors,
        ...limited,
      },
    },
  },
  '/api/auth/refresh': {
    post: {
      summary: 'Exchange the refresh token (cookie, or body) for new tokens; the old one is spent',
      requestBody: {
        required: false,
        content: { 'application/json': { schema: json(refreshSchema) } },
      },
      responses: {
        '200': ok('New tokens'),
        '401': error(
          'Invalid, expired or replayed refresh token (`invalid_refresh_token`); a replay ends the session',
        ),
        '403': error('Cookie refresh from a foreign origin (`forbidden_origin`)'),
        '409': error(
          'Refreshed concurrently just now (`refresh_conflict`); retry with the newest token',
        ),
        ...commonErrors,
      },
    },
  },
  '/api/auth/logout': {
    post: {
      summary: 'End this session',
      security: bearer,
      responses: { '204': ok('Signed out'), ...authErrors },
    },
  },
  '/api/auth/logout-all': {
    post: {
      summary: 'End every session of this user',
      security: bearer,
      responses: { '204': ok('Signed out everywhere'), ...authErrors },
    },
  },
  '/api/auth/sessions': {
    get: {
      summary: 'My sessions (device, IP, last seen)',
      security: bearer,
      responses: { '200': ok('Sessions'), ...authErrors },
    },
  },
  '/api/auth/sessions/{id}': {
    delete: {
      summary: 'End one of my sessions',
      security: bearer,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '204': ok('Ended'),
        '404': error('No such session of mine (`not_found`)'),
        ...authErrors,
      },
    },
  },
  '/api/auth/me': {
    get: {
      summary: 'The signed-in user',
      security: bearer,
      responses: { '200': ok('User'), ...authErrors },
    },
  },
  '/api/auth/password-reset': {
    post: {
      summary: 'Mail a reset link; answers the same whether or not the account exists',
      requestBody: body(resetRequestSchema),
      responses: { '202': ok('Accepted'), ...commonErrors, ...limited },
    },
  },
  '/api/auth/password-reset/confirm': {
    post: {
      summary: 'Set a new password with the token from the mail; ends every session',
      requestBody: body(resetConfirmSchema),
      responses: {
        '204': ok('Password set'),
        ...commonErrors,
        '400': error(
          `${WEAK_OR_INVALID}; an unknown, used or expired token (\`invalid_reset_token\`)`,
        ),
      },
    },
  },
  '/api/auth/oidc/providers': {
    get: {
      summary: 'Configured single sign-on providers',
      responses: { '200': ok('Providers') },
    },
  },
  '/api/auth/oidc/{provider}/start': {
    get: {
      summary: 'Redirect to the provider (PKCE, state, nonce)',
      parameters: [
        { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'returnTo', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '302': ok('To the provider'),
        '404': error('Unknown provider (`sso_unknown_provider`)'),
      },
    },
  },
  '/api/auth/oidc/{provider}/callback': {
    get: {
      summary: 'Provider redirect target: signs in (refresh cookie) and redirects into the app',
      parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '302': ok('To returnTo, or to /sign-in?sso_error=<code> on failure') },
    },
  },
  '/api/sync/tickets': {
    post: {
      summary:
        'A 60-second ticket for opening sync WebSockets (`/sync/<doc>?ticket=`): without a body it opens one socket; `{"uses": n}` (1-50) opens up to n sockets of this session, for a burst of (re)connects',
      security: bearer,
      requestBody: { required: false },
      responses: { '201': ok('Ticket'), ...authErrors, ...commonErrors },
    },
  },
};
