import type { Logger } from '@confab/db';

/**
 * Work done after the response, one task at a time, in order. Used where a response must not
 * depend on the work (a password reset answers the same whether or not the account exists).
 * `drain` waits for everything queued: at shutdown, and in tests.
 */
export class BackgroundTasks {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  run(name: string, task: () => Promise<void>): void {
    this.tail = this.tail.then(() =>
      task().catch((error: unknown) =>
        this.logger.error({ err: error, task: name }, 'background task failed'),
      ),
    );
  }

  drain(): Promise<void> {
    return this.tail;
  }
}
