import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startProcess } from './process';
import { useServerProcesses } from './server-processes';
import { waitFor } from './wait';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A shell that starts a long-lived grandchild and reports its pid in the "port" field of the
 * listening line, the way a wrapper around a server (npm start) would leave it running.
 */
const WRAPPER = ['sh', '-c', 'sleep 600 & echo "{\\"msg\\":\\"listening\\",\\"port\\":$!}"; wait'];
const NEVER_LISTENS = ['sh', '-c', 'sleep 600'];

describe('startProcess', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`stops what a wrapper started too (${signal}), as npm start's server`, async () => {
      const wrapper = await startProcess(WRAPPER, {}, tmpdir());
      const grandchild = wrapper.port;
      expect(alive(grandchild)).toBe(true);
      await wrapper.stop(signal);
      await waitFor('the grandchild to be gone', () => (alive(grandchild) ? undefined : true));
    });
  }
});

describe('useServerProcesses', () => {
  let grandchild = 0;
  let scratch = '';
  let starting: Promise<string> = Promise.resolve('not started');
  let running: Promise<number | null> = Promise.resolve(0);

  describe('a test file that leaves processes behind', () => {
    const processes = useServerProcesses();

    it("builds a node's settings on the file's own database and Redis", () => {
      expect(processes.env({ PUBLIC_URL: 'http://localhost', PORT: '8080' })).toEqual({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: processes.database.url,
        REDIS_URL: processes.redis.url,
        REDIS_KEY_PREFIX: processes.redis.prefix,
        PUBLIC_URL: 'http://localhost',
      });
    });

    it('starts a server, one still starting and a command that never ends', async () => {
      scratch = processes.scratch;
      grandchild = (await processes.start(WRAPPER, {})).port;
      expect(alive(grandchild)).toBe(true);
      starting = processes.start(NEVER_LISTENS, {}).then(
        () => 'listening',
        (error: Error) => error.message,
      );
      running = processes.run(NEVER_LISTENS, {}).then((result) => result.code);
    });
  });

  it('kills every process group it started once those tests end, and removes its folder', async () => {
    await waitFor('the grandchild to be gone', () => (alive(grandchild) ? undefined : true));
    expect(await starting).toMatch(/exited with null before listening/);
    expect(await running).toBeNull();
    expect(existsSync(scratch)).toBe(false);
  });
});
