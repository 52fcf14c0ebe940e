import { Readable } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { type AuthVariables, requireAuth } from '../../auth/require-auth';
import { deleteFile, mayDeleteFile } from '../../commands/delete-file';
import { ApiError, notFound } from '../../errors';
import { readableFile, readableFiles } from '../../files/file-access';
import { publishFileActivity } from '../../files/file-activity';
import { fileInfo, variantKey } from '../../files/file-info';
import { clientIp } from '../../http/request';
import { forbidden } from '../org-deps';
import { uuidSchema } from '../workspaces/schemas';
import { parseQuery } from './channel-files-routes';
import type { FilesDeps } from './files-deps';
import { contentQuerySchema, fileIdsQuerySchema, fileVariantSchema } from './schemas';

/**
 * The policy of every file answer: nothing in it may run, load or frame anything; `sandbox` makes
 * a document opened from it an opaque origin without scripts, should a browser ever render one.
 */
export const FILE_CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/**
 * Puts FILE_CSP on the content route's answers. Mounted before the app-wide security headers,
 * so it runs after them and their page CSP does not replace this one.
 */
export function fileContentPolicy(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', FILE_CSP);
  };
}

/** RFC 6266 / RFC 8187: the display name, percent-encoded, so no quote or byte can break out. */
function contentDisposition(inline: boolean, name: string): string {
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encoded}`;
}

const invalidLink = () =>
  new ApiError(
    403,
    'forbidden',
    'This file link is invalid or has expired; ask for the file again',
  );

/** `/api/files`: details, signed URLs, the bytes behind them, deletion. */
export function filesRoutes(deps: FilesDeps) {
  const { db, policy, auth, blobs, settings, bus, logger } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  const authed = requireAuth(auth);

  const fileOr404 = async (userId: string, fileId: string) => {
    const file = uuidSchema.safeParse(fileId).success
      ? await readableFile(db, policy, userId, fileId)
      : null;
    if (!file) throw notFound('No such file');
    return file;
  };

  app.get('/', authed, async (c) => {
    const actorId = c.get('auth').userId;
    const { ids } = parseQuery(fileIdsQuerySchema, c);
    const found = await readableFiles(db, policy, actorId, ids);
    const signer = await deps.signer();
    return c.json({ files: found.map((file) => fileInfo(file, actorId, signer)) });
  });

  app.get('/:fileId', authed, async (c) => {
    const actorId = c.get('auth').userId;
    const file = await fileOr404(actorId, c.req.param('fileId'));
    return c.json({ file: fileInfo(file, actorId, await deps.signer()) });
  });

  app.delete('/:fileId', authed, async (c) => {
    const actorId = c.get('auth').userId;
    const file = await fileOr404(actorId, c.req.param('fileId'));
    const loaded = await policy.channelContext(actorId, file.channelId);
    if (!loaded || !mayDeleteFile(loaded.context, file.uploaderId === actorId))
      throw forbidden(
        'Only its uploader or an admin of the channel or workspace may delete a file',
      );
    const deleted = await deleteFile(deps, {
      file,
      actorId,
      graceSeconds: settings.purgeGraceSeconds,
      ip: clientIp(c, auth.config.trustProxy),
    });
    if (deleted)
      await publishFileActivity(bus, logger, {
        channelId: file.channelId,
        fileId: file.id,
        change: 'deleted',
      });
    return c.body(null, 204);
  });

  // No bearer token here: <img> and download links cannot send one. The signed URL names the user,
  // and that user's access is checked again on every request.
  app.get('/:fileId/content/:variant', async (c) => {
    const fileId = c.req.param('fileId');
    const variant = fileVariantSchema.safeParse(c.req.param('variant'));
    if (!variant.success || !uuidSchema.safeParse(fileId).success) throw notFound('No such file');
    const query = contentQuerySchema.safeParse(c.req.query());
    if (!query.success) throw invalidLink();
    const { u: userId, exp, sig } = query.data;
    const signer = await deps.signer();
    if (!signer.verify({ fileId, variant: variant.data, userId, exp }, sig)) throw invalidLink();

    const file = await readableFile(db, policy, userId, fileId);
    const key = file && !file.deletedAt ? variantKey(file, variant.data) : null;
    const blob = file && key ? await blobs.get(key) : null;
    if (!file || !blob) throw notFound('No such file');
    const original = variant.data === 'original';
    // Thumbnails and previews are WebP images we made; an original only when it is a checked image.
    const inline = !original || file.inline;
    c.header('Content-Type', original ? file.contentType : 'image/webp');
    c.header('Content-Length', String(blob.size));
    c.header('Content-Disposition', contentDisposition(inline, file.name));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'private, max-age=600');
    return c.body(Readable.toWeb(blob.body) as ReadableStream<Uint8Array>, 200);
  });

  return app;
}
