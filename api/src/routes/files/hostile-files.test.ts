import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../auth/test-app';
import {
  expectHealthy,
  expectNoStrayBytes,
  fetchContent,
  person,
  type StoreKind,
  teamWith,
  upload,
  useFileTestApis,
} from './file-test-app';
import { FILE_CSP } from './files-routes';

const MAX_BYTES = 1024 * 1024;
const apis = useFileTestApis({ maxBytes: MAX_BYTES });

const HTML = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.byteLength);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG that claims `width` x `height` pixels; its pixel data holds a few zero rows only. */
function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(4 * (1 + width * 3)))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A zip whose one entry inflates to 64 MiB of zeros from about 64 KB. */
function zipBomb(): Buffer {
  const size = 64 * 1024 * 1024;
  const zeros = Buffer.alloc(size);
  const data = deflateRawSync(zeros, { level: 9 });
  const crc = crc32(zeros);
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.byteLength, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.byteLength, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.byteLength, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.byteLength, 28);
  const centralOffset = local.byteLength + name.byteLength + data.byteLength;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.byteLength + name.byteLength, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

let realPng: Buffer;
beforeAll(async () => {
  realPng = await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 90, b: 200 } },
  })
    .png()
    .toBuffer();
});

describe.each(['local', 's3'] as StoreKind[])('hostile files, %s store', (store) => {
  const api = () => apis(store);
  let ada: Person;
  let channelId: string;
  beforeAll(async () => {
    ada = await person(api(), 'ada');
    ({ channelId } = await teamWith(api(), ada));
  });
  afterEach(async () => {
    await expectNoStrayBytes(api());
    await expectHealthy(api());
  });

  /** Uploads and, when accepted, fetches the original the way a browser would. */
  async function roundTrip(name: string, bytes: Uint8Array | string, type?: string) {
    const sent = await upload(api(), ada, channelId, name, bytes, type);
    const served = sent.body.file ? await fetchContent(api(), sent.body.file.urls.original) : null;
    return { sent, served };
  }

  function expectDownloadOnly(served: Awaited<ReturnType<typeof roundTrip>>['served']) {
    expect(served?.status).toBe(200);
    expect(served?.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(served?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served?.headers.get('content-security-policy')).toBe(FILE_CSP);
  }

  it.each([
    ['HTML', HTML],
    ['SVG', SVG],
  ])('refuses %s sent as a PNG, by name or by type, and keeps nothing', async (_, markup) => {
    const byName = await upload(api(), ada, channelId, 'cat.png', markup);
    expect(byName.status).toBe(415);
    expect(byName.body.error?.code).toBe('file_type_refused');
    expect(byName.body.error?.message).toMatch(/not the image its name \(\.png\) claims/);
    const byType = await upload(api(), ada, channelId, 'cat', markup, 'image/png');
    expect(byType.status).toBe(415);
    expect(byType.body.error?.message).toMatch(/not the image\/png it was sent as/);
  });

  it.each([
    ['page.html', HTML, 'text/html'],
    ['logo.svg', SVG, 'image/svg+xml'],
    ['notes.txt', HTML, 'text/plain'],
    ['feed.xml', '<?xml version="1.0"?><rss><channel/></rss>', 'application/xml'],
  ])('keeps %s as a download only, never as markup', async (name, markup, type) => {
    const { sent, served } = await roundTrip(name, markup, type);
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({
      kind: 'other',
      inline: false,
      contentType: 'application/octet-stream',
    });
    expectDownloadOnly(served);
    expect(served?.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('serves a PNG with HTML appended only as the image it is: image/png, nosniff, sandboxed', async () => {
    const polyglot = Buffer.concat([realPng, Buffer.from(HTML)]);
    const { sent, served } = await roundTrip('poly.png', polyglot, 'image/png');
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({ kind: 'image', contentType: 'image/png', inline: true });
    expect(served?.headers.get('content-type')).toBe('image/png');
    expect(served?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served?.headers.get('content-security-policy')).toBe(FILE_CSP);
  });

  it('keeps a GIF that is also JavaScript as a download, as it does not decode', async () => {
    const gifScript = Buffer.concat([
      Buffer.from('GIF89a/*'),
      Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]),
      Buffer.from('*/=1;alert(document.domain);//'),
    ]);
    const { sent, served } = await roundTrip('anim.gif', gifScript, 'image/gif');
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({ contentType: 'image/gif', inline: false });
    expectDownloadOnly(served);
  });

  it('accepts a 20000x20000 PNG header only as a download: it is never decoded whole', async () => {
    const { sent, served } = await roundTrip('huge.png', pngClaiming(20_000, 20_000), 'image/png');
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({ kind: 'image', inline: false, width: null });
    expectDownloadOnly(served);
  });

  it('keeps a zip bomb as a download and never inflates it', async () => {
    const bomb = zipBomb();
    expect(bomb.byteLength).toBeLessThan(MAX_BYTES);
    const { sent, served } = await roundTrip('backup.zip', bomb, 'application/zip');
    expect(sent.status).toBe(201);
    expect(sent.body.file).toMatchObject({
      kind: 'other',
      inline: false,
      contentType: 'application/zip',
      size: bomb.byteLength,
    });
    expectDownloadOnly(served);
    expect(served?.bytes.byteLength).toBe(bomb.byteLength);
  });

  it('refuses executables', async () => {
    const elf = Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      Buffer.alloc(120),
    ]);
    const sent = await upload(api(), ada, channelId, 'tool', elf);
    expect(sent.status).toBe(415);
    expect(sent.body.error?.message).toMatch(/not accepted/);
  });

  it('refuses an empty file', async () => {
    const sent = await upload(api(), ada, channelId, 'empty.txt', '');
    expect(sent.status).toBe(400);
    expect(sent.body.error?.code).toBe('file_empty');
  });

  it('refuses a file over the size limit', async () => {
    const sent = await upload(api(), ada, channelId, 'big.bin', new Uint8Array(MAX_BYTES + 1));
    expect(sent.status).toBe(413);
    expect(sent.body.error?.code).toBe('file_too_large');
  });

  it.each([
    ['../../etc/passwd.txt', 'passwd.txt'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['evil\u0000.txt', 'evil.txt'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['\u2067report\u2069\u200F.txt', 'report.txt'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['Cafe\u0301 \u{1F600}.txt', 'Café \u{1F600}.txt'],
    [`${'a'.repeat(296)}.txt`, `${'a'.repeat(251)}.txt`],
  ])('makes %j a safe display name', async (raw, safe) => {
    const { sent, served } = await roundTrip(raw, 'text');
    expect(sent.status).toBe(201);
    expect(sent.body.file?.name).toBe(safe);
    expect([...(sent.body.file?.name ?? '')].length).toBeLessThanOrEqual(255);
    expect(served?.headers.get('content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent(safe)}`,
    );
  });

  it.each(['..', '../', '/', '\u202E', ' '])('refuses the name %j', async (raw) => {
    const sent = await upload(api(), ada, channelId, raw, 'text');
    expect(sent.status).toBe(400);
    expect(sent.body.error?.code).toBe('invalid_request');
  });
});
