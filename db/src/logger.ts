import { type Logger, pino } from 'pino';

export type { Logger };

/** The one logger of a process: JSON lines on stdout; components take child loggers. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...base } });
}
