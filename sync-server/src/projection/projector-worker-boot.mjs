// The projector's worker thread starts here. A worker does not inherit the TypeScript loader
// of the thread that starts it (Node 20 ignores `--import` in a worker's execArgv), so the
// worker registers tsx itself before it imports its TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./projector-worker.ts');
