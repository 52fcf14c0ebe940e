import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Db, schema } from '@confab/db';
import { eq } from 'drizzle-orm';

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

  /**
   * Opens the signer on first use and keeps it: the app is built synchronously, and a process
   * that never serves a file never touches the secret.
   */
  static opener(db: Db): () => Promise<FileUrlSigner> {
    let opened: Promise<FileUrlSigner> | undefined;
    return () => {
      opened ??= FileUrlSigner.open(db).catch((error: unknown) => {
        opened = undefined;
        throw error;
      });
      return opened;
    };
  }

  static async open(db: Db): Promise<FileUrlSigner> {
    // Concurrent first starts race on the insert; the primary key lets exactly one secret win.
    await db
      .insert(schema.systemSettings)
      .values({ key: SECRET_SETTING, value: randomBytes(32).toString('base64url') })
      .onConflictDoNothing({ target: schema.systemSettings.key });
    const [row] = await db
      .select({ value: schema.systemSettings.value })
      .from(schema.systemSettings)
      .where(eq(schema.systemSettings.key, SECRET_SETTING));
    if (typeof row?.value !== 'string') throw new Error('file URL secret missing after insert');
    return new FileUrlSigner(Buffer.from(row.value, 'base64url'));
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
