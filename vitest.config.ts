import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/src/**/*.test.{ts,tsx}'],
    globalSetup: ['db/src/testing/global-setup.ts'],
    reporters: ['default', './db/src/testing/summary-reporter.ts'],
    // Integration tests start real servers and databases; 2 cores run them best a few at a time.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
