import { authPaths } from './auth-paths';
import { contract, type RouteContract } from './contract';
import { errorResponseSchema } from './error-codes';
import { json } from './helpers';
import { notificationPaths } from './notification-paths';
import { orgPaths } from './org-paths';
import { searchPaths } from './search-paths';
import { statusPaths } from './status-paths';

type Operation = {
  requestBody?: { required?: boolean };
  responses: Record<string, { description: string; content?: unknown }>;
};
type Paths = Record<string, Record<string, Operation>>;

/**
 * The paths (summaries, parameters, error answers) with the contract's schemas put in: each
 * request body, and each documented success answer. A contract entry for a route or status the
 * paths do not describe is a programming error, refused when the document is built.
 */
export function withContract(paths: Paths, routes: Record<string, RouteContract>): Paths {
  const merged: Paths = structuredClone(paths);
  for (const [key, route] of Object.entries(routes)) {
    const [method = '', path = ''] = key.split(' ');
    const operation = merged[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`contract names ${key}, which the document does not describe`);
    if (route.body) {
      operation.requestBody = {
        required: operation.requestBody?.required ?? true,
        content: { 'application/json': { schema: json(route.body, 'input') } },
      } as Operation['requestBody'];
    }
    for (const [status, schema] of Object.entries(route.responses)) {
      const response = operation.responses[status];
      if (!response) throw new Error(`contract names ${status} of ${key}, not in the document`);
      if (schema) response.content = { 'application/json': { schema: json(schema, 'output') } };
    }
  }
  return merged;
}

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
      schemas: { Error: json(errorResponseSchema, 'output') },
    },
    paths: withContract(
      { ...authPaths, ...orgPaths, ...searchPaths, ...statusPaths, ...notificationPaths } as Paths,
      contract,
    ),
  };
}
