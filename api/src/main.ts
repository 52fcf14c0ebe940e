import { createLogger, exitOnSignals, runMain } from '@confab/db';
import { loadApiEnv } from './env';
import { startServer } from './server';

await runMain(async () => {
  const env = loadApiEnv(process.env);
  const logger = createLogger(env.LOG_LEVEL, { service: 'confab' });
  const server = await startServer(env, logger);
  exitOnSignals(() => server.stop(), logger);
});
