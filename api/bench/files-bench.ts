import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type ServerProcess,
  startProcess,
  startS3Service,
  tsEntry,
  waitFor,
} from '@confab/db/testing';
import { writeBenchResults } from '@confab/db/testing/bench-results';
import { startTestServices } from '@confab/db/testing/services';
import { processImage } from '../src/files/processing/images';
import { processPdf } from '../src/files/processing/pdf';
import { noiseJpeg, textPdf } from '../src/files/processing/testing/sample-files';

/**
 * Files [#16]: thumbnail time for a 12 MP photo (and a PDF preview), upload throughput through
 * the API against a direct PutObject to the same S3 server, and the API process's RSS growth
 * during a 100 MiB upload. To tell the route's own cost from the machine's, the same run times
 * the floor (upload-floor-server.ts: a bare HTTP process piping the body into one PutObject) and
 * the CopyObject the route's promotion makes. BENCH_UPLOAD_MIB changes the size;
 * BENCH_UPLOADS_ONLY=1 runs only the uploads and writes nothing; BENCH_API_NODE_FLAGS are
 * node flags for the API process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 100);
const UPLOADS_ONLY = process.env.BENCH_UPLOADS_ONLY === '1';
const API_NODE_FLAGS = (process.env.BENCH_API_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const THUMBNAIL_RUNS = 5;
const UPLOAD_RUNS = 3;
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./upload-floor-server.ts', import.meta.url));
const MiB = 1024 * 1024;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Resident set size of a process now, in MiB (VmRSS). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** `size` bytes of incompressible data, made 1 MiB at a time as it is read (never all in memory). */
function randomBody(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(MiB, left));
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

async function thumbnailFigures() {
  const jpeg = await noiseJpeg(4000, 3000);
  const times: number[] = [];
  for (let run = 0; run < THUMBNAIL_RUNS; run++) {
    const started = performance.now();
    const result = await processImage(jpeg);
    times.push(performance.now() - started);
    if (result.outcome !== 'done') throw new Error(`thumbnail failed: ${JSON.stringify(result)}`);
  }
  const pdf = textPdf(Array.from({ length: 20 }, (_, index) => `Page ${index + 1} of the report`));
  const pdfTimes: number[] = [];
  for (let run = 0; run < THUMBNAIL_RUNS; run++) {
    const started = performance.now();
    const result = await processPdf(pdf);
    pdfTimes.push(performance.now() - started);
    if (result.outcome !== 'done') throw new Error(`PDF preview failed: ${JSON.stringify(result)}`);
  }
  return {
    jpeg12MpBytes: jpeg.length,
    thumbnails12MpMs: { median: round(median(times)), min: round(Math.min(...times)) },
    pdfPreview20PagesMs: { median: round(median(pdfTimes)), min: round(Math.min(...pdfTimes)) },
  };
}

interface UploadTarget {
  base: string;
  token: string;
  channelId: string;
}

/** A user with a workspace; uploads go to its #general. */
async function signUp(base: string): Promise<UploadTarget> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as unknown;
  };
  const { accessToken } = (await post('/api/auth/signup', {
    email: `bench-${randomUUID()}@example.com`,
    password: 'correct horse battery',
    name: 'Bench',
  })) as { accessToken: string };
  const { workspace } = (await post(
    '/api/workspaces',
    { name: 'Bench', slug: `bench-${randomUUID().slice(0, 8)}` },
    accessToken,
  )) as { workspace: { id: string } };
  const listed = await fetch(`${base}/api/workspaces/${workspace.id}/channels`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  const { channels } = (await listed.json()) as { channels: Array<{ id: string; name: string }> };
  const general = channels.find((channel) => channel.name === 'general');
  if (!general) throw new Error('no #general');
  return { base, token: accessToken, channelId: general.id };
}

/**
 * POSTs `size` random bytes, streamed, with their Content-Length (as a browser sends a File),
 * through node:http as the S3 client sends its PutObject: the same client stack on both sides of
 * the comparison (fetch with a web stream body costs this client twice the CPU per byte).
 */
async function postBody(url: string, size: number, headers: Record<string, string> = {}) {
  const started = performance.now();
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const request = httpRequest(url, {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(size),
        },
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      });
      request.on('error', reject);
      randomBody(size).pipe(request);
    },
  );
  const elapsed = performance.now() - started;
  if (status !== 201) throw new Error(`POST ${url}: ${status} ${text}`);
  return elapsed;
}

const uploadThroughApi = (target: UploadTarget, size: number) =>
  postBody(
    `${target.base}/api/channels/${target.channelId}/files?name=${encodeURIComponent('bench.bin')}`,
    size,
    { Authorization: `Bearer ${target.token}` },
  );

/** Runs an upload while sampling the server's RSS every 20 ms: its time and peak RSS growth. */
async function withRss(pid: number, upload: () => Promise<number>) {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 20);
  try {
    const ms = await upload();
    return { ms, rssGrowth: Math.max(peak, rssMiB(pid)) - before };
  } finally {
    clearInterval(sampler);
  }
}

