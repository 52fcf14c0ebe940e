import { type Backends, type Logger, Policy } from '@confab/db';
import { Hono } from 'hono';
import type { Auth } from './auth/auth';
import type { BackgroundTasks } from './background-tasks';
import { clientAssets } from './client-assets';
import type { ServiceName } from './env';
import { ApiError, errorBody } from './errors';
import { FileUrlSigner } from './files/url-signer';
import {
  BodyTooLargeError,
  limitRequestBodies,
  payloadTooLarge,
  RequestAbortedError,
} from './http/body-limit';
import { securityHeaders } from './http/security-headers';
import type { Mailer } from './mail/mailer';
import { UnsubscribeTokens } from './notifications/unsubscribe-token';
import { openApiDocument } from './openapi/document';
import { responseCheck } from './openapi/response-check';
import { authRoutes } from './routes/auth/auth-routes';
import { passwordResetRoutes } from './routes/auth/password-reset-routes';
import { ssoRoutes } from './routes/auth/sso-routes';
import { channelsRoutes } from './routes/channels/channels-routes';
import { channelFilesRoutes } from './routes/files/channel-files-routes';
import { DEFAULT_FILE_SETTINGS, type FileSettings } from './routes/files/files-deps';
import { fileContentPolicy, filesRoutes } from './routes/files/files-routes';
import { healthRoute } from './routes/health/health-route';
import { invitationsRoutes } from './routes/invitations/invitations-routes';
import {
  channelNotificationRoutes,
  meNotificationRoutes,
  unsubscribeRoutes,
  workspaceNotificationRoutes,
} from './routes/notifications/notification-routes';
import { searchRoutes } from './routes/search/search-routes';
import {
  meStatusRoutes,
  type ScheduleExpiry,
  workspaceStatusesRoutes,
} from './routes/status/status-routes';
import { syncTicketsRoute } from './routes/sync-tickets/sync-tickets-route';
import { workspacesRoutes } from './routes/workspaces/workspaces-routes';
import type { SearchEngine } from './search/engine';
import { createPostgresSearchEngine } from './search/postgres-engine';

/** `POST /api/channels/{channelId}/files` (channel-files-routes.ts). */
const UPLOAD_PATH = /^\/api\/channels\/[^/]+\/files$/;

export interface AppOptions {
  backends: Backends;
  auth: Auth;
  mailer: Mailer;
  tasks: BackgroundTasks;
  logger: Logger;
  services: readonly ServiceName[];
  clientDir: string;
  version: string;
  startedAt?: Date;
  /** Tests only: every 2xx answer must match its documented schema (openapi/response-check.ts). */
  checkResponses?: boolean;
  /** File limits (default DEFAULT_FILE_SETTINGS) and the processing queue. */
  files?: FilesWiring;
  /** The search engine (`searchEngineFromEnv`); default: Postgres, on the app's database. */
  search?: SearchEngine;
  /** Queues status and DND expiry (status-jobs.ts); absent: reads alone clear what ended. */
  scheduleStatusExpiry?: ScheduleExpiry;
}

export interface FilesWiring {
  settings?: FileSettings;
  /** Queues a promoted file's processing; absent: files stay `processing: 'pending'`. */
  enqueueProcessing?: (fileId: string) => Promise<void>;
}

