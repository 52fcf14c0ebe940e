import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendEnvSchema, ConfigError, parseEnv, portSchema } from './config';

const schema = backendEnvSchema.extend({ PORT: portSchema(3000) });

describe('parseEnv', () => {
  it('gives embedded defaults when nothing is set', () => {
    const env = parseEnv(schema, {});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: './.confab', REDIS_KEY_PREFIX: 'confab:' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('treats an empty value as unset', () => {
    expect(parseEnv(schema, { PORT: '', DATABASE_URL: '' })).toMatchObject({ PORT: 3000 });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['DATABASE_URL', 'nonsense'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_POOL_SIZE', '1'],
    ['UNSAFE_SKIP_DURABILITY_CHECKS', 'yes'],
  ])('names %s when it is %j', (name, value) => {
    const attempt = () => parseEnv(schema, { [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      new RegExp(
        `^Invalid configuration:\\n  ${name}: .*got ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
  });

  it('lists every bad variable at once', () => {
    const attempt = () => parseEnv(schema, { PORT: 'x', LOG_LEVEL: 'y' });
    expect(attempt).toThrow(/\n {2}PORT: /);
    expect(attempt).toThrow(/\n {2}LOG_LEVEL: /);
  });

  it('ignores variables the schema does not know', () => {
    expect(() => parseEnv(z.object({}), { UNRELATED: 'x' })).not.toThrow();
  });

  it('does not echo passwords or secrets in its message', () => {
    const attempt = () =>
      parseEnv(schema.extend({ SMTP_PASSWORD: z.string().min(20) }), {
        DATABASE_URL: 'mysql://confab:hunter2@db:3306/confab',
        SMTP_PASSWORD: 'short-secret',
      });
    expect(attempt).toThrow(/DATABASE_URL: .*mysql:\/\/confab:\*\*\*@db:3306/);
    expect(attempt).toThrow(/SMTP_PASSWORD: .*\(hidden\)/);
    expect(attempt).not.toThrow(/hunter2|short-secret/);
  });
});
