import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '@confab/db';
import { installationSecret, openOnce } from '../http/installation-secret';

const SECRET_SETTING = 'unsubscribe_secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What an unsubscribe link turns off; the token names it, so a token serves one purpose. */
export type UnsubscribePurpose = 'email_mentions';
const PURPOSES: readonly UnsubscribePurpose[] = ['email_mentions'];

/**
 * Signs and checks the tokens of unsubscribe links in mail (HMAC-SHA256 over purpose and user,
 * `<userId>.<purpose>.<signature>`). They work without signing in, as mail clients' one-click
 * unsubscribe (RFC 8058) needs, and do not expire: a link in an old mail still stops the mail.
 * The key is made once per installation and kept in `system_settings`, as the file URL key is.
 */
export class UnsubscribeTokens {
  private constructor(private readonly key: Buffer) {}

  /** Opens on first use and keeps it (see `openOnce`). */
  static opener(db: Db): () => Promise<UnsubscribeTokens> {
    return openOnce(() => UnsubscribeTokens.open(db));
  }

  static async open(db: Db): Promise<UnsubscribeTokens> {
    return new UnsubscribeTokens(await installationSecret(db, SECRET_SETTING));
  }

  private signature(userId: string, purpose: UnsubscribePurpose): string {
    return createHmac('sha256', this.key)
      .update(`unsubscribe|${purpose}|${userId}`)
      .digest('base64url');
  }

  token(userId: string, purpose: UnsubscribePurpose): string {
    return `${userId}.${purpose}.${this.signature(userId, purpose)}`;
  }

  /** The user and purpose a token was signed for, or null for anything else. */
  verify(token: string): { userId: string; purpose: UnsubscribePurpose } | null {
    if (token.length > 200) return null;
    const [userId = '', purpose = '', signature = '', ...rest] = token.split('.');
    const known = PURPOSES.find((candidate) => candidate === purpose);
    if (rest.length || !known || !UUID.test(userId)) return null;
    const expected = Buffer.from(this.signature(userId, known), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { userId, purpose: known };
  }
}
