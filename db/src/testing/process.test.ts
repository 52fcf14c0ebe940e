import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startProcess } from './process';
import { waitFor } from './wait';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startProcess', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`stops what a wrapper started too (${signal}), as npm start's server`, async () => {
      // A shell that starts a long-lived grandchild and reports its pid in the "port" field of
      // the listening line, the way a wrapper around a server would leave it running.
      const wrapper = await startProcess(
        ['sh', '-c', 'sleep 600 & echo "{\\"msg\\":\\"listening\\",\\"port\\":$!}"; wait'],
        {},
        tmpdir(),
      );
      const grandchild = wrapper.port;
      expect(alive(grandchild)).toBe(true);
      await wrapper.stop(signal);
      await waitFor('the grandchild to be gone', () => (alive(grandchild) ? undefined : true));
    });
  }
});
