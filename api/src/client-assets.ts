import { createReadStream, existsSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { errorBody } from './errors';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** What the client build writes next to each text asset (client/vite.config.ts), best first. */
const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;
type Coding = (typeof ENCODINGS)[number]['coding'];

/** Text formats worth compressing; images and fonts the build left as they are are sent as is. */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json|manifest\+json|xml)|image\/svg\+xml)/;

/**
 * The quality (0 to 1) a request's Accept-Encoding gives each coding it names; `*` stands for
 * the codings it does not name. A malformed entry counts as absent rather than failing the page.
 */
export function acceptedCodings(header: string | undefined): (coding: string) => number {
  const qualities = new Map<string, number>();
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (!name) continue;
    let quality = 1;
    for (const param of params) {
      const match = /^q=([01](?:\.\d{0,3})?)$/.exec(param);
      if (match) quality = Math.min(1, Number(match[1]));
    }
    qualities.set(name, quality);
  }
  return (coding) => qualities.get(coding) ?? qualities.get('*') ?? 0;
}

/**
 * The encoding to send: the best of those the request accepts (q > 0) and the build made, br
 * before gzip at equal quality; identity when none fits. Identity is sent even when a client
 * refuses it, since a page it can read badly beats none (RFC 9110 12.5.3 allows either).
 */
export function chooseEncoding(
  header: string | undefined,
  available: ReadonlySet<Coding>,
): Coding | 'identity' {
  const quality = acceptedCodings(header);
  let best: Coding | 'identity' = 'identity';
  let bestQuality = 0;
  for (const { coding } of ENCODINGS) {
    const q = quality(coding);
    if (available.has(coding) && q > bestQuality) {
      best = coding;
      bestQuality = q;
    }
  }
  return best;
}

/** The file a request path names inside `root`, or null for anything that could leave it. */
function fileIn(root: string, requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(decoded) || decoded.split('/').some((part) => part === '..')) return null;
  const path = resolve(root, `.${decoded}`);
  return path.startsWith(root + sep) ? path : null;
}

const statOf = (path: string): Promise<Stats | null> => stat(path).catch(() => null);

/**
 * The built web client. Hashed files under /assets never change, so browsers may keep them for a
 * year; everything else (index.html above all) must be revalidated so a deploy reaches users on
 * their next load. Any other path that is not a file is a client route and gets index.html.
 *
 * Text files go out as the build precompressed them (brotli, else gzip, as Accept-Encoding
 * allows), with `Vary: Accept-Encoding` on every answer for them so caches keep the variants
 * apart. Source maps are built for local debugging but never served: they would publish the
 * source.
 */
export function clientAssets(clientDir: string) {
  const root = resolve(clientDir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `The web client is not built (no ${index}). Run \`npm run build --workspace @confab/client\`, ` +
        'set CLIENT_DIST_DIR, or leave "client" out of SERVICES.',
    );
  }

  const send = async (c: Context, path: string, stats: Stats, cacheControl: string) => {
    const type = getMimeType(path) ?? 'application/octet-stream';
    const headers = new Headers({
      'Content-Type': type,
      'Cache-Control': cacheControl,
      'Last-Modified': stats.mtime.toUTCString(),
    });
    let body = { path, size: stats.size };
    if (COMPRESSIBLE.test(type)) {
      headers.set('Vary', 'Accept-Encoding');
      const variants = new Map<Coding, Stats>();
      for (const { coding, suffix } of ENCODINGS) {
        const found = await statOf(path + suffix);
        if (found?.isFile()) variants.set(coding, found);
      }
      const coding = chooseEncoding(c.req.header('Accept-Encoding'), new Set(variants.keys()));
      const variant = coding === 'identity' ? undefined : variants.get(coding);
      if (variant) {
        headers.set('Content-Encoding', coding);
        body = {
          path: path + ENCODINGS.find((entry) => entry.coding === coding)?.suffix,
          size: variant.size,
        };
      }
    }
    headers.set('Content-Length', String(body.size));
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
    const stream = Readable.toWeb(createReadStream(body.path)) as ReadableStream<Uint8Array>;
    return new Response(stream, { status: 200, headers });
  };

  const app = new Hono();
  app.on(['GET', 'HEAD'], '*', async (c) => {
    const requestPath = c.req.path;
    const asset = requestPath.startsWith('/assets/');
    const path = requestPath.endsWith('.map') ? null : fileIn(root, requestPath);
    const stats = path ? await statOf(path) : null;
    if (path && stats?.isFile()) return send(c, path, stats, asset ? IMMUTABLE : REVALIDATE);
    // A missing hashed asset is a stale or bogus URL: answering with index.html would hand the
    // browser HTML where it expects a script. So is a source map.
    if (asset || requestPath.endsWith('.map'))
      return c.json(errorBody('not_found', 'No such asset'), 404);
    const indexStats = await statOf(index);
    if (!indexStats) return c.json(errorBody('not_found', 'The web client is gone'), 404);
    return send(c, index, indexStats, REVALIDATE);
  });
  return app;
}
