import { newMessageId } from '@confab/db/model';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/api';
import type { OpenDoc } from '../sync/open-doc';
import {
  indexedDbPendingPosts,
  type PendingFile,
  type PendingPost,
  type PendingPostStore,
} from './pending-posts';
import { sendPendingPost } from './pending-sender';
import { uploadFile } from './upload';
import { uploadsInFlight } from './use-attachments';

/** Retrying without network: after 1 s, doubling up to this, and at once when back online. */
const MAX_RETRY_MS = 30_000;

let shared: PendingPostStore | null = null;
const store = () => {
  shared ??= indexedDbPendingPosts();
  return shared;
};

/** One composer's messages with files that are not posted yet, and the loop that sends them. */
export interface PendingPosts {
  posts: PendingPost[];
  /** Keeps the message (and the bytes of files not uploaded yet), then sends it. */
  send: (text: string, files: PendingFile[]) => Promise<void>;
  discard: (id: string) => void;
}

/**
 * Messages with files for `target` (`channel:<id>` or `thread:<rootId>`), kept in IndexedDB
 * until posted: each is sent as soon as the doc is open and the network allows; a reload picks
 * them up where they were.
 */
export function usePendingPosts({
  api,
  user,
  channelId,
  target,
  parentId,
  open,
}: {
  api: Api;
  user: User;
  channelId: string;
  target: string;
  parentId?: string;
  open: OpenDoc | null;
}): PendingPosts {
  const [posts, setPosts] = useState<PendingPost[]>([]);
  const reload = useCallback(async () => {
    const all = await store().list();
    setPosts(all.filter((post) => post.target === target && post.author === user.id));
  }, [target, user.id]);
  useEffect(() => {
    void reload();
  }, [reload]);

  // One sending loop per composer: it goes through the posts in order, and waits when the
  // network is away (until the browser says `online`, or after a backoff kept across renders).
  const running = useRef(false);
  const retry = useRef({ delay: 1_000, at: 0 });
  useEffect(() => {
    if (!open || running.current) return;
    const waiting = posts.filter((post) => post.failed === null);
    if (!waiting.length) return;
    // Reading the posts again runs this effect again.
    const again = () => void reload();
    const online = () => {
      retry.current.at = 0;
      again();
    };
    window.addEventListener('online', online);
    const stop = () => window.removeEventListener('online', online);
    const wait = retry.current.at - Date.now();
    if (wait > 0) {
      const timer = setTimeout(again, wait);
      return () => {
        clearTimeout(timer);
        stop();
      };
    }
    running.current = true;
    let stopped = false;
    const steps = {
      store: store(),
      upload: (post: PendingPost, file: PendingFile) => {
        const upload = uploadsInFlight.get(file.key);
        if (upload) return upload;
        if (!file.blob) throw new Error(`${file.name}: the file's bytes are gone`);
        return uploadFile(api, post.channelId, file.blob, file.name);
      },
      post: (post: PendingPost, files: string[]) =>
        open.perform({
          kind: 'post',
          id: post.id,
          author: post.author,
          text: post.text,
          createdAt: post.createdAt,
          files,
          ...(post.parentId ? { parentId: post.parentId } : {}),
        }),
    };
    void (async () => {
      try {
        for (const post of waiting) {
          if (stopped) return;
          if ((await sendPendingPost(post, steps)) === 'offline') {
            const { delay } = retry.current;
            retry.current = { delay: Math.min(delay * 2, MAX_RETRY_MS), at: Date.now() + delay };
            return;
          }
          retry.current = { delay: 1_000, at: 0 };
        }
      } finally {
        running.current = false;
        await reload();
      }
    })();
    return () => {
      stopped = true;
      stop();
    };
  }, [api, open, posts, reload]);

  const send = useCallback(
    async (text: string, files: PendingFile[]) => {
      const createdAt = Date.now();
      const post: PendingPost = {
        id: newMessageId(createdAt),
        target,
        channelId,
        author: user.id,
        text,
        createdAt,
        files,
        failed: null,
        ...(parentId ? { parentId } : {}),
      };
      await store().put(post);
      await reload();
    },
    [channelId, parentId, reload, target, user.id],
  );

  const discard = useCallback(
    (id: string) => {
      void store().remove(id).then(reload);
    },
    [reload],
  );

  return { posts, send, discard };
}