/** The HTTP side of Confab: `/api/*`, and the web client at `/` when it is among the services. */
export function createApp({
  backends,
  auth,
  mailer,
  tasks,
  logger,
  services,
  clientDir,
  version,
  startedAt = new Date(),
  checkResponses = false,
  files: { settings = DEFAULT_FILE_SETTINGS, enqueueProcessing } = {},
  search = createPostgresSearchEngine(backends.database.db),
  scheduleStatusExpiry,
}: AppOptions) {
  const app = new Hono();
  if (checkResponses) app.use('*', responseCheck({ logger }));
  // Before the app-wide headers, so that its sandboxing CSP is the one file bytes go out with.
  app.use('/api/files/:fileId/content/*', fileContentPolicy());
  app.use(
    '*',
    securityHeaders({ publicUrl: auth.config.publicUrl, trustProxy: auth.config.trustProxy }),
  );
  // Uploads are held to the file limit from the first byte (the route lowers it to what the quota
  // leaves); everything else to the JSON default. The wrapper checks its limit as soon as it is
  // made, so an upload's ceiling cannot wait for its route to raise it.
  const uploadBodies = limitRequestBodies({
    maxBytes: settings.maxBytes,
    nodeBodyReadByRoute: true,
  });
  const otherBodies = limitRequestBodies();
  app.use('*', (c, next) =>
    c.req.method === 'POST' && UPLOAD_PATH.test(c.req.path)
      ? uploadBodies(c, next)
      : otherBodies(c, next),
  );

  const api = new Hono();
  if (services.includes('api')) {
    api.route(
      '/health',
      healthRoute({ backends, services, version, startedAt, trustProxy: auth.config.trustProxy }),
    );
    const openApi = openApiDocument(version);
    api.get('/openapi.json', (c) => c.json(openApi));
    api.route(
      '/auth/password-reset',
      passwordResetRoutes({
        reset: auth.reset,
        limits: auth.limits,
        trustProxy: auth.config.trustProxy,
      }),
    );
    api.route('/auth/oidc', ssoRoutes(auth));
    api.route('/auth', authRoutes(auth));
    api.route('/sync/tickets', syncTicketsRoute(auth, backends.kv));
    const org = {
      db: backends.database.db,
      policy: new Policy(backends.database.db),
      bus: backends.bus,
      auth,
      mailer,
      tasks,
    };
    // Before the workspace routes, with its own auth: `/workspaces/:id/search` answers here.
    api.route('/workspaces', searchRoutes({ policy: org.policy, auth, engine: search }));
    const status = {
      ...org,
      logger,
      ...(scheduleStatusExpiry ? { scheduleExpiry: scheduleStatusExpiry } : {}),
    };
    // Before the workspace routes, with its own auth: `/workspaces/:id/statuses` answers here.
    api.route('/workspaces', workspaceStatusesRoutes(status));
    const notifications = {
      ...org,
      unsubscribeTokens: UnsubscribeTokens.opener(backends.database.db),
    };
    // Before the workspace, channel and me routes, each with its own auth.
    api.route('/workspaces', workspaceNotificationRoutes(notifications));
    api.route('/channels', channelNotificationRoutes(notifications));
    api.route('/me', meNotificationRoutes(notifications));
    api.route('/notifications', unsubscribeRoutes(notifications));
    api.route('/workspaces', workspacesRoutes(org));
    api.route('/me', meStatusRoutes(status));
    const filesDeps = {
      ...org,
      blobs: backends.blobs,
      signer: FileUrlSigner.opener(backends.database.db),
      settings,
      logger,
      ...(enqueueProcessing ? { enqueueProcessing } : {}),
    };
    // Before the channel routes: `/channels/:id/files` answers here, with its own auth.
    api.route('/channels', channelFilesRoutes(filesDeps));
    api.route('/files', filesRoutes(filesDeps));
    api.route('/channels', channelsRoutes(org));
    api.route('/invitations', invitationsRoutes(org));
    // RFC 8615 well-known location, so other services can verify our access tokens.
    app.get('/.well-known/jwks.json', (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      return c.json(auth.keys.jwks());
    });
  }
  api.all('*', (c) =>
    c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404),
  );
  app.route('/api', api);

  if (services.includes('client')) app.route('/', clientAssets(clientDir));

  app.notFound((c) => c.json(errorBody('not_found', 'Not found'), 404));
  app.onError((error, c) => {
    // A route that streams its body (an upload) lets the limit's error reach us unwrapped.
    const known = error instanceof BodyTooLargeError ? payloadTooLarge(error.maxBytes) : error;
    if (known instanceof ApiError) {
      const response = c.json(errorBody(known.code, known.message), known.status);
      for (const [name, value] of Object.entries(known.headers)) response.headers.set(name, value);
      return response;
    }
    if (error instanceof RequestAbortedError) {
      // The client's doing, and nobody is left to read the answer: no stack, no alarm.
      logger.info({ method: c.req.method, path: c.req.path }, 'request aborted');
      return c.json(errorBody('request_aborted', 'The request ended before its body'), 400);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Something went wrong on our side'), 500);
  });
  return app;
}
