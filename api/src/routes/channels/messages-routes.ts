import { canReadChannel, canSeeEditHistory, type Policy } from '@confab/db';
import { ULID_PATTERN } from '@confab/db/model';
import type { Hono } from 'hono';
import type { z } from 'zod';
import type { AuthVariables } from '../../auth/require-auth';
import { invalidRequest, notFound } from '../../errors';
import {
  channelHistory,
  channelSegments,
  editHistory,
  isFollowing,
  messageInChannel,
  setFollowing,
  threadReplies,
} from '../../history/history';
import { parseJson } from '../../http/request';
import { forbidden, type OrgDeps } from '../org-deps';

import { followSchema, historyQuerySchema, repliesQuerySchema } from './schemas';

function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidRequest(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

type VisibleChannel = (
  policy: Policy,
  userId: string,
  channelId: string,
) => ReturnType<Policy['channelContext']> extends Promise<infer T>
  ? Promise<NonNullable<T>>
  : never;

/**
 * History read from the projection: `/api/channels/:channelId/messages` (newest first, with
 * reactions and thread summaries), a thread's replies, and a message's edit history (its author
 * and the channel's admins only). Readable by whoever may read the channel.
 */
export function registerMessageRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  { db, policy }: OrgDeps,
  visibleChannel: VisibleChannel,
) {
  const readable = async (userId: string, channelId: string) => {
    const loaded = await visibleChannel(policy, userId, channelId);
    if (!canReadChannel(loaded.context)) throw notFound('No such channel');
    return loaded;
  };
  const message = async (channelId: string, messageId: string) => {
    const row = ULID_PATTERN.test(messageId)
      ? await messageInChannel(db, channelId, messageId)
      : null;
    if (!row) throw notFound('No such message');
    return row;
  };

  app.get('/:channelId/messages', async (c) => {
    const userId = c.get('auth').userId;
    const { channel } = await readable(userId, c.req.param('channelId'));
    const query = parseQuery(historyQuerySchema, c.req.query());
    const conversation = channel.kind === 'dm' || channel.kind === 'group_dm';
    return c.json(
      await channelHistory(db, channel.id, {
        ...query,
        statusFor: conversation ? userId : undefined,
      }),
    );
  });

  app.get('/:channelId/segments', async (c) => {
    const { channel } = await readable(c.get('auth').userId, c.req.param('channelId'));
    return c.json({ head: channel.headSegment, segments: await channelSegments(db, channel.id) });
  });

  app.get('/:channelId/messages/:messageId/replies', async (c) => {
    const { channel } = await readable(c.get('auth').userId, c.req.param('channelId'));
    const root = await message(channel.id, c.req.param('messageId'));
    const query = parseQuery(repliesQuerySchema, c.req.query());
    return c.json(await threadReplies(db, root.id, query));
  });

  app.get('/:channelId/messages/:messageId/versions', async (c) => {
    const userId = c.get('auth').userId;
    const { channel, context } = await readable(userId, c.req.param('channelId'));
    const row = await message(channel.id, c.req.param('messageId'));
    if (!canSeeEditHistory(context, row.authorId === userId))
      throw forbidden("Only the author and the channel's admins may see earlier versions");
    return c.json({ messageId: row.id, versions: await editHistory(db, row.id) });
  });

  /** Following a thread: its root's author and everyone who replied follow it unless they stop. */
  const threadRoot = async (userId: string, channelId: string, messageId: string) => {
    const { channel } = await readable(userId, channelId);
    const root = await message(channel.id, messageId);
    if (root.parentId) throw invalidRequest('Only a top-level message has a thread to follow');
    return root;
  };

  app.get('/:channelId/messages/:messageId/follow', async (c) => {
    const userId = c.get('auth').userId;
    const root = await threadRoot(userId, c.req.param('channelId'), c.req.param('messageId'));
    return c.json({ following: await isFollowing(db, root.id, userId) });
  });

  app.put('/:channelId/messages/:messageId/follow', async (c) => {
    const userId = c.get('auth').userId;
    const root = await threadRoot(userId, c.req.param('channelId'), c.req.param('messageId'));
    const { following } = await parseJson(c, followSchema);
    await setFollowing(db, root.id, userId, following);
    return c.json({ following });
  });
}
