import { z } from 'zod';

const statusSchema = z.enum(['ok', 'degraded']);
const backendStatusSchema = z.strictObject({
  kind: z.string(),
  embedded: z.boolean(),
  ok: z.boolean(),
  error: z.string().optional(),
});

/** Anyone gets `{status}`; a caller on this machine gets the details too (see health-route.ts). */
export const healthResponseSchema = z.union([
  z.strictObject({ status: statusSchema }),
  z.strictObject({
    status: statusSchema,
    version: z.string(),
    installationId: z.string(),
    services: z.array(z.enum(['api', 'sync', 'client'])),
    uptimeSeconds: z.number().int().nonnegative(),
    backends: z.strictObject({
      database: backendStatusSchema,
      redis: backendStatusSchema,
      bus: backendStatusSchema,
      blobs: backendStatusSchema,
    }),
  }),
]);
