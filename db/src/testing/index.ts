export { freePort } from './free-port';
export {
  type ProcessResult,
  runProcess,
  type ServerProcess,
  startProcess,
  tsEntry,
} from './process';
export { type S3Service, startS3Service, type TestS3, useTestS3 } from './s3-service';
export { seededRandom } from './seeded-random';
export { type ServerProcesses, useServerProcesses } from './server-processes';
export { type TestDatabase, type TestRedis, useTestDatabase, useTestRedis } from './test-backends';
export { waitFor } from './wait';
