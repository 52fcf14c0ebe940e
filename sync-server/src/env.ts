import { backendEnvSchema, parseEnv, portSchema, serverEnvSchema } from '@confab/db';
import { z } from 'zod';

export const originListSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine(
        (origin) => {
          try {
            return new URL(origin).origin === origin;
          } catch {
            return false;
          }
        },
        {
          error:
            'expected comma-separated origins like https://chat.example.com (scheme://host[:port], no path)',
        },
      ),
    ),
  );

/** The sync server as a process of its own shares state with the API only through Postgres and Redis. */
export const syncEnvSchema = serverEnvSchema.extend({
  PORT: portSchema(3001),
  ALLOWED_ORIGINS: originListSchema,
  DATABASE_URL: backendEnvSchema.shape.DATABASE_URL.unwrap(),
  REDIS_URL: backendEnvSchema.shape.REDIS_URL.unwrap(),
  /** Memory for the projector's doc copies, as bytes of the updates they are built from. */
  PROJECTOR_COPIES_MAX_MB: z.coerce.number().int().min(1).max(65_536).default(256),
});

export type SyncEnv = z.infer<typeof syncEnvSchema>;

export function loadSyncEnv(source: Record<string, string | undefined>): SyncEnv {
  return parseEnv(syncEnvSchema, source);
}

/**
 * The projector as a process of its own (`projection/projector-main.ts`): it needs the shared
 * Postgres and Redis, and answers `GET /health` on `PORT` (3002).
 */
export const projectorEnvSchema = syncEnvSchema
  .omit({ ALLOWED_ORIGINS: true })
  .extend({ PORT: portSchema(3002) });

export function loadProjectorEnv(source: Record<string, string | undefined>) {
  return parseEnv(projectorEnvSchema, source);
}
