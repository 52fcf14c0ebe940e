import type { Db } from '@confab/db';
import { type AppOptions, createApp } from './app';
import { type Auth, type AuthConfig, createAuth } from './auth/auth';
import type { ApiEnv } from './env';
import type { FileSettings } from './routes/files/files-deps';
import type { SearchEngine } from './search/engine';
import { createPostgresSearchEngine } from './search/postgres-engine';

/** What `createApp` takes, with the auth settings in place of a built `Auth`. */
export type AppWiring = Omit<AppOptions, 'auth'> & { auth: AuthConfig };

/**
 * Auth and the routes on open backends: the one wiring of the HTTP side, used by the server and
 * by tests alike, so a test exercises the app as it is served.
 */
export async function composeApp({
  backends,
  auth: authConfig,
  mailer,
  tasks,
  ...options
}: AppWiring): Promise<{ app: ReturnType<typeof createApp>; auth: Auth }> {
  const auth = await createAuth(backends, authConfig, { mailer, tasks });
  return { app: createApp({ backends, auth, mailer, tasks, ...options }), auth };
}

/** The auth settings of a process, from its validated environment. */
export function authConfigFromEnv(env: ApiEnv): AuthConfig {
  return {
    publicUrl: env.PUBLIC_URL,
    allowedOrigins: env.ALLOWED_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    passwordScheme: env.PASSWORD_HASH,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    oidcProviders: env.OIDC_PROVIDERS,
    rateLimits: {
      search: { points: env.SEARCH_RATE_LIMIT_PER_MINUTE, duration: 60 },
      suggest: { points: 10 * env.SEARCH_RATE_LIMIT_PER_MINUTE, duration: 60 },
    },
  };
}

/** The file limits of a process, from its validated environment. */
export function fileSettingsFromEnv(env: ApiEnv): FileSettings {
  return {
    maxBytes: env.FILE_MAX_BYTES,
    workspaceQuotaBytes: env.FILE_WORKSPACE_QUOTA_BYTES,
    purgeGraceSeconds: env.FILE_PURGE_GRACE_SECONDS,
  };
}

/**
 * The search engine a process runs, chosen by configuration. Postgres (the application's own
 * database) is the only one so far; a second engine is picked here from its own setting.
 */
export function searchEngineFromEnv(_env: ApiEnv, db: Db): SearchEngine {
  return createPostgresSearchEngine(db);
}
