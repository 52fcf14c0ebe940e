import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres } from './database';
import { createLogger } from './logger';
import { users } from './schema/index';
import { useTestDatabase } from './testing/index';

const testDb = useTestDatabase();

/** A logger writing into an array of parsed lines. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', {}, stream), lines };
}

const EMAIL = 'secret.person@example.com';
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

function loggedErrorsCarryNoValues(name: string, open: () => Promise<Database>) {
  describe(`logger: database errors on ${name}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
      await database.migrate();
    });
    afterAll(() => database.close());

    it('logs a failing insert without its parameters: no email, no password hash', async () => {
      // NUL is what Postgres refuses in text; the row also holds the values that must not leak.
      const error = await database.db
        .insert(users)
        .values({ email: EMAIL, name: 'Eve\u0000', passwordHash: HASH })
        .then(
          () => null,
          (failure: unknown) => failure,
        );
      expect(error).toBeInstanceOf(Error);
      const { logger, lines } = capture();
      logger.error({ err: error }, 'signup failed');
      logger.warn(error as Error, 'the same error as the first argument');
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toContain(EMAIL);
        expect(line).not.toContain(HASH);
        expect(line).not.toContain('argon2id');
        expect(line).toContain('insert into');
      }
    });
  });
}

loggedErrorsCarryNoValues('postgres', () => openPostgres(testDb.url));
loggedErrorsCarryNoValues('pglite', () => openPglite('memory'));

describe('logger: secrets', () => {
  it('redacts passwords, hashes, tokens and cookies nested in a log object', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'hunter2',
        user: { email: 'a@b.c', passwordHash: HASH },
        req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=xyz' } },
        body: { refreshToken: 'opaque-refresh' },
      },
      'request',
    );
    const [line = ''] = lines;
    for (const secret of ['hunter2', HASH, 'Bearer abc.def', 'sid=xyz', 'opaque-refresh'])
      expect(line).not.toContain(secret);
    expect(line).toContain('a@b.c');
  });
});
