import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '@confab/db';
import { installationSecret, openOnce } from '../http/installation-secret';

/** How long a signed file URL works, at least; `expiresAt` rounds up to the next whole minute. */
export const FILE_URL_LIFETIME_SECONDS = 600;
const SECRET_SETTING = 'file_url_secret';

export interface SignedFileUrl {
  fileId: string;
  variant: string;
  userId: string;
  /** Unix seconds. */
  exp: number;
}

/**
 * Signs and checks the URLs that serve file bytes (HMAC-SHA256 over fileId|variant|userId|exp).
 * The key is made once per installation and kept in `system_settings`, so every API process
 * accepts the URLs any of them signed. A URL names its user: the content route still asks, on
 * every request, whether that user may read the file, so a URL outlives no one's access.
 */
export class FileUrlSigner {
  private constructor(private readonly key: Buffer) {}

  /** Opens the signer on first use and keeps it (see `openOnce`). */
  static opener(db: Db): () => Promise<FileUrlSigner> {
    return openOnce(() => FileUrlSigner.open(db));
  }

  static async open(db: Db): Promise<FileUrlSigner> {
    return new FileUrlSigner(await installationSecret(db, SECRET_SETTING));
  }

  /** Expiry of URLs signed now: whole minutes, so a client re-reading a list gets the same URLs. */
  expiry(now = Date.now()): number {
    return Math.ceil(now / 60_000) * 60 + FILE_URL_LIFETIME_SECONDS;
  }

  sign({ fileId, variant, userId, exp }: SignedFileUrl): string {
    return createHmac('sha256', this.key)
      .update(`${fileId}|${variant}|${userId}|${exp}`)
      .digest('base64url');
  }

  url(signed: SignedFileUrl): string {
    const query = new URLSearchParams({
      u: signed.userId,
      exp: String(signed.exp),
      sig: this.sign(signed),
    });
    return `/api/files/${signed.fileId}/content/${signed.variant}?${query}`;
  }

  /** Whether `sig` is this installation's signature of the URL and it has not expired. */
  verify(signed: SignedFileUrl, sig: string, now = Date.now()): boolean {
    if (signed.exp * 1000 <= now) return false;
    const expected = Buffer.from(this.sign(signed), 'base64url');
    const given = Buffer.from(sig, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
