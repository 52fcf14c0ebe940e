import type { Backends, Logger } from '@confab/db';
import { createApp } from './app';
import { type Auth, type AuthConfig, createAuth } from './auth/auth';
import type { BackgroundTasks } from './background-tasks';
import type { ApiEnv, ServiceName } from './env';
import type { Mailer } from './mail/mailer';

export interface AppWiring {
  backends: Backends;
  auth: AuthConfig;
  mailer: Mailer;
  tasks: BackgroundTasks;
  logger: Logger;
  services: readonly ServiceName[];
  clientDir: string;
  version: string;
  /** Tests only: hold every 2xx answer to its documented schema (openapi/response-check.ts). */
  checkResponses?: boolean;
}

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
  };
}
