import { type ServerProcess, waitFor } from '@confab/db/testing';

export interface LoopDelay {
  resolutionMs: number;
  samples: number;
  maxMs: number;
  p99Ms: number;
}

const isLoopDelay = (value: unknown): value is LoopDelay & { msg: 'loop-delay' } =>
  typeof value === 'object' && value !== null && 'msg' in value && value.msg === 'loop-delay';

/** The `loop-delay` lines a server printed so far (bench/servers/loop-monitor.ts). */
function reports(server: ServerProcess): LoopDelay[] {
  const found: LoopDelay[] = [];
  for (const line of server.output().split('\n')) {
    if (!line.startsWith('{"msg":"loop-delay"')) continue;
    const record: unknown = JSON.parse(line);
    if (isLoopDelay(record)) found.push(record);
  }
  return found;
}

/**
 * Brackets a window of a server's event-loop delay from outside: `reset` starts the window,
 * `read` ends it and resolves with the longest delay inside. Both signal the server (SIGUSR2),
 * which answers on stdout; `reset` is synchronous so it can mark a window's start exactly.
 */
export function loopDelayOf(server: ServerProcess) {
  const pid = server.child.pid;
  if (!pid) throw new Error('server has no pid');
  return {
    reset() {
      process.kill(pid, 'SIGUSR2');
    },
    async read(): Promise<LoopDelay> {
      const before = reports(server).length;
      process.kill(pid, 'SIGUSR2');
      return waitFor('the server to print its event-loop delay', () => reports(server)[before], {
        timeoutMs: 10_000,
      });
    },
  };
}
