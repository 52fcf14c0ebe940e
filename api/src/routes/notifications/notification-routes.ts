import { type Channel, canSeeChannel, type Db, type Policy, schema } from '@confab/db';
import { eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Auth } from '../../auth/auth';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { invalidRequest, notFound } from '../../errors';
import { parseJson } from '../../http/request';
import { markRead, readInbox, unreadCount } from '../../notifications/inbox';
import { isDirect } from '../../notifications/rules';
import {
  readPreference,
  readSettings,
  writePreference,
  writeSettings,
} from '../../notifications/settings';
import type { UnsubscribeTokens } from '../../notifications/unsubscribe-token';
import { workspaceRoleOr404 } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import {
  inboxQuerySchema,
  markReadSchema,
  putPreferenceSchema,
  putSettingsSchema,
  unsubscribeQuerySchema,
} from './schemas';

export interface NotificationRouteDeps {
  db: Db;
  policy: Policy;
  auth: Auth;
  unsubscribeTokens: () => Promise<UnsubscribeTokens>;
}

type AuthContext = Context<{ Variables: AuthVariables }>;

function parseQuery<S extends z.ZodType>(schema: S, c: Context): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidRequest(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** `/api/channels/{channelId}/notification-preference`: members only; others 404 like a random id. */
export function channelNotificationRoutes({ db, policy, auth }: NotificationRouteDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('/:channelId/notification-preference', requireAuth(auth));
  const membership = async (c: AuthContext) => {
    const userId = c.get('auth').userId;
    const channelId = c.req.param('channelId') ?? '';
    const loaded = uuidSchema.safeParse(channelId).success
      ? await policy.channelContext(userId, channelId)
      : null;
    if (!loaded || !canSeeChannel(loaded.context) || !loaded.context.channelRole)
      throw notFound('No such channel');
    return { userId, channel: loaded.channel };
  };
  const answer = async (c: AuthContext, userId: string, channel: Pick<Channel, 'id' | 'kind'>) => {
    const preference = await readPreference(db, userId, channel.id, channel.kind);
    if (!preference) throw notFound('No such channel');
    return c.json(preference);
  };

  app.get('/:channelId/notification-preference', async (c) => {
    const { userId, channel } = await membership(c);
    return answer(c, userId, channel);
  });

  app.put('/:channelId/notification-preference', async (c) => {
    const { userId, channel } = await membership(c);
    const change = await parseJson(c, putPreferenceSchema);
    // The rules notify of every DM whatever the preference: a stored one would say otherwise.
    if (isDirect(channel.kind) && (change.preference ?? 'default') !== 'default')
      throw invalidRequest(
        'preference: every message of a direct message notifies; mute it to silence it',
      );
    if (!(await writePreference(db, userId, channel.id, change))) throw notFound('No such channel');
    return answer(c, userId, channel);
  });
  return app;
}

/** `/api/me/notification-settings`: my keywords and whether unread mentions are mailed. */
export function meNotificationRoutes({ db, auth }: NotificationRouteDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('/notification-settings', requireAuth(auth));
  app.get('/notification-settings', async (c) =>
    c.json(await readSettings(db, c.get('auth').userId)),
  );
  app.put('/notification-settings', async (c) => {
    const settings = await parseJson(c, putSettingsSchema);
    return c.json(await writeSettings(db, c.get('auth').userId, settings));
  });
  return app;
}

/** `/api/workspaces/{workspaceId}/notifications`: my inbox there, and marking it read. */
export function workspaceNotificationRoutes({ db, policy, auth }: NotificationRouteDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('/:workspaceId/notifications', requireAuth(auth));
  app.use('/:workspaceId/notifications/*', requireAuth(auth));

  app.get('/:workspaceId/notifications', async (c) => {
    const userId = c.get('auth').userId;
    const workspaceId = c.req.param('workspaceId');
    await workspaceRoleOr404(policy, userId, workspaceId);
    const query = parseQuery(inboxQuerySchema, c);
    const page = await readInbox(db, {
      userId,
      workspaceId,
      cursor: query.cursor === undefined ? undefined : Number(query.cursor),
      limit: query.limit,
      unreadOnly: query.unread === 'true',
    });
    return c.json({ ...page, unreadCount: await unreadCount(db, userId, workspaceId) });
  });

  app.post('/:workspaceId/notifications/read', async (c) => {
    const userId = c.get('auth').userId;
    const workspaceId = c.req.param('workspaceId');
    await workspaceRoleOr404(policy, userId, workspaceId);
    const body = await parseJson(c, markReadSchema);
    await markRead(
      db,
      userId,
      workspaceId,
      'all' in body ? { all: true } : { ids: body.ids.map(Number) },
    );
    return c.json({ unreadCount: await unreadCount(db, userId, workspaceId) });
  });
  return app;
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1 style="font-size: 1.4rem">${title}</h1>${body}</body></html>`;

/**
 * `/api/notifications/unsubscribe?token=`, without signing in: GET answers a page with a button
 * (a link alone must not unsubscribe: mail scanners follow links), POST turns the mail off, for
 * that button and for mail clients' one-click unsubscribe (RFC 8058). The token is signed and
 * names its user and purpose (notifications/unsubscribe-token.ts).
 */
export function unsubscribeRoutes({ db, unsubscribeTokens }: NotificationRouteDeps) {
  const app = new Hono();
  const verified = async (c: Context) => {
    const { token } = parseQuery(unsubscribeQuerySchema, c);
    const signed = (await unsubscribeTokens()).verify(token);
    if (!signed) throw invalidRequest('This unsubscribe link is not valid');
    return { ...signed, token };
  };

  app.get('/unsubscribe', async (c) => {
    const { token } = await verified(c);
    const action = `/api/notifications/unsubscribe?${new URLSearchParams({ token })}`;
    c.header('Cache-Control', 'no-store');
    return c.html(
      page(
        'Stop notification emails?',
        `<p>You will no longer get emails about unread mentions. You can turn them on again in Confab's notification settings.</p>
<form method="post" action="${action.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  });

  app.post('/unsubscribe', async (c) => {
    const { userId } = await verified(c);
    // An account deleted since the mail was sent gets no more mail either: nothing to write.
    const [user] = await db
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.id, userId));
    if (user) await writeSettings(db, userId, { emailMentions: false });
    c.header('Cache-Control', 'no-store');
    return c.html(
      page(
        'Unsubscribed',
        "<p>You will no longer get emails about unread mentions. You can turn them on again in Confab's notification settings.</p>",
      ),
    );
  });
  return app;
}
