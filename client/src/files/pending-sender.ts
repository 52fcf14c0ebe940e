import type { FileInfo } from './file-info';
import type { PendingPost, PendingPostStore } from './pending-posts';
import { describeUploadError, isTransient } from './upload';

export interface SendSteps {
  store: PendingPostStore;
  /** Uploads one file of the post (or waits for the composer's upload of it, already running). */
  upload: (post: PendingPost, file: PendingPost['files'][number]) => Promise<FileInfo>;
  /** Posts the message with its files through the outbox, under the post's own id. */
  post: (post: PendingPost, fileIds: string[]) => Promise<void>;
}

/** How one attempt ended: sent, waiting for the network, or refused (kept as failed). */
export type SendOutcome = 'sent' | 'offline' | 'failed';

/**
 * Sends one pending post: uploads the files still waiting (each one's id is stored as soon as
 * it is known, so a reload never uploads it again), then posts the message under its own id
 * (posting an id that exists is a no-op, so a crash between posting and forgetting never posts
 * twice), then forgets it. No network: it stays as it is, to be tried again. A file the server
 * refuses: the post is kept as failed with the reason, for the user to see.
 */
export async function sendPendingPost(post: PendingPost, steps: SendSteps): Promise<SendOutcome> {
  let current = post;
  for (const file of post.files) {
    if (file.fileId) continue;
    let info: FileInfo;
    try {
      info = await steps.upload(current, file);
    } catch (error) {
      if (isTransient(error)) return 'offline';
      const reason =
        error instanceof DOMException && error.name === 'AbortError'
          ? `${file.name}: the upload was cancelled.`
          : describeUploadError(file.name, error);
      await steps.store.put({ ...current, failed: reason });
      return 'failed';
    }
    current = {
      ...current,
      files: current.files.map((each) =>
        each.key === file.key ? { ...each, fileId: info.id, blob: null } : each,
      ),
    };
    await steps.store.put(current);
  }
  try {
    await steps.post(
      current,
      current.files.flatMap((file) => (file.fileId ? [file.fileId] : [])),
    );
  } catch (error) {
    // Refused by the client's own check (the channel's rules): kept, for the user to see.
    const reason = error instanceof Error ? error.message : String(error);
    await steps.store.put({ ...current, failed: `The message could not be posted: ${reason}` });
    return 'failed';
  }
  await steps.store.remove(current.id);
  return 'sent';
}
