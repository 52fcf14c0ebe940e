import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@confab/db';
import { LogTailer, type LogTailerOptions } from './log-tailer';
import type { ProjectorMessage, ProjectorReport, ProjectorWorkerConfig } from './projector-worker';

/**
 * What the sync node sees of the projector (`log-tailer.ts`): it wakes it after its commits and
 * tells it which docs it loaded (a doc with quarantined changes is projected whole again).
 */
export interface Projector {
  /** This node committed log rows. */
  wake(): void;
  /** This node loaded a doc. */
  loaded(docName: string): void;
  /** Waits until what was committed below the horizon so far is projected (when it leads). */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** Changes quarantined since it started (`projection quarantined` log lines). */
  readonly quarantined: number;
}

/**
 * The tailer on the calling thread, against the node's database handle: embedded mode (PGlite
 * has one connection, which a worker cannot share) and tests of a single process.
 */
export function projectInThread(options: LogTailerOptions): Projector {
  const tailer = new LogTailer(options);
  tailer.start();
  return tailer;
}

/** The tailer in a worker thread with its own pool and bus connection (Postgres mode). */
export function projectInWorker(config: ProjectorWorkerConfig, logger: Logger): Projector {
  return new WorkerProjector(config, logger);
}

const WORKER = new URL('./projector-worker-boot.mjs', import.meta.url);
const RESTART_MS = 1_000;

class WorkerProjector implements Projector {
  private worker: Worker;
  private count = 0;
  private nextFlush = 0;
  private readonly flushes = new Map<number, () => void>();
  private wakeQueued = false;
  private stopping = false;
  private running = true;

  constructor(
    private readonly config: ProjectorWorkerConfig,
    private readonly logger: Logger,
  ) {
    this.worker = this.spawn();
  }

  get quarantined(): number {
    return this.count;
  }

  wake(): void {
    // One message per tick whatever the number of commits in it.
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.post({ kind: 'wake' });
    });
  }

  loaded(docName: string): void {
    this.post({ kind: 'loaded', docName });
  }

  flush(): Promise<void> {
    const id = ++this.nextFlush;
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      this.post({ kind: 'flush', id });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    const exited = once(this.worker, 'exit');
    this.post({ kind: 'stop' });
    await exited;
  }

  private post(message: ProjectorMessage): void {
    // Between a crash and the restart nothing is lost: the next worker reads the log.
    if (this.running) this.worker.postMessage(message);
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER, { workerData: this.config });
    worker.on('message', (report: ProjectorReport) => {
      if (report.kind === 'flushed') {
        this.flushes.get(report.id)?.();
        this.flushes.delete(report.id);
      } else this.count = report.count;
    });
    worker.on('error', (error) => this.logger.error({ err: error }, 'projector worker failed'));
    this.running = true;
    worker.on('exit', (code) => {
      this.running = false;
      // Whatever it had not projected stays in the log for the next tailer: nothing is lost.
      for (const resolve of this.flushes.values()) resolve();
      this.flushes.clear();
      if (this.stopping) return;
      this.logger.error({ code }, 'projector worker exited; restarting');
      setTimeout(() => {
        if (!this.stopping) this.worker = this.spawn();
      }, RESTART_MS).unref();
    });
    return worker;
  }
}
