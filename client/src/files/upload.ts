import { type Api, ApiError, type RawRequest, type RawResponse } from '../api/api';
import type { FileInfo } from './file-info';

export interface UploadOptions {
  /** Bytes sent so far out of the total, as the browser reports them. */
  onProgress?: (loaded: number, total: number) => void;
  /** Aborting cancels the upload; the promise then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** The transport (tests pass a fake); the browser's XMLHttpRequest by default. */
  newRequest?: () => XMLHttpRequest;
}

/**
 * Sends one request with XMLHttpRequest, whose `upload.onprogress` reports the bytes sent (fetch
 * cannot). Resolves with any answer the server gave; rejects when none came (network down) or
 * on abort.
 */
export function xhrTransport(
  body: Blob,
  { onProgress, signal, newRequest = () => new XMLHttpRequest() }: UploadOptions,
) {
  return ({ method, url, authorization }: RawRequest) =>
    new Promise<RawResponse>((resolve, reject) => {
      const aborted = () => new DOMException('The upload was cancelled.', 'AbortError');
      if (signal?.aborted) {
        reject(aborted());
        return;
      }
      const request = newRequest();
      request.open(method, url);
      if (authorization) request.setRequestHeader('Authorization', authorization);
      request.setRequestHeader('Content-Type', body.type || 'application/octet-stream');
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress?.(event.loaded, event.total);
      };
      request.onload = () => resolve({ status: request.status, body: request.responseText });
      request.onerror = () => reject(new TypeError('The network failed during the upload.'));
      request.onabort = () => reject(aborted());
      signal?.addEventListener('abort', () => request.abort(), { once: true });
      request.send(body);
    });
}

/**
 * Uploads one file for a channel (`POST /api/channels/{channelId}/files`, the raw bytes as the
 * body, the display name in the query), with progress and cancel; resolves with the stored
 * file's metadata (processing follows later). Failures are `ApiError`s (`offline` when no answer
 * came: keep the bytes and try again later) or the abort.
 */
export async function uploadFile(
  api: Api,
  channelId: string,
  file: Blob,
  name: string,
  options: UploadOptions = {},
): Promise<FileInfo> {
  const answer = await api.requestVia(
    'POST /api/channels/{channelId}/files',
    { params: { channelId }, query: { name } },
    xhrTransport(file, options),
  );
  return answer.file;
}

/** Failures worth retrying later with the same bytes: no answer, or the server unavailable. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/** What the user reads when the server refused a file: which file, and why. */
export function describeUploadError(name: string, error: unknown): string {
  if (!(error instanceof ApiError)) return `${name} could not be uploaded.`;
  switch (error.code) {
    case 'file_too_large':
      return `${name} is too large. ${error.message}`;
    case 'quota_exceeded':
      return `${name} was not uploaded: the workspace's storage for files is full.`;
    case 'file_type_refused':
      return `${name} was refused: ${error.message}`;
    case 'file_empty':
      return `${name} is empty.`;
    case 'offline':
      return `${name} will be uploaded when you are back online.`;
    default:
      return `${name} could not be uploaded: ${error.message}`;
  }
}
