import type { Backends } from '@confab/db';
import { Hono } from 'hono';
import type { ServiceName } from '../../env';

export interface HealthRouteOptions {
  backends: Backends;
  services: readonly ServiceName[];
  version: string;
  startedAt: Date;
}

/**
 * `GET /api/health`: 200 when every backend answers, 503 otherwise, so a load balancer takes a
 * node whose database is gone out of rotation. Names the backends in use so an operator can see at
 * a glance whether a node runs embedded or against the real services.
 */
export function healthRoute({ backends, services, version, startedAt }: HealthRouteOptions) {
  return new Hono().get('/', async (c) => {
    const health = await backends.health();
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        status: health.ok ? 'ok' : 'degraded',
        version,
        installationId: backends.installation.id,
        services,
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        backends: {
          database: health.database,
          redis: health.redis,
          bus: health.bus,
          blobs: health.blobs,
        },
      },
      health.ok ? 200 : 503,
    );
  });
}
