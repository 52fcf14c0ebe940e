import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';

/** The subset of s3rver's API used here; s3rver ships no types. */
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
}) => S3rverServer;

/** s3rver accepts requests signed with exactly this key pair. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Service {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Creates a fresh, empty bucket and answers its name. */
  createBucket(): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver: S3 in Node, objects in a folder) on a free loopback port,
 * storing into a temporary folder of its own.
 */
export async function startS3Service(): Promise<S3Service> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 'confab-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';
  const admin = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    region,
    credentials: S3RVER_CREDENTIALS,
    async createBucket() {
      const bucket = `test-${randomBytes(6).toString('hex')}`;
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async stop() {
      admin.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface TestS3 {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** This test file's own empty bucket; valid from `beforeAll` on. */
  readonly bucket: string;
}

/** Starts an S3 server for the calling test file, with one bucket of its own, and stops it after. */
export function useTestS3(): TestS3 {
  let service: S3Service | undefined;
  let bucket: string | undefined;
  beforeAll(async () => {
    service = await startS3Service();
    bucket = await service.createBucket();
  });
  afterAll(() => service?.stop());
  const started = () => {
    if (!service || !bucket) throw new Error('useTestS3: read it inside a test or hook');
    return { service, bucket };
  };
  return {
    get endpoint() {
      return started().service.endpoint;
    },
    get region() {
      return started().service.region;
    },
    get credentials() {
      return started().service.credentials;
    },
    get bucket() {
      return started().bucket;
    },
  };
}
