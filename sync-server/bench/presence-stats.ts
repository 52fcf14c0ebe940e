import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpuMs } from './process-stats';

/** Resident set size of a process now, in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Pids of the machine's processes named exactly `name` (none if pgrep finds none). */
function pidsNamed(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name]).toString().trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU used by every process named `name` (Redis, Postgres and its backends) between `start` and
 * `stop`. Shared services: only meaningful while nothing else uses them.
 */
export function serviceCpu(name: string) {
  const readAll = () => {
    const used = new Map<number, number>();
    for (const pid of pidsNamed(name)) {
      try {
        used.set(pid, cpuMs(pid));
      } catch {
        // Exited between pgrep and the read.
      }
    }
    return used;
  };
  let before = new Map<number, number>();
  return {
    start() {
      before = readAll();
    },
    /** Milliseconds used since `start` by the processes alive now (new ones counted whole). */
    stop(): number {
      let total = 0;
      for (const [pid, used] of readAll()) total += used - (before.get(pid) ?? 0);
      return total;
    },
  };
}
