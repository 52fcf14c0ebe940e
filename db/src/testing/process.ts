import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Port from the process's `listening` log line. */
  readonly port: number;
  readonly output: () => string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX_LOADER = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/**
 * The command that runs a TypeScript entry point: node itself with tsx's loader, one process, so
 * that a signal (SIGKILL above all) reaches the server and not a wrapper around it.
 */
export const tsEntry = (entry: string): string[] => [
  process.execPath,
  '--import',
  TSX_LOADER,
  entry,
];

/** Signals the process and everything it started (its process group). */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function spawnCommand(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  abort: AbortSignal | undefined,
): ChildProcess {
  // A clean environment: the test states every variable the process sees, as a fresh machine would.
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'info',
  };
  const [file, ...args] = command;
  if (!file) throw new Error('empty command');
  // Its own process group, so a signal reaches what a wrapper (npm, sh, tsx) started too.
  const child = spawn(file, args, {
    cwd,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // The owner's abort ends the group at any moment, a process still starting up included.
  if (abort) {
    const kill = () => signalTree(child, 'SIGKILL');
    if (abort.aborted) kill();
    abort.addEventListener('abort', kill, { once: true });
    child.once('exit', () => abort.removeEventListener('abort', kill));
  }
  return child;
}

/**
 * Runs a command to completion (for start-up failures). `abort` SIGKILLs its process group.
 */
export function runProcess(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 60_000,
  abort?: AbortSignal,
): Promise<ProcessResult> {
  const child = spawnCommand(command, env, cwd, abort);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signalTree(child, 'SIGKILL');
      reject(
        new Error(
          `${command.join(' ')} still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts a server and waits for its `listening` log line (pino JSON). `abort` SIGKILLs its
 * process group, while it starts or after.
 */
export async function startProcess(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 60_000,
  abort?: AbortSignal,
): Promise<ServerProcess> {
  const child = spawnCommand(command, env, cwd, abort);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exitedEarly = new AbortController();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitedEarly.abort(new Error(`${command.join(' ')} exited with ${code} before listening`));
      resolve(code);
    }),
  );
  const port = await waitFor(
    `${command.join(' ')} to log "listening"`,
    () => {
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as { msg?: string; port?: number };
        if (record.msg === 'listening' && record.port) return record.port;
      }
      return undefined;
    },
    { timeoutMs, signal: exitedEarly.signal },
  ).catch((error: Error) => {
    signalTree(child, 'SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    child,
    port,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) signalTree(child, signal);
      const code = await exited;
      // A wrapper may exit before what it started: nothing of the test's outlives it.
      signalTree(child, 'SIGKILL');
      return code;
    },
  };
}
