import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config';

const read = (context: Record<string, unknown>, environment: Record<string, string> = {}) =>
  readConfig((key) => context[key], environment);

describe('CDK context', () => {
  it('needs nothing: defaults for a synth without a domain', () => {
    const config = read({});
    expect(config.domain).toBeUndefined();
    expect(config.api).toEqual({
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 2,
      minCount: 2,
      maxCount: 6,
    });
    expect(config.sync.maxCount).toBe(10);
    expect(config.database.backupRetentionDays).toBe(14);
    expect(config.redis).toEqual({ nodeType: 'cache.t4g.small', replicas: 1 });
  });

  it('reads sizes given as strings on the command line (-c apiDesiredCount=4)', () => {
    const config = read({ apiDesiredCount: '4', apiMaxCount: 8, redisReplicas: '2' });
    expect(config.api.desiredCount).toBe(4);
    expect(config.api.maxCount).toBe(8);
    expect(config.redis.replicas).toBe(2);
  });

  it('takes a domain with its zone, and the account and region from the CDK CLI', () => {
    const config = read(
      { domainName: 'chat.example.com', hostedZoneId: 'Z0123', hostedZoneName: 'example.com' },
      { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
    );
    expect(config.domain).toEqual({
      name: 'chat.example.com',
      hostedZoneId: 'Z0123',
      zoneName: 'example.com',
    });
    expect([config.account, config.region]).toEqual(['123456789012', 'eu-west-1']);
  });

  it('names every bad key at once and builds nothing', () => {
    const error = (() => {
      try {
        read({
          apiDesiredCount: 'two',
          syncMinCount: 5,
          syncDesiredCount: 3,
          domainName: 'chat.example.com',
          redisNodeType: 'big',
          alarmEmail: 'nobody',
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = String((error as Error).message);
    for (const key of [
      'apiDesiredCount',
      'syncMinCount',
      'hostedZoneId',
      'redisNodeType',
      'alarmEmail',
    ]) {
      expect(message).toContain(key);
    }
  });

  it('refuses a domain outside its hosted zone', () => {
    expect(() =>
      read({
        domainName: 'chat.example.org',
        hostedZoneId: 'Z0123',
        hostedZoneName: 'example.com',
        account: '123456789012',
        region: 'eu-west-1',
      }),
    ).toThrow(/not inside the hosted zone example.com/);
  });

  it('needs account and region for a domain unless the CloudFront certificate is given', () => {
    const domain = {
      domainName: 'example.com',
      hostedZoneId: 'Z0123',
      hostedZoneName: 'example.com',
    };
    expect(() => read(domain)).toThrow(/account and region: required/);
    const arn =
      'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
    expect(read({ ...domain, cloudFrontCertificateArn: arn }).cloudFrontCertificateArn).toBe(arn);
    expect(() =>
      read({ ...domain, cloudFrontCertificateArn: arn.replace('us-east-1', 'eu-west-1') }),
    ).toThrow(/us-east-1/);
  });
});
