/**
 * What the containers run. Tasks get the database password and the Redis AUTH token as secrets of
 * their own (ECS cannot splice a secret into a string), and the shell joins them into the URLs the
 * processes read. The secrets are letters and digits only (data-stores.ts), so nothing needs
 * escaping. RDS presents a certificate of Amazon's RDS authority, which Node does not ship:
 * `sslmode=no-verify` keeps the connection encrypted (the parameter group refuses plain text)
 * without verifying it; ElastiCache's certificate verifies against Node's store.
 */
// `$NAME` without braces: CloudFormation would take `${NAME}` for one of its own parameters.
const CONNECT =
  'export DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME?sslmode=no-verify"' +
  ' REDIS_URL="rediss://:$REDIS_AUTH_TOKEN@$REDIS_HOST:$REDIS_PORT"';

/** The variables `CONNECT` reads: plain ones from the stack, secret ones from Secrets Manager. */
export const CONNECT_PLAIN_VARIABLES = [
  'DB_USER',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'REDIS_HOST',
  'REDIS_PORT',
] as const;
export const CONNECT_SECRET_VARIABLES = ['DB_PASSWORD', 'REDIS_AUTH_TOKEN'] as const;

/** The images' own commands (their Dockerfiles' CMD), here so the task and the image agree. */
export const API_PROCESS = 'node --import tsx api/src/main.ts';
export const SYNC_PROCESS = 'node --import tsx sync-server/src/main.ts';

/**
 * The one-off migration task: opening the backends runs the migrations (under an advisory lock,
 * db/README.md "Migrations"), and the task then exits 0, or 1 with the reason in its log.
 */
export const MIGRATE_SCRIPT = [
  "const { backendEnvSchema, createLogger, openBackends, parseEnv } = await import('@confab/db');",
  'const env = parseEnv(backendEnvSchema, process.env);',
  "const logger = createLogger(env.LOG_LEVEL, { service: 'confab-migrate' });",
  "const backends = await openBackends(env, { logger, connectionName: 'confab-migrate' });",
  'await backends.close();',
  "logger.info('migrations applied');",
].join('\n');

export const MIGRATE_PROCESS = `node --import tsx --input-type=module --eval "${MIGRATE_SCRIPT}"`;

/** `sh -c` arguments that build the URLs, then replace the shell with the process. */
export function shellCommand(process: string): string[] {
  return ['sh', '-c', `${CONNECT} && exec ${process}`];
}
