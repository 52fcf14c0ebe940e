/**
 * The deployment's settings, read from CDK context (`cdk deploy -c key=value` or `cdk.json`), so
 * that an installation is configured without editing code. Every key has a default that lets
 * `cdk synth` run offline with no context at all; a bad value stops the synth with a message
 * naming the key.
 */
export interface ConfabConfig {
  /** Prefix of resource names (the Redis replication group id, log groups); lowercase. */
  name: string;
  /** Account and region; unset: environment-agnostic (no domain then). */
  account?: string;
  region?: string;
  /** The host users open (chat.example.com); unset: CloudFront's own domain, plain HTTP to the ALB. */
  domain?: Domain;
  /** A certificate for `domain` in us-east-1; unset with a domain: a stack there makes one. */
  cloudFrontCertificateArn?: string;
  api: ServiceSize;
  sync: ServiceSize;
  database: DatabaseSize;
  redis: RedisSize;
  /** An existing secret holding the whole SMTP_URL (smtps://user:password@host:465). */
  smtpSecretArn?: string;
  mailFrom?: string;
  /** Where alarms are mailed; unset: the SNS topic only. */
  alarmEmail?: string;
}

export interface Domain {
  name: string;
  hostedZoneId: string;
  /** The zone's own name (example.com); the domain itself or a parent of it. */
  zoneName: string;
}

export interface ServiceSize {
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  minCount: number;
  maxCount: number;
}

export interface DatabaseSize {
  instanceType: string;
  allocatedStorageGiB: number;
  maxAllocatedStorageGiB: number;
  backupRetentionDays: number;
}

export interface RedisSize {
  nodeType: string;
  replicas: number;
}

/** Reads a context value; CDK gives strings from `-c`, and any JSON type from cdk.json. */
export type ContextReader = (key: string) => unknown;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `environment`: where CDK's CLI puts the credentials' account and region (CDK_DEFAULT_*). */
export function readConfig(
  context: ContextReader,
  environment: Record<string, string | undefined>,
): ConfabConfig {
  const problems: string[] = [];
  const text = (key: string, pattern: RegExp, hint: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' && pattern.test(value)) return value;
    problems.push(`${key}: expected ${hint} (got ${JSON.stringify(value)})`);
    return undefined;
  };
  const whole = (key: string, fallback: number, min: number, max: number): number => {
    const value = context(key);
    if (value === undefined || value === '') return fallback;
    const number = typeof value === 'number' ? value : Number(value);
    if (Number.isInteger(number) && number >= min && number <= max) return number;
    problems.push(`${key}: expected a whole number from ${min} to ${max} (got ${String(value)})`);
    return fallback;
  };
  const service = (prefix: 'api' | 'sync', defaults: ServiceSize): ServiceSize => {
    const size = {
      cpu: whole(`${prefix}Cpu`, defaults.cpu, 256, 16384),
      memoryMiB: whole(`${prefix}MemoryMiB`, defaults.memoryMiB, 512, 122880),
      desiredCount: whole(`${prefix}DesiredCount`, defaults.desiredCount, 1, 100),
      minCount: whole(`${prefix}MinCount`, defaults.minCount, 1, 100),
      maxCount: whole(`${prefix}MaxCount`, defaults.maxCount, 1, 200),
    };
    if (size.minCount > size.desiredCount || size.desiredCount > size.maxCount) {
      problems.push(`${prefix}MinCount <= ${prefix}DesiredCount <= ${prefix}MaxCount must hold`);
    }
    return size;
  };

  const domainName = text('domainName', HOST, 'a host name like chat.example.com');
  const hostedZoneId = text('hostedZoneId', /^Z[A-Z0-9]{1,31}$/, 'a Route 53 zone id like Z0123');
  const zoneName = text('hostedZoneName', HOST, 'the hosted zone name like example.com');
  let domain: Domain | undefined;
  if (domainName || hostedZoneId || zoneName) {
    if (!domainName || !hostedZoneId || !zoneName) {
      problems.push('domainName, hostedZoneId and hostedZoneName: set all three or none');
    } else if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
      problems.push(`domainName: ${domainName} is not inside the hosted zone ${zoneName}`);
    } else {
      domain = { name: domainName, hostedZoneId, zoneName };
    }
  }
  const account =
    text('account', /^[0-9]{12}$/, 'a 12-digit AWS account id') ?? environment.CDK_DEFAULT_ACCOUNT;
  const region =
    text('region', /^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'an AWS region like eu-central-1') ??
    environment.CDK_DEFAULT_REGION;
  const cloudFrontCertificateArn = text(
    'cloudFrontCertificateArn',
    /^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate\/[0-9a-f-]+$/,
    'an ACM certificate ARN in us-east-1 (CloudFront takes no other region)',
  );
  if (domain && !cloudFrontCertificateArn && (!account || !region)) {
    problems.push(
      'account and region: required with domainName unless cloudFrontCertificateArn is set (the CloudFront certificate is made in us-east-1 and referenced across regions)',
    );
  }

  const config: ConfabConfig = {
    name:
      text('name', /^[a-z][a-z0-9-]{0,19}$/, 'up to 20 lowercase letters, digits, -') ?? 'confab',
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    ...(domain ? { domain } : {}),
    ...(cloudFrontCertificateArn ? { cloudFrontCertificateArn } : {}),
    api: service('api', { cpu: 512, memoryMiB: 1024, desiredCount: 2, minCount: 2, maxCount: 6 }),
    sync: service('sync', {
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
    }),
    database: {
      instanceType:
        text('dbInstanceType', /^[a-z0-9]+\.[a-z0-9]+$/, 'an instance type like r6g.large') ??
        't4g.medium',
      allocatedStorageGiB: whole('dbAllocatedStorageGiB', 50, 20, 65536),
      maxAllocatedStorageGiB: whole('dbMaxAllocatedStorageGiB', 500, 20, 65536),
      backupRetentionDays: whole('dbBackupRetentionDays', 14, 1, 35),
    },
    redis: {
      nodeType:
        text(
          'redisNodeType',
          /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
          'a node type like cache.t4g.small',
        ) ?? 'cache.t4g.small',
      replicas: whole('redisReplicas', 1, 1, 5),
    },
  };
  const smtpSecretArn = text(
    'smtpSecretArn',
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$/,
    'a Secrets Manager secret ARN',
  );
  if (smtpSecretArn) config.smtpSecretArn = smtpSecretArn;
  const mailFrom = text('mailFrom', /^.{3,200}$/, 'a sender like Confab <chat@example.com>');
  if (mailFrom) config.mailFrom = mailFrom;
  const alarmEmail = text('alarmEmail', /^[^@\s]+@[^@\s]+$/, 'an e-mail address');
  if (alarmEmail) config.alarmEmail = alarmEmail;
  if (config.database.maxAllocatedStorageGiB < config.database.allocatedStorageGiB) {
    problems.push('dbMaxAllocatedStorageGiB: must be at least dbAllocatedStorageGiB');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid CDK context:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return config;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
