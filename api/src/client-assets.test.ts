import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedCodings, chooseEncoding, clientAssets } from './client-assets';

let dir: string;
let app: ReturnType<typeof clientAssets>;
const script = `console.log(${JSON.stringify('confab '.repeat(500))});\n`;
const html = `<!doctype html><title>Confab</title>${'<p>shell</p>'.repeat(100)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'confab-assets-'));
  const client = join(dir, 'client');
  await mkdir(join(client, 'assets'), { recursive: true });
  const precompressed = async (path: string, text: string) => {
    await writeFile(path, text);
    await writeFile(`${path}.br`, brotliCompressSync(text));
    await writeFile(`${path}.gz`, gzipSync(text));
  };
  await precompressed(join(client, 'index.html'), html);
  await precompressed(join(client, 'assets', 'app-abc123.js'), script);
  await writeFile(join(client, 'assets', 'app-abc123.js.map'), '{"sources":["secret.ts"]}');
  // Only gzip made for this one: br is never claimed for a variant that does not exist.
  await writeFile(join(client, 'manifest.webmanifest'), '{"name":"Confab"}');
  await writeFile(join(client, 'manifest.webmanifest.gz'), gzipSync('{"name":"Confab"}'));
  await writeFile(join(client, 'assets', 'logo-abc123.png'), Buffer.from([0x89, 0x50, 0x4e]));
  await writeFile(join(dir, 'secret.txt'), 'outside the client folder');
  app = clientAssets(client);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, acceptEncoding?: string, method = 'GET') =>
  app.request(path, {
    method,
    headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding },
  });
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('precompressed client assets', () => {
  it('sends brotli to a browser that takes br and gzip, with its length and Vary', async () => {
    const response = await get('/assets/app-abc123.js', 'gzip, deflate, br, zstd');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await bytes(response);
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    expect(body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(body).toString()).toBe(script);
  });

  it('sends gzip when br is not accepted or refused with q=0', async () => {
    for (const header of ['gzip', 'br;q=0, gzip', 'gzip;q=1.0, br;q=0', 'br;q=0.1, gzip;q=0.9']) {
      const response = await get('/assets/app-abc123.js', header);
      expect(response.headers.get('content-encoding'), header).toBe('gzip');
      expect(gunzipSync(await bytes(response)).toString(), header).toBe(script);
    }
  });

  it('sends the file as it is, still with Vary, when no encoding is accepted', async () => {
    for (const header of [undefined, '', 'identity', 'br;q=0, gzip;q=0', '*;q=0', 'deflate']) {
      const response = await get('/assets/app-abc123.js', header);
      expect(response.headers.get('content-encoding'), header).toBeNull();
      expect(response.headers.get('vary'), header).toBe('Accept-Encoding');
      expect(Number(response.headers.get('content-length')), header).toBe(script.length);
      expect(await response.text(), header).toBe(script);
    }
  });

  it('reads a wildcard as accepting the codings not named', async () => {
    expect((await get('/assets/app-abc123.js', '*')).headers.get('content-encoding')).toBe('br');
    const gzipOnly = await get('/assets/app-abc123.js', 'br;q=0, *;q=0.5');
    expect(gzipOnly.headers.get('content-encoding')).toBe('gzip');
  });

  it('compresses index.html for the root and client routes, revalidated on every load', async () => {
    for (const path of ['/', '/index.html', '/w/acme/c/general']) {
      const response = await get(path, 'br, gzip');
      expect(response.headers.get('content-encoding'), path).toBe('br');
      expect(response.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(response.headers.get('vary'), path).toBe('Accept-Encoding');
      expect(brotliDecompressSync(await bytes(response)).toString(), path).toBe(html);
    }
  });

  it('falls back to the variant the build made', async () => {
    const response = await get('/manifest.webmanifest', 'br, gzip');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('content-type')).toBe('application/manifest+json');
    expect(gunzipSync(await bytes(response)).toString()).toBe('{"name":"Confab"}');
  });

  it('answers HEAD with the headers of the GET and no body', async () => {
    const response = await get('/assets/app-abc123.js', 'br', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(Number(response.headers.get('content-length'))).toBe(brotliCompressSync(script).length);
    expect((await bytes(response)).length).toBe(0);
  });

  it('sends images as they are, without Vary', async () => {
    const response = await get('/assets/logo-abc123.png', 'br, gzip');
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
  });

  it('never publishes source maps', async () => {
    for (const path of ['/assets/app-abc123.js.map', '/assets/app-abc123.js.map.gz']) {
      const response = await get(path, 'br, gzip');
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('serves the precompressed variants only through negotiation, never as raw files', async () => {
    // A .br named directly is still a file of the build; it must not leak as the wrong type.
    const response = await get('/assets/app-abc123.js.br');
    expect(response.headers.get('content-type')).not.toMatch(/javascript/);
  });

  it('survives hostile Accept-Encoding headers and paths [S8]', async () => {
    for (const header of [
      'br;q=2, gzip',
      'br;q=-1',
      'br;q=abc',
      ';;;,,,',
      `${'x,'.repeat(10_000)}gzip`,
      'BR',
    ]) {
      const response = await get('/assets/app-abc123.js', header);
      expect(response.status, header).toBe(200);
      expect(response.headers.get('vary'), header).toBe('Accept-Encoding');
    }
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const response = await get(path, 'br, gzip');
      const text = (await bytes(response)).toString();
      expect(text, path).not.toContain('outside the client folder');
    }
  });
});

describe('Accept-Encoding negotiation', () => {
  it('reads qualities, defaulting to 1 and to the wildcard', () => {
    const quality = acceptedCodings('gzip;q=0.5, br, *;q=0.1');
    expect([quality('gzip'), quality('br'), quality('zstd')]).toEqual([0.5, 1, 0.1]);
    expect(acceptedCodings(undefined)('br')).toBe(0);
  });

  it('prefers the higher quality, then br over gzip', () => {
    const both = new Set(['br', 'gzip'] as const);
    expect(chooseEncoding('gzip, br', both)).toBe('br');
    expect(chooseEncoding('gzip;q=1, br;q=0.5', both)).toBe('gzip');
    expect(chooseEncoding('br', new Set(['gzip'] as const))).toBe('identity');
  });
});
