import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** user + system of the process (all its threads), in clock ticks. */
  ticks: number;
  /** user + system of its children that exited and were waited for, in clock ticks. */
  childTicks: number;
}

function readStat(pid: number): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // Gone between listing and reading.
  }
  // The command name is in parentheses and may hold spaces; the fields after it are plain.
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (index: number) => Number(fields[index]);
  return {
    pid,
    comm,
    ppid: field(1),
    ticks: field(11) + field(12),
    childTicks: field(13) + field(14),
  };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

const toMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** CPU time (user + system, ms) a process has used so far, all its threads, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`no process ${pid}`);
  return toMs(stat.ticks);
}

/**
 * CPU time (ms) of a process and every live process below it (a projector or worker started as
 * a process of its own), plus what their exited children used. Threads (worker_threads) are in
 * their process's own figure already.
 */
export function treeCpuMs(pid: number): number {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const root = stats.find((stat) => stat.pid === pid);
  if (!root) throw new Error(`no process ${pid}`);
  let ticks = 0;
  const pending = [root];
  for (let stat = pending.pop(); stat; stat = pending.pop()) {
    ticks += stat.ticks + stat.childTicks;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return toMs(ticks);
}

/** The service processes whose CPU counts as the database's and Redis's. */
const SERVICE_COMMANDS = new Set(['postgres', 'redis-server']);

/**
 * CPU time (ms) of every Postgres and Redis process on the machine so far, with their exited
 * children (a Postgres backend that ended is counted in the postmaster's figure), leaving out
 * the processes in `exclude` (the benchmark's own database connection). Everything else these
 * servers do meanwhile counts too: measure on a quiet machine.
 */
export function serviceCpuMs(exclude: ReadonlySet<number> = new Set()): number {
  let ticks = 0;
  for (const stat of allStats()) {
    if (!SERVICE_COMMANDS.has(stat.comm) || exclude.has(stat.pid)) continue;
    ticks += stat.ticks + stat.childTicks;
  }
  return toMs(ticks);
}

function statusKiB(pid: number, field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  if (!match?.[1]) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]);
}

/** Peak resident set size of a process so far, in MiB (VmHWM). */
export const peakRssMiB = (pid: number): number => statusKiB(pid, 'VmHWM') / 1024;

/** Resident set size of a process now, in MiB (VmRSS). */
export const rssMiB = (pid: number): number => statusKiB(pid, 'VmRSS') / 1024;
