import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@confab/db';
import { type ProjectorConnections, startProjector } from './projector-runtime';

/** The projector's worker thread (`projectInWorker`): the tailer off the sync event loop. */

export interface ProjectorWorkerConfig extends ProjectorConnections {
  logLevel: string;
}

/** From the sync node to its worker. */
export type ProjectorMessage =
  | { kind: 'wake' }
  | { kind: 'loaded'; docName: string }
  | { kind: 'flush'; id: number }
  | { kind: 'stop' };

/** From the worker to the sync node. */
export type ProjectorReport =
  | { kind: 'flushed'; id: number }
  | { kind: 'quarantined'; count: number };

const port = parentPort;
if (port) {
  const config = workerData as ProjectorWorkerConfig;
  const logger = createLogger(config.logLevel, { service: 'confab-projector' });
  const report = (message: ProjectorReport) => port.postMessage(message);
  const projector = await startProjector(config, logger, (count) =>
    report({ kind: 'quarantined', count }),
  );
  port.on('message', (message: ProjectorMessage) => {
    if (message.kind === 'wake') projector.tailer.wake();
    else if (message.kind === 'loaded') projector.tailer.loaded(message.docName);
    else if (message.kind === 'flush')
      void projector.tailer.flush().finally(() => report({ kind: 'flushed', id: message.id }));
    else
      void projector
        .stop()
        .catch((error: unknown) => logger.warn({ err: error }, 'projector stop failed'))
        .finally(() => port.close());
  });
}
