import type { BlobStore, Logger } from '@confab/db';
import type { FileLimits } from '../../files/store-upload';
import type { FileUrlSigner } from '../../files/url-signer';
import type { OrgDeps } from '../org-deps';

export interface FileSettings extends FileLimits {
  /** How long a deleted file's bytes are kept before the purge sweep removes them. */
  purgeGraceSeconds: number;
}

export const DEFAULT_FILE_SETTINGS: FileSettings = {
  maxBytes: 100 * 1024 * 1024,
  workspaceQuotaBytes: 10 * 1024 ** 3,
  purgeGraceSeconds: 24 * 3600,
};

/** What the file routes need beyond the other org routes' dependencies. */
export interface FilesDeps extends OrgDeps {
  blobs: BlobStore;
  /** The URL signer, opened on first use (FileUrlSigner.opener). */
  signer: () => Promise<FileUrlSigner>;
  settings: FileSettings;
  logger: Logger;
  /** Queues a promoted file's processing (thumbnails, previews); absent where no queue runs. */
  enqueueProcessing?: (fileId: string) => Promise<void>;
}
