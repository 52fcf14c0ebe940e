import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { WorkerAnswer } from './pdf-worker';
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
 * thread of its own (see pdf-worker.ts).
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

function readInWorker(bytes: Uint8Array, timeoutMs: number): Promise<WorkerAnswer> {
  return new Promise((resolve) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { bytes } });
    let settled = false;
    const settle = (answer: WorkerAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(answer);
    };
    const timer = setTimeout(
      () => settle({ kind: 'error', message: `took longer than ${timeoutMs} ms` }),
      timeoutMs,
    );
    worker.once('message', (answer: WorkerAnswer) => settle(answer));
    worker.once('error', (error) => settle({ kind: 'error', message: error.message }));
    worker.once('exit', (code) =>
      settle({ kind: 'error', message: `reader thread exited with code ${code}` }),
    );
  });
}
