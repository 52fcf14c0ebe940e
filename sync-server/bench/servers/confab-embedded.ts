import './loop-monitor';

/**
 * Confab as `npm start` runs it (api/src/main.ts: API, sync and client on one port, PGlite in
 * DATA_DIR, in-process fan-out, no Postgres or Redis), with the event-loop monitor loaded first.
 */
await import('../../../api/src/main');
