import type { Backends } from '@confab/db';
import { Hono } from 'hono';
import type { ServiceName } from '../../env';
import { clientIp, isLoopbackAddress } from '../../http/request';

export interface HealthRouteOptions {
  backends: Backends;
  services: readonly ServiceName[];
  version: string;
  startedAt: Date;
  trustProxy: boolean;
}

/**
 * `GET /api/health`: 200 when every backend answers, 503 otherwise, so a load balancer takes a
 * node whose database is gone out of rotation. Anyone learns only that (`{status}`); the details
 * (version, installation id, services, uptime, which backends) tell an attacker what to aim at, so
 * they go only to a caller on this machine: an operator's curl, the container's health check.
 * Behind a proxy the caller is the address the proxy reports, so a public request never counts.
 */
export function healthRoute({
  backends,
  services,
  version,
  startedAt,
  trustProxy,
}: HealthRouteOptions) {
  return new Hono().get('/', async (c) => {
    const health = await backends.health();
    const status = health.ok ? 'ok' : 'degraded';
    const code = health.ok ? 200 : 503;
    c.header('Cache-Control', 'no-store');
    if (!isLoopbackAddress(clientIp(c, trustProxy))) return c.json({ status }, code);
    return c.json(
      {
        status,
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
      code,
    );
  });
}
