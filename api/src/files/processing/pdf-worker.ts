/**
 * Worker thread entry: reads PDFs with mupdf, one message at a time ({ id, bytes } in, { id,
 * answer } out). Its own thread, so a render never holds the event loop of the process serving
 * requests, and a PDF that takes too long is stopped by terminating the thread (pdf.ts).
 */
import { parentPort } from 'node:worker_threads';
import * as mupdf from 'mupdf';
import { type PdfReading, readPdf } from './pdf-reader';

export type WorkerAnswer = PdfReading | { kind: 'error'; message: string };
export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
}
export interface WorkerReply {
  id: number;
  answer: WorkerAnswer;
}

// mupdf writes every repair of a broken file to stderr; a refused file's reason is in the answer.
mupdf.setLog(() => {});

parentPort?.on('message', ({ id, bytes }: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    answer = readPdf(mupdf, bytes);
  } catch (error) {
    answer = { kind: 'error', message: (error as Error).message };
  }
  parentPort?.postMessage({ id, answer } satisfies WorkerReply);
});
