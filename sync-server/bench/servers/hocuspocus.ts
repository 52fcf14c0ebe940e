import './loop-monitor';
import { Server } from '@hocuspocus/server';

/** Hocuspocus 4 with no extensions: a relay that keeps docs in memory and stores nothing. */
const hocuspocus = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false });
await hocuspocus.listen(0);
console.log(JSON.stringify({ msg: 'listening', port: hocuspocus.address.port }));
process.once('SIGTERM', () => {
  hocuspocus.destroy().finally(() => process.exit(0));
});
