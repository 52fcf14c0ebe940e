import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendEnvSchema, ConfigError, parseEnv, portSchema, s3Settings } from './config';

const schema = backendEnvSchema.extend({ PORT: portSchema(3000) });

describe('parseEnv', () => {
  it('gives embedded defaults when nothing is set', () => {
    const env = parseEnv(schema, {});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: './.confab', REDIS_KEY_PREFIX: 'confab:' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('keeps presence 30 s after the last connection and for 30 s after a node stops refreshing it', () => {
    expect(parseEnv(schema, {})).toMatchObject({
      PRESENCE_GRACE_MS: 30_000,
      PRESENCE_TTL_MS: 30_000,
    });
    expect(parseEnv(schema, { PRESENCE_GRACE_MS: '1500', PRESENCE_TTL_MS: '3000' })).toMatchObject({
      PRESENCE_GRACE_MS: 1_500,
      PRESENCE_TTL_MS: 3_000,
    });
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
    ['S3_BUCKET', 'Upper_Case'],
    ['S3_BUCKET', 'ab'],
    ['S3_REGION', 'eu central'],
    ['S3_ENDPOINT', 'minio:9000'],
    ['S3_ENDPOINT', 'ftp://minio:9000'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
    ['PRESENCE_GRACE_MS', '-1'],
    ['PRESENCE_GRACE_MS', '1.5'],
    ['PRESENCE_GRACE_MS', 'soon'],
    ['PRESENCE_TTL_MS', '100'],
    ['PRESENCE_TTL_MS', '600001'],
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

describe('s3Settings', () => {
  it('is null without S3_BUCKET: blobs stay in DATA_DIR', () => {
    expect(s3Settings(parseEnv(schema, {}))).toBeNull();
  });

  it('addresses AWS by host name and an S3-compatible endpoint by path unless told otherwise', () => {
    expect(s3Settings(parseEnv(schema, { S3_BUCKET: 'confab-files' }))).toEqual({
      bucket: 'confab-files',
      region: 'us-east-1',
      forcePathStyle: false,
    });
    const endpoint = { S3_BUCKET: 'files', S3_ENDPOINT: 'http://minio:9000', S3_REGION: 'eu-1' };
    expect(s3Settings(parseEnv(schema, endpoint))).toEqual({
      bucket: 'files',
      region: 'eu-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
    });
    expect(
      s3Settings(parseEnv(schema, { ...endpoint, S3_FORCE_PATH_STYLE: 'false' }))?.forcePathStyle,
    ).toBe(false);
  });

  it('refuses S3_ENDPOINT or S3_FORCE_PATH_STYLE without S3_BUCKET, naming the variable', () => {
    const env = parseEnv(schema, { S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: '1' });
    expect(() => s3Settings(env)).toThrow(ConfigError);
    expect(() => s3Settings(env)).toThrow(
      /S3_BUCKET: required when S3_ENDPOINT or S3_FORCE_PATH_STYLE is set/,
    );
  });
});
