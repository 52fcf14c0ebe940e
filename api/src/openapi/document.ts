import { authPaths } from './auth-paths';
import { ref } from './helpers';
import { orgPaths } from './org-paths';

/** The OpenAPI 3.1 description of the API, served at `/api/openapi.json`. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Confab API',
      version,
      description:
        'Errors are `{ "error": { "code", "message" } }` with a stable `code`. Authenticated routes take `Authorization: Bearer <access token>`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        User: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            email: { type: 'string' },
            name: { type: 'string' },
            emailVerified: { type: 'boolean' },
          },
        },
        Tokens: {
          type: 'object',
          required: ['tokenType', 'accessToken', 'accessTokenExpiresAt'],
          properties: {
            tokenType: { const: 'Bearer' },
            accessToken: { type: 'string', description: 'EdDSA JWT, at most 15 minutes' },
            accessTokenExpiresAt: { type: 'string', format: 'date-time' },
            refreshToken: {
              type: 'string',
              description:
                'Only with `tokenTransport: "body"`; otherwise in the HttpOnly `confab_refresh` cookie',
            },
            user: ref('User'),
          },
        },
      },
    },
    paths: { ...authPaths, ...orgPaths },
  };
}
