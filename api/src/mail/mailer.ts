import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Extra headers, such as `List-Unsubscribe` on notification mail. */
  headers?: Record<string, string>;
}

export interface StoredMail extends Mail {
  from: string;
  sentAt: string;
}

/** Sends the few mails Confab sends (password reset, invitations, unread notifications). */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = createTransport(url);
  return {
    kind: 'smtp',
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Development mail: each mail becomes a JSON file in `dir` (DATA_DIR/outbox), for `npm start`
 * without a mail server and for tests to read. Written then renamed, so readers never see half.
 */
export async function createOutboxMailer(dir: string, from: string): Promise<Mailer> {
  await mkdir(dir, { recursive: true });
  let sent = 0;
  return {
    kind: 'outbox',
    async send(mail) {
      const stored: StoredMail = { from, ...mail, sentAt: new Date().toISOString() };
      // Time, then a counter for mails of the same millisecond, so names sort in sending order.
      const name = `${Date.now()}-${String(sent++).padStart(9, '0')}-${randomBytes(4).toString('hex')}.json`;
      await writeFile(join(dir, `.${name}`), JSON.stringify(stored, null, 2));
      await rename(join(dir, `.${name}`), join(dir, name));
    },
    async close() {},
  };
}

/** The outbox's mails, oldest first. */
export async function readOutbox(dir: string): Promise<StoredMail[]> {
  const names = (await readdir(dir).catch(() => [])).filter((name) => !name.startsWith('.')).sort();
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as StoredMail),
  );
}
