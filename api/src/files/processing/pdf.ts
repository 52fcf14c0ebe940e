import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { WorkerAnswer, WorkerReply, WorkerRequest } from './pdf-worker';
import type { ProcessingResult } from './processing-result';
import { readBytes } from './read-bytes';

/**
 * Larger PDFs get no preview (processing 'skipped'): mupdf needs the whole document in its WASM
 * memory, and a job should not hold more than this.
 */
export const MAX_PDF_BYTES = 50 * 1024 * 1024;
/** A PDF whose first page and text take longer than this is refused (a hostile one may loop). */
export const PDF_TIMEOUT_MS = 30_000;

/**
 * The thread's first code: it loads the TypeScript entry through tsx's API, which works the same
 * under tsx (production) and vitest, where a thread would not inherit a TypeScript loader.
 */
const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(${JSON.stringify(
  new URL('./pdf-worker.ts', import.meta.url).href,
)}, ${JSON.stringify(import.meta.url)}))`;

/**
 * The first page as a WebP (longer side 1024 px), the page count and the text, read in a worker
 * thread (see pdf-worker.ts).
 */
export async function processPdf(
  input: Readable | Uint8Array,
  { timeoutMs = PDF_TIMEOUT_MS } = {},
): Promise<ProcessingResult> {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) {
    bytes = input;
  } else {
    const read = await readBytes(input, MAX_PDF_BYTES);
    if (read.truncated) return { outcome: 'skipped', reason: 'PDF too large to preview' };
    bytes = read.bytes;
  }
  if (bytes.length > MAX_PDF_BYTES) {
    return { outcome: 'skipped', reason: 'PDF too large to preview' };
  }
  const answer = await readInWorker(bytes, timeoutMs);
  switch (answer.kind) {
    case 'encrypted':
      return { outcome: 'skipped', reason: 'PDF is encrypted' };
    case 'empty':
      return { outcome: 'failed', reason: 'PDF has no pages' };
    case 'error':
      return { outcome: 'failed', reason: `PDF refused: ${answer.message}` };
    case 'read': {
      const { data, info } = await sharp(answer.png)
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      return {
        outcome: 'done',
        pages: answer.pages,
        width: info.width,
        height: info.height,
        extractedText: answer.text,
        derived: { preview: data },
      };
    }
  }
}

/** An idle reader thread is ended after this long: mupdf's WASM memory only grows while it lives. */
const IDLE_MS = 30_000;

interface ReaderThread {
  worker: Worker;
  pending: Map<number, (answer: WorkerAnswer) => void>;
  idleTimer?: NodeJS.Timeout;
}

let thread: ReaderThread | undefined;
let nextId = 0;
/** One PDF at a time: the thread is single-threaded anyway, and a timeout then names the right PDF. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * One reader thread, kept while PDFs keep coming (loading mupdf's WASM costs more than most
 * renders). A thread that fails, exits or overruns a timeout is ended; the next PDF gets a new one.
 */
function readerThread(): ReaderThread {
  if (thread) return thread;
  const worker = new Worker(BOOTSTRAP, { eval: true });
  // An idle reader must not keep the process alive.
  worker.unref();
  const current: ReaderThread = { worker, pending: new Map() };
  const fail = (message: string) => {
    if (thread === current) thread = undefined;
    for (const resolve of current.pending.values()) resolve({ kind: 'error', message });
    current.pending.clear();
  };
  worker.on('message', ({ id, answer }: WorkerReply) => {
    current.pending.get(id)?.(answer);
    current.pending.delete(id);
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => fail(`reader thread exited with code ${code}`));
  thread = current;
  return current;
}

function endThread(current: ReaderThread): void {
  if (thread === current) thread = undefined;
  clearTimeout(current.idleTimer);
  void current.worker.terminate();
}

function readInWorker(bytes: Uint8Array, timeoutMs: number): Promise<WorkerAnswer> {
  const turn = queue.then(
    () =>
      new Promise<WorkerAnswer>((resolve) => {
        const current = readerThread();
        clearTimeout(current.idleTimer);
        const id = nextId++;
        const timer = setTimeout(() => {
          current.pending.delete(id);
          endThread(current);
          resolve({ kind: 'error', message: `took longer than ${timeoutMs} ms` });
        }, timeoutMs);
        current.pending.set(id, (answer) => {
          clearTimeout(timer);
          current.idleTimer = setTimeout(() => endThread(current), IDLE_MS);
          current.idleTimer.unref();
          resolve(answer);
        });
        current.worker.postMessage({ id, bytes } satisfies WorkerRequest);
      }),
  );
  queue = turn;
  return turn;
}
