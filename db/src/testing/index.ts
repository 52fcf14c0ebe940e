export { freePort } from './free-port';
export {
  type ProcessResult,
  runProcess,
  type ServerProcess,
  startProcess,
  tsEntry,
} from './process';
export { seededRandom } from './seeded-random';
export { type ServerProcesses, useServerProcesses } from './server-processes';
export { type TestDatabase, type TestRedis, useTestDatabase, useTestRedis } from './test-backends';
export { waitFor } from './wait';
