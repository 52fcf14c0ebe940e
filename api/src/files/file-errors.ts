import { ApiError } from '../errors';

/** The answers an upload may get besides 201; each changes nothing (no bytes kept, no row). */
export const fileTooLarge = (maxBytes: number) =>
  new ApiError(413, 'file_too_large', `A file may be at most ${maxBytes} bytes`, {
    Connection: 'close',
  });
/** Closes the connection too: it may come while the client is still sending the body. */
export const quotaExceeded = (quotaBytes: number) =>
  new ApiError(
    413,
    'quota_exceeded',
    `This workspace's files may take at most ${quotaBytes} bytes together; delete some first`,
    { Connection: 'close' },
  );
export const fileEmpty = () => new ApiError(400, 'file_empty', 'The file is empty');
export const fileTypeRefused = (why: string) => new ApiError(415, 'file_type_refused', why);
