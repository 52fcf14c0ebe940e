import { LIMITS } from '@confab/db/model';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/api';
import type { FileInfo } from './file-info';
import type { PendingFile } from './pending-posts';
import { describeUploadError, isTransient, uploadFile } from './upload';

/** A file in the composer: uploading as soon as it is chosen, so Send rarely waits. */
export interface Attachment {
  key: string;
  file: File;
  /**
   * uploading (with progress), uploaded, waiting (no network: its bytes go out with the message
   * once online), or refused by the server (`error` says why; it blocks sending until removed).
   */
  state: 'uploading' | 'uploaded' | 'waiting' | 'refused';
  loaded: number;
  fileId: string | null;
  error: string | null;
}

/**
 * Uploads still running, by attachment key: a message sent before its files finished waits for
 * these instead of uploading the bytes a second time.
 */
export const uploadsInFlight = new Map<string, Promise<FileInfo>>();

let counter = 0;
const newKey = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** The files attached in one composer, and what they do. */
export interface Attachments {
  list: Attachment[];
  /** Set when a file could not be attached at all (too many files). */
  notice: string | null;
  add: (files: Iterable<File>) => void;
  /** Cancels the upload (if running) and removes the file. */
  remove: (key: string) => void;
  /** Takes the files for a message being sent, leaving the composer empty. */
  take: () => PendingFile[];
}

export function useAttachments(api: Api, channelId: string): Attachments {
  const [list, setList] = useState<Attachment[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const controllers = useRef(new Map<string, AbortController>());
  const listRef = useRef(list);
  listRef.current = list;
  const update = useCallback((key: string, change: Partial<Attachment>) => {
    setList((current) => current.map((each) => (each.key === key ? { ...each, ...change } : each)));
  }, []);
  // Leaving the channel cancels what is still uploading for it; nothing was sent with it.
  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const controller of running.values()) controller.abort();
    };
  }, []);

  // Transient failures while online (a dropped connection, a restarting server) are retried
  // after a growing delay; offline, the 'online' event restarts them instead.
  const retries = useRef(new Map<string, { attempts: number; timer: number }>());
  useEffect(() => {
    const pending = retries.current;
    return () => {
      for (const { timer } of pending.values()) window.clearTimeout(timer);
    };
  }, []);

  const start = useCallback(
    (attachment: Attachment) => {
      const controller = new AbortController();
      controllers.current.set(attachment.key, controller);
      const upload = uploadFile(api, channelId, attachment.file, attachment.file.name, {
        signal: controller.signal,
        onProgress: (loaded) => update(attachment.key, { loaded }),
      });
      uploadsInFlight.set(attachment.key, upload);
      upload.then(
        (info) => {
          retries.current.delete(attachment.key);
          update(attachment.key, { state: 'uploaded', fileId: info.id, error: null });
        },
        (error: unknown) => {
          if (error instanceof DOMException && error.name === 'AbortError') return;
          if (!isTransient(error)) {
            update(attachment.key, {
              state: 'refused',
              error: describeUploadError(attachment.file.name, error),
            });
            return;
          }
          update(attachment.key, { state: 'waiting', loaded: 0, error: null });
          if (!navigator.onLine) return;
          const attempts = (retries.current.get(attachment.key)?.attempts ?? 0) + 1;
          const timer = window.setTimeout(
            () => {
              const waiting = listRef.current.find(
                (each) => each.key === attachment.key && each.state === 'waiting',
              );
              if (!waiting) return;
              update(waiting.key, { state: 'uploading', loaded: 0 });
              start(waiting);
            },
            Math.min(30_000, 1_000 * 2 ** (attempts - 1)),
          );
          retries.current.set(attachment.key, { attempts, timer });
        },
      );
      void upload
        .catch(() => undefined)
        .finally(() => {
          uploadsInFlight.delete(attachment.key);
          controllers.current.delete(attachment.key);
        });
    },
    [api, channelId, update],
  );

  // Files chosen offline start uploading once the browser is back online, so that sending
  // them later does not wait.
  useEffect(() => {
    const online = () => {
      const waiting = listRef.current.filter((each) => each.state === 'waiting');
      for (const each of waiting) update(each.key, { state: 'uploading', loaded: 0 });
      for (const each of waiting) start(each);
    };
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [start, update]);

  const add = useCallback(
    (files: Iterable<File>) => {
      const room = LIMITS.filesPerMessage - listRef.current.length;
      const chosen = [...files];
      setNotice(
        chosen.length > room
          ? `A message carries at most ${LIMITS.filesPerMessage} files: ${chosen.length - Math.max(0, room)} not attached.`
          : null,
      );
      const added = chosen.slice(0, Math.max(0, room)).map(
        (file): Attachment => ({
          key: newKey(),
          file,
          state: navigator.onLine ? 'uploading' : 'waiting',
          loaded: 0,
          fileId: null,
          error: null,
        }),
      );
      setList((current) => [...current, ...added]);
      for (const attachment of added) if (attachment.state === 'uploading') start(attachment);
    },
    [start],
  );

  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    setList((current) => current.filter((each) => each.key !== key));
    setNotice(null);
  }, []);

  const take = useCallback((): PendingFile[] => {
    const taken = listRef.current.filter((each) => each.state !== 'refused');
    // Their uploads now belong to the message: leaving the channel must not cancel them.
    for (const each of taken) controllers.current.delete(each.key);
    setList([]);
    setNotice(null);
    return taken.map((each) => ({
      key: each.key,
      name: each.file.name,
      type: each.file.type,
      size: each.file.size,
      fileId: each.fileId,
      // Kept until the id is known: an upload still running may yet fail for want of network.
      blob: each.fileId ? null : each.file,
    }));
  }, []);

  return { list, notice, add, remove, take };
}
