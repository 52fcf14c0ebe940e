import type { Db, EventBus, Logger, Policy } from '@confab/db';
import { sql } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import type { Auth } from '../../auth/auth';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { invalidRequest } from '../../errors';
import { parseJson } from '../../http/request';
import { selectRows, visiblePeople } from '../../search/postgres/visible-people';
import { resolveExpiry } from '../../status/expiry';
import { publishStatusChange, type StatusExpiryJob } from '../../status/status-jobs';
import {
  CLEARED_STATUS,
  readStatus,
  readStatuses,
  type UserStatus,
  writeStatus,
} from '../../status/status-store';
import { workspaceRoleOr404 } from '../org-deps';
import { setDndSchema, setStatusSchema, statusIdsQuerySchema } from './schemas';

export interface StatusDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  auth: Auth;
  policy: Policy;
  /**
   * Queues the expiry of a status or DND end (`scheduleStatusExpiry` on a queue that runs
   * `registerStatusJobs`). Absent (a process without jobs), reads alone treat what ended as
   * cleared, and nothing tells clients when it does.
   */
  scheduleExpiry?: ScheduleExpiry;
}

export type ScheduleExpiry = (job: Omit<StatusExpiryJob, 'at'>, at: Date) => Promise<void>;

export function serializeStatus({ status, dnd, version }: UserStatus) {
  return {
    status: status && { ...status, expiresAt: status.expiresAt?.toISOString() ?? null },
    dnd: { ...dnd, until: dnd.until?.toISOString() ?? null },
    version,
  };
}

/** `/api/me`: my custom status and do-not-disturb. */
export function meStatusRoutes(deps: StatusDeps) {
  const { db, scheduleExpiry = async () => {} } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(deps.auth));
  const me = (c: Context<{ Variables: AuthVariables }>) => c.get('auth').userId;
  /** Every change: tell my devices and whoever watches me, and answer what is stored now. */
  const answer = async (c: Context<{ Variables: AuthVariables }>, userId: string) => {
    await publishStatusChange(deps, userId);
    return c.json(serializeStatus(await readStatus(db, userId, Date.now())));
  };

  app.get('/status', async (c) => c.json(serializeStatus(await readStatus(db, me(c), Date.now()))));

  app.put('/status', async (c) => {
    const { emoji, text, expiry, timeZone } = await parseJson(c, setStatusSchema);
    const resolved = resolveExpiry(expiry, timeZone, Date.now());
    if (!resolved.ok) throw invalidRequest(resolved.reason);
    const userId = me(c);
    await writeStatus(db, userId, { emoji, text, statusExpiresAt: resolved.expiresAt });
    if (resolved.expiresAt) {
      await scheduleExpiry({ userId, part: 'status' }, resolved.expiresAt);
    }
    return answer(c, userId);
  });

  app.delete('/status', async (c) => {
    await writeStatus(db, me(c), CLEARED_STATUS);
    return answer(c, me(c));
  });

  app.put('/dnd', async (c) => {
    const body = await parseJson(c, setDndSchema);
    const userId = me(c);
    if ('until' in body) {
      const until = new Date(body.until);
      if (until.getTime() <= Date.now()) throw invalidRequest('until is in the past');
      await writeStatus(db, userId, { dndUntil: until });
      await scheduleExpiry({ userId, part: 'dnd' }, until);
    } else {
      const { start, end, timeZone } = body.schedule;
      await writeStatus(db, userId, { dndStart: start, dndEnd: end, dndTimeZone: timeZone });
    }
    return answer(c, userId);
  });

  app.delete('/dnd', async (c) => {
    const change = { dndUntil: null, dndStart: null, dndEnd: null, dndTimeZone: null };
    await writeStatus(db, me(c), change);
    return answer(c, me(c));
  });

  return app;
}

/**
 * `GET /api/workspaces/{workspaceId}/statuses?ids=`: the statuses of up to 100 people the caller
 * may see there (guests: people who share a channel with them); others are left out, as are
 * ids that are nobody, so the answer does not tell who exists.
 */
export function workspaceStatusesRoutes(deps: StatusDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('*', requireAuth(deps.auth));
  app.get('/:workspaceId/statuses', async (c) => {
    const userId = c.get('auth').userId;
    const workspaceId = c.req.param('workspaceId');
    await workspaceRoleOr404(deps.policy, userId, workspaceId);
    const parsed = statusIdsQuerySchema.safeParse(c.req.query());
    if (!parsed.success) throw invalidRequest('ids: 1 to 100 user ids, comma-separated');
    const visible = visiblePeople({ userId, workspaceId }, { includeRemoved: false });
    const rows = await selectRows<{ user_id: string }>(
      deps.db,
      sql`SELECT DISTINCT user_id FROM (${visible}) AS visible
        WHERE user_id = ANY(${sql.param(parsed.data.ids)}::uuid[])`,
    );
    const ids = rows.map((row) => row.user_id);
    const statuses = await readStatuses(deps.db, ids, Date.now());
    return c.json({
      statuses: ids.map((id) => {
        const status = statuses.get(id);
        if (!status) throw new Error('status read lost a user');
        return { userId: id, ...serializeStatus(status) };
      }),
    });
  });
  return app;
}
