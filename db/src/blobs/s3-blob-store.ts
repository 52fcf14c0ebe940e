import { pipeline, Readable, Transform } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from '../config';
import { assertBlobKey, type BlobStore, BlobStoreError } from './blob-store';

/**
 * A body of unknown length goes up as a multipart upload in parts of this size, at most this many
 * at a time: memory stays bounded (16 MiB per upload) whatever the file's size.
 */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export interface S3BlobStoreOptions extends S3Settings {
  /** Unset: the default AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Blobs as objects in one bucket, keyed by the blob key. S3 replaces an object atomically when an
 * upload completes, so readers never see a partial write.
 */
export function createS3BlobStore({
  bucket,
  region,
  endpoint,
  forcePathStyle,
  credentials,
}: S3BlobStoreOptions): BlobStore {
  const client = new S3Client({
    region,
    forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    // Checksums only where S3 requires them: not every S3-compatible server understands the
    // flexible checksums the SDK adds by default (s3rver stores a streamed body's aws-chunked
    // framing verbatim; others refuse the request). One request shape everywhere also means the
    // tests exercise what runs on AWS.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const where = `S3 bucket "${bucket}"${endpoint ? ` at ${endpoint}` : ` in ${region}`}`;
  return {
    kind: 's3',
    async put(key, body, { contentType, size }) {
      assertBlobKey(key);
      if (body instanceof Readable && size !== undefined) {
        // One request, streamed as it arrives: no parts to buffer (up to S3's 5 GB per PUT). The
        // SDK pipes the body into the request, which does not end it when the body fails: abort.
        const counted = exactly(body, size, key);
        const abort = new AbortController();
        let failure: unknown;
        counted.on('error', (error) => {
          failure = error;
          abort.abort(error);
        });
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: counted,
              ContentLength: size,
              ContentType: contentType,
            }),
            { abortSignal: abort.signal },
          );
        } catch (error) {
          throw failure ?? error;
        }
        return;
      }
      if (body instanceof Readable) {
        await new Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
          partSize: PART_SIZE,
          queueSize: PARTS_IN_FLIGHT,
        }).done();
        return;
      }
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: contentType,
        }),
      );
    },
    async copy(from, to) {
      assertBlobKey(from);
      assertBlobKey(to);
      // Keys are plain ASCII without `?`, `#` or `%` (assertBlobKey), so the source needs no encoding.
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to,
          CopySource: `${bucket}/${from}`,
        }),
      );
    },
    async get(key) {
      assertBlobKey(key);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!(object.Body instanceof Readable)) {
          throw new Error(`S3 answered GetObject for ${key} without a Node stream body`);
        }
        return {
          body: object.Body,
          size: object.ContentLength ?? 0,
          contentType: object.ContentType ?? 'application/octet-stream',
        };
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },
    async delete(key) {
      assertBlobKey(key);
      // S3 answers a delete of a missing key with success, as the interface wants.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        // HEAD answers carry no error body: the status is all there is to go on.
        const status =
          error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
        if (status === 404) {
          throw new BlobStoreError('store_missing', `${where} does not exist`, { cause: error });
        }
        if (status === 403) {
          throw new BlobStoreError(
            'access_denied',
            `${where} refuses these credentials (check the AWS credentials and the bucket policy)`,
            { cause: error },
          );
        }
        throw new BlobStoreError(
          'unavailable',
          `${where} cannot be reached: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    async close() {
      client.destroy();
    },
  };
}

/**
 * Passes a body through while holding it to its announced length: a body that ends short (or runs
 * long) fails the request instead of leaving S3 waiting for bytes that never come. A failure of
 * the body itself fails it too.
 */
function exactly(body: Readable, size: number, key: string): Transform {
  let seen = 0;
  const mismatch = () =>
    new Error(`blob ${key}: ${seen} bytes arrived where ${size} were announced`);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.byteLength;
      callback(seen > size ? mismatch() : null, chunk);
    },
    flush(callback) {
      callback(seen === size ? null : mismatch());
    },
  });
  // The request reads `counter`; whatever fails on either side destroys both.
  pipeline(body, counter, () => {});
  return counter;
}
