import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { errorBody } from './errors';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * The built web client. Hashed files under /assets never change, so browsers may keep them for a
 * year; everything else (index.html above all) must be revalidated so a deploy reaches users on
 * their next load. Any other path that is not a file is a client route and gets index.html.
 */
export function clientAssets(clientDir: string) {
  const index = join(clientDir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `The web client is not built (no ${index}). Run \`npm run build --workspace @confab/client\`, ` +
        'set CLIENT_DIST_DIR, or leave "client" out of SERVICES.',
    );
  }
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status === 200 && !c.res.headers.has('Cache-Control')) {
      c.res.headers.set(
        'Cache-Control',
        c.req.path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      );
    }
  });
  app.use('/assets/*', serveStatic({ root: clientDir }));
  // A missing hashed asset is a stale or bogus URL: answering with index.html would hand the
  // browser HTML where it expects a script.
  app.get('/assets/*', (c) => c.json(errorBody('not_found', 'No such asset'), 404));
  app.use('*', serveStatic({ root: clientDir }));
  app.get('*', serveStatic({ path: index }));
  return app;
}
