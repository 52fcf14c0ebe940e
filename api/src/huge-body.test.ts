import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, tsEntry, useServerProcesses } from '@confab/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const MiB = 1024 * 1024;
const processes = useServerProcesses();

let server: ServerProcess;
beforeAll(async () => {
  server = await processes.start(tsEntry(MAIN), processes.env({ PUBLIC_URL: 'http://127.0.0.1' }), {
    timeoutMs: 120_000,
  });
}, 150_000);

/** The server's resident memory, as the kernel counts it. */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kib) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib) * 1024;
}

/**
 * Streams `totalBytes` of chunked body at `path` from one reused 64 KiB chunk (the test holds no
 * more than that), writing only as fast as the server takes it, until the server answers or hangs
 * up. Resolves with what the server answered and how much of the body went out.
 */
function streamChunkedBody(port: number, path: string, totalBytes: number) {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const frame = Buffer.concat([
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from('\r\n'),
  ]);
  return new Promise<{ answer: string; sentBytes: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sentBytes = 0;
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      socket.destroy();
      resolve({ answer, sentBytes });
    };
    const pump = () => {
      while (!ended && answer === '' && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      if (sentBytes >= totalBytes) socket.write('0\r\n\r\n');
    };
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      // The whole answer is in once its JSON body closes.
      if (answer.includes('\r\n\r\n') && answer.trimEnd().endsWith('}')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      pump();
    });
  });
}

describe('request bodies on the real server [S8]', () => {
  it('answers a 300 MB chunked login body 413 after reading at most its limit, RSS growing < 50 MB', async () => {
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('no server pid');
    // Warm up the route, so what is measured is the body and not the first request's code loading.
    const warmUp = await fetch(`http://127.0.0.1:${server.port}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(warmUp.status).toBe(400);
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 20);
    try {
      const { answer, sentBytes } = await streamChunkedBody(
        server.port,
        '/api/auth/login',
        300 * MiB,
      );
      peak = Math.max(peak, rssBytes(pid));
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"code":"payload_too_large"');
      // What the kernel's socket buffers took before the answer, not the 300 MB.
      expect(sentBytes).toBeLessThan(50 * MiB);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(50 * MiB);
  }, 60_000);
});
