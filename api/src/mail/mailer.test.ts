import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxMailer, createSmtpMailer, readOutbox } from './mailer';

describe('SMTP mailer', () => {
  const received: string[] = [];
  let server: SMTPServer;
  let port: number;
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => {
          data += chunk;
        });
        stream.on('end', () => {
          received.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers a mail to a real SMTP server', async () => {
    const mailer = createSmtpMailer(
      `smtp://127.0.0.1:${port}`,
      'Confab <no-reply@chat.example.com>',
    );
    await mailer.send({
      to: 'ada@example.com',
      subject: 'Reset your password',
      text: 'Open this link',
    });
    await mailer.close();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/^From: Confab <no-reply@chat\.example\.com>/m);
    expect(received[0]).toMatch(/^To: ada@example\.com/m);
    expect(received[0]).toMatch(/^Subject: Reset your password/m);
    expect(received[0]).toContain('Open this link');
  });
});

describe('outbox mailer', () => {
  it('keeps each mail as a file, readable in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'confab-outbox-'));
    try {
      const mailer = await createOutboxMailer(dir, 'Confab <no-reply@localhost>');
      await mailer.send({ to: 'a@example.com', subject: 'one', text: '1' });
      await mailer.send({ to: 'b@example.com', subject: 'two', text: '2' });
      const mails = await readOutbox(dir);
      expect(mails.map((mail) => [mail.to, mail.subject, mail.from])).toEqual([
        ['a@example.com', 'one', 'Confab <no-reply@localhost>'],
        ['b@example.com', 'two', 'Confab <no-reply@localhost>'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
