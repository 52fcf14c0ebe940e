import { createServer } from 'node:http';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * The floor of the upload benchmark (files-bench.ts): the least an upload through a separate
 * HTTP process can cost. Each POST body goes straight into one PutObject with the same S3 client
 * settings as the app's store: no auth, no database, no hash, no type check, no quarantine copy.
 * What this loses against a direct PutObject is the price of one more process hop on this machine.
 * Environment: S3_ENDPOINT, S3_REGION, S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const bucket = env('S3_BUCKET');
const client = new S3Client({
  endpoint: env('S3_ENDPOINT'),
  region: env('S3_REGION'),
  forcePathStyle: true,
  credentials: {
    accessKeyId: env('AWS_ACCESS_KEY_ID'),
    secretAccessKey: env('AWS_SECRET_ACCESS_KEY'),
  },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

let uploads = 0;
const server = createServer((request, response) => {
  const length = Number(request.headers['content-length']);
  client
    .send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `floor/${uploads++}`,
        Body: request,
        ContentLength: length,
      }),
    )
    .then(
      () => response.writeHead(201).end(),
      (error: Error) => response.writeHead(500).end(error.message),
    );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // The line startProcess (db/src/testing/process.ts) waits for.
  console.info(JSON.stringify({ msg: 'listening', port }));
});
process.once('SIGTERM', () => {
  server.close();
  client.destroy();
});
