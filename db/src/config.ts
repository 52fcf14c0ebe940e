import { z } from 'zod';

/** Thrown when the environment does not satisfy a schema; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses environment variables once, at start. Empty strings count as unset so that `FOO=` in a
 * compose file means "use the default", as it does for most servers.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    // Variables are flat; a list's element index would only confuse ("SERVICES.1").
    const name = String(issue.path[0] ?? '(environment)');
    const got = cleaned[name];
    return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(shown(name, got))})`}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Start-up errors end up in logs: never echo a secret, nor the password inside a URL. */
function shown(name: string, value: string): string {
  if (/SECRET|PASSWORD|TOKEN|PRIVATE/.test(name)) return '(hidden)';
  return value.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

export const portSchema = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number from 0 to 65535' })
    .int('expected a port number from 0 to 65535')
    .min(0, 'expected a port number from 0 to 65535')
    .max(65535, 'expected a port number from 0 to 65535')
    .default(fallback);

const urlWithProtocol = (protocols: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `expected a URL like ${example}` },
  );

export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** The storage backends every server process shares; unset means the embedded default. */
export const backendEnvSchema = z.object({
  DATABASE_URL: urlWithProtocol(
    ['postgres:', 'postgresql:'],
    'postgres://user:password@host:5432/confab',
  ).optional(),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(2, 'expected an integer of at least 2')
    .max(200)
    .default(10),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:'], 'redis://host:6379/0').optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or _.:-')
    .default('confab:'),
  DATA_DIR: z.string().min(1).default('./.confab'),
  /** Set: blobs go to this S3 bucket instead of `DATA_DIR/blobs` (credentials: the AWS chain). */
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens',
    )
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'expected an AWS region like eu-central-1')
    .default('us-east-1'),
  /** An S3-compatible server (MinIO, Ceph, R2, s3rver); unset: AWS itself. */
  S3_ENDPOINT: urlWithProtocol(['http:', 'https:'], 'https://s3.example.com').optional(),
  /** Unset: true exactly when S3_ENDPOINT is set, as most S3-compatible servers need it. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .transform((value) => value === 'true' || value === '1')
    .optional(),
  LOG_LEVEL: logLevelSchema,
  /** How long a node keeps a user present after their last connection to it closed. */
  PRESENCE_GRACE_MS: z.coerce
    .number({ error: 'expected milliseconds from 0 to 600000' })
    .int('expected milliseconds from 0 to 600000')
    .min(0, 'expected milliseconds from 0 to 600000')
    .max(600_000, 'expected milliseconds from 0 to 600000')
    .default(30_000),
  /**
   * How long a node's presence lives without being refreshed (every third of it): a node that
   * dies takes its users offline after at most this long.
   */
  PRESENCE_TTL_MS: z.coerce
    .number({ error: 'expected milliseconds from 300 to 600000' })
    .int('expected milliseconds from 300 to 600000')
    .min(300, 'expected milliseconds from 300 to 600000')
    .max(600_000, 'expected milliseconds from 300 to 600000')
    .default(30_000),
  /**
   * Start even when Postgres or Redis is set up to lose acknowledged data (durability-checks.ts);
   * for throwaway setups whose operator accepts that, and logged as a warning at every start.
   */
  UNSAFE_SKIP_DURABILITY_CHECKS: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
});

export type BackendEnv = z.infer<typeof backendEnvSchema>;

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

/**
 * Where blobs go when S3 is configured, else null (the local folder). A schema refinement would stop
 * `backendEnvSchema.extend`, so the variables that only mean something with a bucket are checked here.
 */
export function s3Settings(env: BackendEnv): S3Settings | null {
  if (!env.S3_BUCKET) {
    const orphans = (['S3_ENDPOINT', 'S3_FORCE_PATH_STYLE'] as const).filter(
      (name) => env[name] !== undefined,
    );
    if (orphans.length === 0) return null;
    throw new ConfigError(
      `Invalid configuration:\n  S3_BUCKET: required when ${orphans.join(' or ')} is set`,
    );
  }
  return {
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
  };
}

/** What every server process adds to the backends: where to listen and how long to drain. */
export const serverEnvSchema = backendEnvSchema.extend({
  HOST: z.string().min(1).default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
});
