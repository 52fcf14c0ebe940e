import { canPost, canReadChannel, schema } from '@confab/db';
import { and, desc, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { ApiError, invalidRequest, notFound } from '../../errors';
import { fileEmpty, fileTooLarge, quotaExceeded } from '../../files/file-errors';
import { fileInfo } from '../../files/file-info';
import { safeDisplayName } from '../../files/names';
import { liveBytes, storeUpload } from '../../files/store-upload';
import { uploadBody } from '../../files/upload-body';
import { allowBodyUpTo, BodyTooLargeError } from '../../http/body-limit';
import { forbidden } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import type { FilesDeps } from './files-deps';
import { channelFilesQuerySchema, uploadQuerySchema } from './schemas';

const { files, fileColumns } = schema;

export function parseQuery<S extends z.ZodType>(schema: S, c: Context): z.infer<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidRequest(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The declared type, bare (`image/png`), or application/octet-stream when none was sent. */
function declaredType(c: Context): string {
  const header = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  return header && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(header) && header.length <= 127
    ? header
    : 'application/octet-stream';
}

/** The Content-Length, when sent (over the limit it was refused already). */
function declaredSize(c: Context): { declaredSize?: number } {
  const header = c.req.header('content-length');
  return header && /^\d{1,16}$/.test(header) ? { declaredSize: Number(header) } : {};
}

/** Cursor of the Files list: the last file's creation time and id (newest first). */
const encodeCursor = (file: { createdAt: Date; id: string }) =>
  Buffer.from(`${file.createdAt.toISOString()}|${file.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [time = '', id = ''] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || !uuidSchema.safeParse(id).success)
    throw invalidRequest('before: not a cursor of this list');
  return { createdAt, id };
}

/** `/api/channels/:channelId/files`: uploading for a channel, and its Files list. */
export function channelFilesRoutes(deps: FilesDeps) {
  const { db, policy, auth, settings } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('/:channelId/files', requireAuth(auth));

  const visibleChannel = async (userId: string, channelId: string) => {
    const loaded = uuidSchema.safeParse(channelId).success
      ? await policy.channelContext(userId, channelId)
      : null;
    if (!loaded || !canReadChannel(loaded.context)) throw notFound('No such channel');
    return loaded;
  };

  app.post('/:channelId/files', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel, context } = await visibleChannel(actorId, c.req.param('channelId'));
    if (!canPost(context)) {
      throw forbidden(
        channel.archivedAt ? 'This channel is archived' : 'You may not post in this channel',
      );
    }
    const name = safeDisplayName(parseQuery(uploadQuerySchema, c).name);
    if (!name)
      throw invalidRequest(
        'name: nothing is left of it once path and control characters are removed',
      );

    // The body may take what is left of the quota, up to the file limit; the limit stops reading
    // there (and refuses a larger Content-Length before reading at all).
    const room = Math.max(
      0,
      settings.workspaceQuotaBytes - (await liveBytes(db, channel.workspaceId)),
    );
    const maxBytes = Math.min(settings.maxBytes, room);
    const overLimit = () =>
      maxBytes < settings.maxBytes
        ? quotaExceeded(settings.workspaceQuotaBytes)
        : fileTooLarge(settings.maxBytes);
    try {
      await allowBodyUpTo(maxBytes)(c, async () => {});
    } catch (error) {
      if (error instanceof ApiError && error.code === 'payload_too_large') throw overLimit();
      throw error;
    }
    const body = uploadBody(c);
    if (!body) throw fileEmpty();
    try {
      const file = await storeUpload(deps, settings, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        uploaderId: actorId,
        name,
        declaredType: declaredType(c),
        maxBytes,
        ...declaredSize(c),
        body: body.stream,
      });
      return c.json({ file: fileInfo(file, actorId, await deps.signer()) }, 201);
    } catch (error) {
      const explained = body.explain(error);
      if (explained instanceof BodyTooLargeError) throw overLimit();
      throw explained;
    }
  });

  app.get('/:channelId/files', async (c) => {
    const actorId = c.get('auth').userId;
    const { channel } = await visibleChannel(actorId, c.req.param('channelId'));
    const { before, limit } = parseQuery(channelFilesQuerySchema, c);
    const cursor = before ? decodeCursor(before) : null;
    const rows = await db
      .select(fileColumns)
      .from(files)
      .where(
        and(
          eq(files.channelId, channel.id),
          eq(files.status, 'ready'),
          isNotNull(files.messageId),
          isNull(files.deletedAt),
          cursor
            ? or(
                lt(files.createdAt, cursor.createdAt),
                and(eq(files.createdAt, cursor.createdAt), lt(files.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(files.createdAt), desc(files.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const signer = await deps.signer();
    const last = page.at(-1);
    return c.json({
      files: page.map((file) => fileInfo(file, actorId, signer)),
      next: rows.length > limit && last ? encodeCursor(last) : null,
    });
  });

  return app;
}
