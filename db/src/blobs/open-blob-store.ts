import { join, resolve } from 'node:path';
import { type BackendEnv, s3Settings } from '../config';
import type { BlobStore } from './blob-store';
import { createLocalBlobStore } from './local-blob-store';
import { createS3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';

/**
 * The S3 bucket when S3_BUCKET is set, else `DATA_DIR/blobs`. Pings it before answering, so a
 * node with a wrong bucket, endpoint or credentials refuses to start instead of failing uploads.
 */
export async function openBlobStore(
  env: BackendEnv,
  { credentials }: Pick<S3BlobStoreOptions, 'credentials'> = {},
): Promise<BlobStore> {
  const s3 = s3Settings(env);
  const store = s3
    ? createS3BlobStore({ ...s3, credentials })
    : await createLocalBlobStore(resolve(join(env.DATA_DIR, 'blobs')));
  try {
    await store.ping();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
