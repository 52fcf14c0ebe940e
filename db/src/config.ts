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
  LOG_LEVEL: logLevelSchema,
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

/** What every server process adds to the backends: where to listen and how long to drain. */
export const serverEnvSchema = backendEnvSchema.extend({
  HOST: z.string().min(1).default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
});
