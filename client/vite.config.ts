import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** In development the client runs on Vite's server and reaches a Confab started with `npm start`. */
const confab = process.env.CONFAB_DEV_SERVER ?? 'http://localhost:3000';

/** Text the server sends compressed (api/src/client-assets.ts); source maps are never served. */
const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest|txt|xml)$/;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip -9) next to every text file of
 * the build, so the server sends compressed bytes without compressing on each request. A variant
 * no smaller than the file is left out (the server then sends the file as it is). node:zlib does
 * this in a few lines; a plugin package would add a dependency for the same.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'confab-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const jobs: Promise<void>[] = [];
      for await (const path of filesUnder(outDir)) {
        if (!TEXT.test(path)) continue;
        jobs.push(
          (async () => {
            const [content, { size }] = await Promise.all([readFile(path), stat(path)]);
            const [br, gz] = await Promise.all([
              brotli(content, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                  [constants.BROTLI_PARAM_SIZE_HINT]: size,
                },
              }),
              gzipped(content, { level: 9 }),
            ]);
            if (br.length < size) await writeFile(`${path}.br`, br);
            if (gz.length < size) await writeFile(`${path}.gz`, gz);
          })(),
        );
      }
      await Promise.all(jobs);
    },
  };
}

/**
 * Writes `shell-assets.json`, every script and style of the build, for the service worker to
 * keep (public/sw.js): index.html names only the first screen's, and the chunks loaded later
 * (the signed-in screens, the emoji table) must open offline too.
 */
function shellAssets(): Plugin {
  return {
    name: 'confab-shell-assets',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        .filter((file) => /\.(js|css)$/.test(file))
        .map((file) => `/${file}`)
        .sort();
      this.emitFile({
        type: 'asset',
        fileName: 'shell-assets.json',
        source: JSON.stringify(assets),
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), shellAssets(), precompress()],
  // Hidden source maps: written for local debugging, not referenced by the bundles, and never
  // served (the server answers 404 for *.map), so production does not publish the source.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: 'hidden' },
  server: {
    proxy: {
      '/api': confab,
      '/sync': { target: confab, ws: true },
    },
  },
});
