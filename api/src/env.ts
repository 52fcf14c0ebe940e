import { fileURLToPath } from 'node:url';
import { parseEnv, portSchema, serverEnvSchema } from '@confab/db';
import { originListSchema } from '@confab/sync-server';
import { z } from 'zod';
import { oidcProviderSchema } from './auth/single-sign-on';

const SERVICE_NAMES = ['api', 'sync', 'client'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A positive whole number of bytes, written as digits (no units). */
const byteCount = (fallback: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, { error: 'expected a positive whole number of bytes' })
    .transform(Number)
    .default(fallback);

const defaultClientDir = fileURLToPath(new URL('../../client/dist', import.meta.url));

export const apiEnvSchema = serverEnvSchema
  .extend({
    PORT: portSchema(3000),
    /** Where users reach Confab; its origin is allowed by default. */
    PUBLIC_URL: z
      .url({ error: 'expected the URL users open, like https://chat.example.com' })
      .optional(),
    ALLOWED_ORIGINS: originListSchema.optional(),
    /** What this process serves; all three by default (one-process mode). */
    SERVICES: z
      .string()
      .default(SERVICE_NAMES.join(','))
      .transform((value) => [
        ...new Set(
          value
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(
        z
          .array(
            z.enum(SERVICE_NAMES, {
              error: `expected a comma-separated list of ${SERVICE_NAMES.join(', ')}`,
            }),
          )
          .min(1, `expected at least one of ${SERVICE_NAMES.join(', ')}`),
      ),
    /** Behind a load balancer: take the client address from X-Forwarded-For (last hop). */
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    /** Scheme for new password hashes; both always verify, and old ones are upgraded at login. */
    PASSWORD_HASH: z.enum(['argon2id', 'bcrypt']).default('argon2id'),
    /** Outgoing mail server (smtp:// or smtps://, credentials in the URL); unset: DATA_DIR/outbox. */
    SMTP_URL: z
      .string()
      .refine((value) => /^smtps?:\/\/[^/]+/.test(value), {
        error: 'expected a URL like smtps://user:password@smtp.example.com:465',
      })
      .optional(),
    MAIL_FROM: z.string().min(3).default('Confab <no-reply@localhost>'),
    /** Single sign-on: a JSON array of {id, name, issuer, clientId, clientSecret}. */
    OIDC_PROVIDERS: z
      .string()
      .default('[]')
      .transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'expected a JSON array of {id, name, issuer, clientId, clientSecret}',
          });
          return z.NEVER;
        }
      })
      .pipe(z.array(oidcProviderSchema)),
    CLIENT_DIST_DIR: z.string().min(1).default(defaultClientDir),
    /** Largest file one may upload, in bytes (100 MiB). */
    FILE_MAX_BYTES: byteCount(100 * 1024 * 1024),
    /** What a workspace's files may weigh together, in bytes (10 GiB). */
    FILE_WORKSPACE_QUOTA_BYTES: byteCount(10 * 1024 ** 3),
    /** How long a deleted file's bytes are kept before they are purged (1 day). */
    FILE_PURGE_GRACE_SECONDS: z.coerce
      .number({ error: 'expected a whole number of seconds' })
      .int({ error: 'expected a whole number of seconds' })
      .min(0, { error: 'expected a whole number of seconds' })
      .default(24 * 3600),
    /** Searches one user may run a minute; suggestions (asked as one types) get ten times as many. */
    SEARCH_RATE_LIMIT_PER_MINUTE: z.coerce
      .number({ error: 'expected a whole number of searches' })
      .int({ error: 'expected a whole number of searches' })
      .min(1, { error: 'expected a whole number of searches' })
      .default(60),
  })
  .superRefine((env, ctx) => {
    // A node with company signs tokens with its PUBLIC_URL's origin as issuer, and every other node
    // refuses tokens of another issuer: the default (this node's own port) differs per node, and a
    // failover would then turn into 401s.
    const alone = env.SERVICES.length === SERVICE_NAMES.length && !env.REDIS_URL;
    if (!alone && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message:
          'required when REDIS_URL is set or SERVICES is not api,sync,client: every node must issue and accept tokens for the one URL users open, like https://chat.example.com',
      });
    }
    // Processes that split the services share state only through Postgres and Redis: PGlite's folder
    // and the in-process bus cannot be shared between processes.
    if (env.SERVICES.length === SERVICE_NAMES.length) return;
    for (const name of ['DATABASE_URL', 'REDIS_URL'] as const) {
      if (!env[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `required when SERVICES is not ${SERVICE_NAMES.join(',')} (processes share data only through Postgres and Redis)`,
        });
      }
    }
  });

export type ApiEnv = z.infer<typeof apiEnvSchema> & {
  ALLOWED_ORIGINS: string[];
  PUBLIC_URL: string;
};

export function loadApiEnv(source: Record<string, string | undefined>): ApiEnv {
  const env = parseEnv(apiEnvSchema, source);
  if (env.PUBLIC_URL) {
    return {
      ...env,
      PUBLIC_URL: env.PUBLIC_URL,
      ALLOWED_ORIGINS: env.ALLOWED_ORIGINS ?? [new URL(env.PUBLIC_URL).origin],
    };
  }
  // One process on this machine: users open it as localhost or 127.0.0.1 (or [::1]) alike, and a
  // refresh from any of them must pass the Origin check; tokens keep the one localhost issuer.
  const loopback = ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}:${env.PORT}`);
  return {
    ...env,
    PUBLIC_URL: `http://localhost:${env.PORT}`,
    ALLOWED_ORIGINS: env.ALLOWED_ORIGINS ?? loopback,
  };
}
