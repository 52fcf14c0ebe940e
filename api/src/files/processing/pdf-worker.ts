/**
 * Worker thread entry: reads one PDF (workerData.bytes) with mupdf and posts a WorkerAnswer. Its
 * own thread, so the render never holds the event loop of the process serving requests, and a
 * PDF that takes too long can be stopped by terminating the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as mupdf from 'mupdf';
import { type PdfReading, readPdf } from './pdf-reader';

export type WorkerAnswer = PdfReading | { kind: 'error'; message: string };

// mupdf writes every repair of a broken file to stderr; a refused file's reason is in the answer.
mupdf.setLog(() => {});

const { bytes } = workerData as { bytes: Uint8Array };
let answer: WorkerAnswer;
try {
  answer = readPdf(mupdf, bytes);
} catch (error) {
  answer = { kind: 'error', message: (error as Error).message };
}
parentPort?.postMessage(answer);