async function uploadFigures() {
  const services = await startTestServices();
  const database = await services.freshDatabase();
  const s3 = await startS3Service();
  const dataDir = await mkdtemp(join(tmpdir(), 'confab-files-bench-'));
  const size = UPLOAD_MIB * MiB;
  const servers: ServerProcess[] = [];
  try {
    const bucket = await s3.createBucket();
    const s3Env = {
      S3_BUCKET: bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    };
    const [node = process.execPath, ...rest] = tsEntry(MAIN);
    const server = await startProcess(
      [node, ...API_NODE_FLAGS, ...rest],
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        REDIS_URL: services.redis.url,
        REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
        PUBLIC_URL: 'http://127.0.0.1',
        DATA_DIR: dataDir,
        ...s3Env,
        S3_FORCE_PATH_STYLE: 'true',
        FILE_MAX_BYTES: String(size + MiB),
        SERVICES: 'api',
        LOG_LEVEL: 'info',
      },
      dataDir,
      120_000,
    );
    servers.push(server);
    const floor = await startProcess(tsEntry(FLOOR), s3Env, dataDir);
    servers.push(floor);
    try {
      const pid = server.child.pid;
      const floorPid = floor.child.pid;
      if (pid === undefined || floorPid === undefined) throw new Error('no server pid');
      const target = await signUp(`http://127.0.0.1:${server.port}`);
      const floorUrl = `http://127.0.0.1:${floor.port}/`;
      // Same client settings as the app's S3 store, so both paths send the same requests.
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: s3.credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      const direct: number[] = [];
      const copy: number[] = [];
      const viaFloor: number[] = [];
      const api: number[] = [];
      let rssGrowth = 0;
      let floorRssGrowth = 0;
      // A small upload first, so start-up allocations (first route, first S3 request) are not counted.
      await uploadThroughApi(target, MiB);
      await postBody(floorUrl, MiB);
      for (let run = 0; run < UPLOAD_RUNS; run++) {
        let started = performance.now();
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `direct/${run}`,
            Body: randomBody(size),
            ContentLength: size,
          }),
        );
        direct.push(performance.now() - started);

        // The promotion the route makes after its checks (quarantine/<id> to files/<id>).
        started = performance.now();
        await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: `copied/${run}`,
            CopySource: `${bucket}/direct/${run}`,
          }),
        );
        copy.push(performance.now() - started);

        const floorRun = await withRss(floorPid, () => postBody(floorUrl, size));
        viaFloor.push(floorRun.ms);
        floorRssGrowth = Math.max(floorRssGrowth, floorRun.rssGrowth);

        const apiRun = await withRss(pid, () => uploadThroughApi(target, size));
        api.push(apiRun.ms);
        rssGrowth = Math.max(rssGrowth, apiRun.rssGrowth);
      }
      client.destroy();
      const directMiBs = UPLOAD_MIB / (median(direct) / 1000);
      const floorMiBs = UPLOAD_MIB / (median(viaFloor) / 1000);
      const apiMiBs = UPLOAD_MIB / (median(api) / 1000);
      return {
        uploadMiB: UPLOAD_MIB,
        directPutObjectMs: round(median(direct)),
        copyObjectMs: round(median(copy)),
        floorMs: round(median(viaFloor)),
        apiUploadMs: round(median(api)),
        directPutObjectMiBPerS: round(directMiBs),
        floorMiBPerS: round(floorMiBs),
        apiUploadMiBPerS: round(apiMiBs),
        apiVsDirect: round(apiMiBs / directMiBs, 2),
        floorVsDirect: round(floorMiBs / directMiBs, 2),
        apiVsFloor: round(apiMiBs / floorMiBs, 2),
        serverRssGrowthMiB: round(rssGrowth),
        floorRssGrowthMiB: round(floorRssGrowth),
      };
    } catch (error) {
      // The server logs its side of a failed request just after answering it.
      await waitFor(
        'the server to log the error',
        () => server.output().includes('"level":50') || undefined,
        {
          timeoutMs: 2_000,
        },
      ).catch(() => {});
      throw new Error(`upload benchmark failed; server output:\n${server.output().slice(-4000)}`, {
        cause: error,
      });
    }
  } finally {
    for (const server of servers) await server.stop('SIGTERM');
    await s3.stop();
    await database.drop();
    await services.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  if (UPLOADS_ONLY) {
    console.info('uploads', await uploadFigures());
    return;
  }
  const thumbnails = await thumbnailFigures();
  console.info('thumbnails', thumbnails);
  // A failed upload run still leaves the thumbnail figures written, with the reason beside them.
  const uploads = await uploadFigures().catch((error: Error) => {
    console.error(error);
    process.exitCode = 1;
    return { uploadError: String(error.cause ?? error.message) };
  });
  console.info('uploads', uploads);
  await writeBenchResults('files', {
    ...thumbnails,
    ...uploads,
    targets: { apiVsDirect: '>= 0.8', serverRssGrowthMiB: '< 50' },
  });
}

await main();
