import { spawnSync } from 'node:child_process';
import { backendEnvSchema, parseEnv } from '@confab/db';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEnvSchema, loadApiEnv } from '../../../api/src/env';
import { loadSyncEnv, syncEnvSchema } from '../../../sync-server/src/env';
import { APP_METRICS, METRIC_NAMESPACE } from './monitoring';
import {
  ALB_IDLE_TIMEOUT_SECONDS,
  ORIGIN_HEADER,
  SHUTDOWN_TIMEOUT_MS,
  STOP_TIMEOUT_SECONDS,
  SYNC_DEREGISTRATION_DELAY_SECONDS,
} from './services';
import {
  API_PROCESS,
  CONNECT_PLAIN_VARIABLES,
  CONNECT_SECRET_VARIABLES,
  MIGRATE_PROCESS,
  SYNC_PROCESS,
  shellCommand,
} from './task-commands';
import { type Synthesized, synthesize } from './testing/synth';

// CloudFront's managed policies, by their fixed ids.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';

/** The sync server's ping interval (sync-server/src/limits.ts) and HTTP keep-alive (main.ts). */
const SYNC_PING_SECONDS = 30;
const NODE_KEEP_ALIVE_SECONDS = 65;

type Resource = { Properties: Record<string, unknown> };
type Container = {
  Name: string;
  User?: string;
  ReadonlyRootFilesystem?: boolean;
  StopTimeout?: number;
  Command: string[];
  HealthCheck?: { Command: string[] };
  Environment: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
};

// One synth for the file (about half a minute on a busy machine): a domain, so every piece is in.
let synth: Synthesized;
let main: Template;
let certificates: Template;
beforeAll(() => {
  synth = synthesize({
    domainName: 'chat.example.com',
    hostedZoneId: 'Z0123456789ABC',
    hostedZoneName: 'example.com',
    account: '123456789012',
    region: 'eu-central-1',
    alarmEmail: 'ops@example.com',
  });
  main = template('Confab');
  certificates = template('ConfabCertificate');
}, 300_000);
afterAll(() => synth?.remove());

function template(name: string): Template {
  const found = synth.templates.get(name);
  if (!found) throw new Error(`no stack ${name}: ${[...synth.templates.keys()].join(', ')}`);
  return found;
}

function resources(type: string, props: Record<string, unknown> = {}): Resource[] {
  return Object.values(
    main.findResources(type, { Properties: Match.objectLike(props) }),
  ) as Resource[];
}

function containers(): Container[] {
  return resources('AWS::ECS::TaskDefinition').flatMap(
    (definition) => definition.Properties.ContainerDefinitions as Container[],
  );
}

function container(name: string): Container {
  const found = containers().find((one) => one.Name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

const envOf = (one: Container) => Object.fromEntries(one.Environment.map((e) => [e.Name, e.Value]));

describe('cdk-nag and CDK checks', () => {
  it('synthesizes with no unacknowledged AwsSolutions finding and no CDK warning or error', () => {
    expect(synth.violations).toEqual([]);
    expect(synth.annotations).toEqual([]);
    expect(synth.error).toBeUndefined();
  });

  it('gives a reason on every acknowledged finding', () => {
    expect(synth.acknowledgments.length).toBeGreaterThan(5);
    for (const { path, rule, reason } of synth.acknowledgments) {
      expect(`${path} ${rule}: ${reason}`).toMatch(/: \S.{29,}/);
    }
  });
});

describe('network', () => {
  it('spreads public, private and isolated subnets over two availability zones', () => {
    const subnets = resources('AWS::EC2::Subnet');
    expect(subnets).toHaveLength(6);
    expect(new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone))).size).toBe(2);
    main.resourceCountIs('AWS::EC2::NatGateway', 2);
    main.resourceCountIs('AWS::EC2::FlowLog', 1);
  });
});

describe('PostgreSQL', () => {
  it('is Multi-AZ, encrypted, backed up, with Performance Insights, protected from deletion', () => {
    main.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      MultiAZ: true,
      StorageEncrypted: true,
      BackupRetentionPeriod: 14,
      EnablePerformanceInsights: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
    });
    main.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
  });

  it('keeps commits durable [S1] and refuses plain-text connections', () => {
    main.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ synchronous_commit: 'on', 'rds.force_ssl': '1' }),
    });
  });

  it('generates a password the task can put in a URL unescaped', () => {
    main.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'password',
        ExcludeCharacters: Match.stringLikeRegexp('@.*/.*:|:.*@.*/|/.*:.*@'),
      }),
    });
  });
});

describe('Redis', () => {
  it('is a Multi-AZ replication group with TLS, encryption at rest and an AUTH token from Secrets Manager', () => {
    main.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      AuthToken: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith(['{{resolve:secretsmanager:'])]),
      }),
    });
  });

  it('never evicts keys [S9]', () => {
    main.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
  });
});

describe('S3', () => {
  it('blocks public access, encrypts and logs every data bucket', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const bucket of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
    }
    expect(resources('AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() })).toHaveLength(
      2,
    );
  });

  it('keeps files versioned and expires old versions and abandoned uploads', () => {
    main.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
  });

  it('refuses requests without TLS on every bucket', () => {
    const policies = resources('AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
        '"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"',
      );
    }
  });
});

describe('load balancer', () => {
  it('keeps idle sockets longer than the sync ping and shorter than Node keep-alive', () => {
    expect(ALB_IDLE_TIMEOUT_SECONDS).toBeGreaterThan(SYNC_PING_SECONDS);
    expect(ALB_IDLE_TIMEOUT_SECONDS).toBeLessThan(NODE_KEEP_ALIVE_SECONDS);
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'idle_timeout.timeout_seconds', Value: String(ALB_IDLE_TIMEOUT_SECONDS) },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  it('serves HTTPS only and answers 403 to anything without the CloudFront origin header', () => {
    main.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      DefaultActions: [
        Match.objectLike({ FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) }),
      ],
    });
    const rules = resources('AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.Conditions).toContainEqual(
        expect.objectContaining({
          Field: 'http-header',
          HttpHeaderConfig: expect.objectContaining({ HttpHeaderName: ORIGIN_HEADER }),
        }),
      );
    }
  });

  it('sends /sync/* to the sync targets ahead of the API rule', () => {
    const groups = main.findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
    const syncGroup = Object.keys(groups).find(
      (id) => (groups[id] as Resource).Properties.Port === 3001,
    );
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: Match.arrayWith([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/sync/*'] } },
      ]),
      Actions: [Match.objectLike({ Type: 'forward', TargetGroupArn: { Ref: syncGroup } })],
    });
  });

  it('drains sync targets for a bounded time and checks each service on its health route', () => {
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3001,
      HealthCheckPath: '/health',
      TargetGroupAttributes: Match.arrayWith([
        {
          Key: 'deregistration_delay.timeout_seconds',
          Value: String(SYNC_DEREGISTRATION_DELAY_SECONDS),
        },
      ]),
    });
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      HealthCheckPath: '/api/health',
    });
  });
});

describe('ECS', () => {
  it('runs every container as the unprivileged node user on a read-only root', () => {
    expect(
      containers()
        .map((one) => one.Name)
        .sort(),
    ).toEqual(['Api', 'Migrate', 'Sync']);
    for (const one of containers()) {
      expect(one.User).toBe('node');
      expect(one.ReadonlyRootFilesystem).toBe(true);
    }
  });

  it('checks each service container on its health route', () => {
    expect(container('Api').HealthCheck?.Command.join(' ')).toContain('127.0.0.1:3000/api/health');
    expect(container('Sync').HealthCheck?.Command.join(' ')).toContain('127.0.0.1:3001/health');
  });

  it("gives the sync server's SIGTERM drain time to finish before SIGKILL", () => {
    expect(container('Sync').StopTimeout).toBe(STOP_TIMEOUT_SECONDS);
    expect(STOP_TIMEOUT_SECONDS * 1000).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS + 10_000);
    expect(envOf(container('Sync')).SHUTDOWN_TIMEOUT_MS).toBe(String(SHUTDOWN_TIMEOUT_MS));
  });

  it('deploys rolling, keeping full capacity, and rolls a failing deploy back', () => {
    const services = resources('AWS::ECS::Service');
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.Properties.DeploymentConfiguration).toMatchObject({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MaximumPercent: 200,
        MinimumHealthyPercent: 100,
      });
      expect(service.Properties.DesiredCount).toBe(2);
    }
  });

  it('scales both services between their configured bounds', () => {
    const targets = resources('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(targets.map((t) => [t.Properties.MinCapacity, t.Properties.MaxCapacity]).sort()).toEqual(
      [
        [2, 10],
        [2, 6],
      ],
    );
    main.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 4);
  });

  it('reads the database password and the Redis token from Secrets Manager, never from plain text', () => {
    for (const name of ['Api', 'Sync', 'Migrate']) {
      const one = container(name);
      expect(one.Secrets?.map((s) => s.Name).sort()).toEqual(['DB_PASSWORD', 'REDIS_AUTH_TOKEN']);
      expect(JSON.stringify(one.Environment)).not.toMatch(/PASSWORD|TOKEN|SECRET/);
    }
  });

  it('gives every node the one public URL as issuer and allowed origin', () => {
    expect(envOf(container('Api')).PUBLIC_URL).toBe('https://chat.example.com');
    expect(envOf(container('Sync')).ALLOWED_ORIGINS).toBe('https://chat.example.com');
    expect(envOf(container('Api')).TRUST_PROXY).toBe('true');
    expect(envOf(container('Api')).SERVICES).toBe('api,client');
  });
});

describe('CloudFront', () => {
  type Behavior = Record<string, unknown> & { PathPattern: string };
  const distribution = () =>
    resources('AWS::CloudFront::Distribution')[0]?.Properties.DistributionConfig as {
      Aliases: string[];
      CacheBehaviors: Behavior[];
      DefaultCacheBehavior: Record<string, unknown>;
      Origins: {
        CustomOriginConfig?: Record<string, unknown>;
        OriginCustomHeaders?: { HeaderName: string }[];
      }[];
      OriginGroups?: unknown;
      ViewerCertificate: Record<string, unknown>;
    };
  const behavior = (path: string) => {
    const found = distribution().CacheBehaviors.find((one) => one.PathPattern === path);
    if (!found) throw new Error(`no behavior ${path}`);
    return found;
  };

  it('passes /api/* and /sync/* to the load balancer uncached, with every header, cookie and query', () => {
    for (const path of ['/api/*', '/sync/*']) {
      expect(behavior(path)).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER,
        AllowedMethods: expect.arrayContaining([
          'GET',
          'POST',
          'PUT',
          'PATCH',
          'DELETE',
          'OPTIONS',
        ]),
        ViewerProtocolPolicy: 'redirect-to-https',
      });
    }
  });

  it('caches /assets/* from the assets bucket, falling back to the API tasks', () => {
    expect(behavior('/assets/*')).toMatchObject({
      CachePolicyId: CACHING_OPTIMIZED,
      Compress: true,
    });
    expect(JSON.stringify(distribution().OriginGroups)).toContain(
      '"StatusCodes":{"Items":[403,404]',
    );
  });

  it('serves the domain over TLS 1.2+ and reaches the origin over HTTPS with the origin header', () => {
    expect(distribution().Aliases).toEqual(['chat.example.com']);
    expect(distribution().ViewerCertificate).toMatchObject({
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const albOrigin = distribution().Origins.find((origin) => origin.CustomOriginConfig);
    expect(albOrigin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
    expect(albOrigin?.OriginCustomHeaders?.map((h) => h.HeaderName)).toEqual([ORIGIN_HEADER]);
  });
});

describe('DNS and certificates', () => {
  it('points the domain at CloudFront (IPv4 and IPv6) and origin.<domain> at the load balancer', () => {
    const records = resources('AWS::Route53::RecordSet').map((r) => [
      r.Properties.Name,
      r.Properties.Type,
    ]);
    expect(records.sort()).toEqual([
      ['chat.example.com.', 'A'],
      ['chat.example.com.', 'AAAA'],
      ['origin.chat.example.com.', 'A'],
    ]);
  });

  it('validates both certificates by DNS, the CloudFront one in us-east-1', () => {
    certificates.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'chat.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'chat.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
    expect(synth.regions.get('ConfabCertificate')).toBe('us-east-1');
    expect(synth.regions.get('Confab')).toBe('eu-central-1');
    main.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'origin.chat.example.com',
      ValidationMethod: 'DNS',
    });
  });
});

describe('monitoring', () => {
  const alarms = () => resources('AWS::CloudWatch::Alarm');
  const alarmOn = (metricName: string) =>
    alarms().filter((alarm) => JSON.stringify(alarm.Properties).includes(`"${metricName}"`));

  it("alarms on the app's own metrics in the Confab namespace", () => {
    for (const name of Object.values(APP_METRICS)) {
      const [alarm] = alarmOn(name);
      expect(alarm?.Properties.Namespace, name).toBe(METRIC_NAMESPACE);
    }
  });

  it('alarms on load balancer 5xx and on the memory of every Redis node', () => {
    expect(alarmOn('HTTPCode_Target_5XX_Count')).toHaveLength(1);
    expect(alarmOn('HTTPCode_ELB_5XX_Count')).toHaveLength(1);
    const redis = alarmOn('DatabaseMemoryUsagePercentage');
    expect(redis.map((alarm) => alarm.Properties.Dimensions)).toEqual([
      [{ Name: 'CacheClusterId', Value: 'confab-redis-001' }],
      [{ Name: 'CacheClusterId', Value: 'confab-redis-002' }],
    ]);
  });

  it('sends every alarm to the encrypted topic, which mails the operator', () => {
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmActions).toEqual([
        { Ref: expect.stringMatching(/^AlarmTopic/) },
      ]);
    }
    main.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    main.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    main.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('keeps three months of logs of each process', () => {
    expect(resources('AWS::Logs::LogGroup', { RetentionInDays: 90 }).length).toBeGreaterThanOrEqual(
      3,
    );
  });
});

describe("task environment against the processes' own configuration schemas", () => {
  // What CloudFormation fills in at deploy time, and what Secrets Manager hands the task.
  const deployed: Record<string, string> = {
    DB_HOST: 'confab.abc123.eu-central-1.rds.amazonaws.com',
    REDIS_HOST: 'master.confab-redis.abc123.euc1.cache.amazonaws.com',
    S3_BUCKET: 'confab-filesbucket-abc123',
    DB_PASSWORD: 'Secret0Password1',
    REDIS_AUTH_TOKEN: 'Secret2Token3',
  };
  const printEnv = `node -e "process.stdout.write(JSON.stringify(process.env))"`;

  /** Runs the container's own shell prefix as the task would, and returns the process's env. */
  function taskEnv(one: Container): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const { Name, Value } of one.Environment) {
      const value = typeof Value === 'string' ? Value : deployed[Name];
      if (value === undefined) throw new Error(`${one.Name}: ${Name} is only known at deploy time`);
      env[Name] = value;
    }
    for (const { Name } of one.Secrets ?? []) {
      const value = deployed[Name];
      if (value === undefined) throw new Error(`${one.Name}: unexpected secret ${Name}`);
      env[Name] = value;
    }
    const [shell, flag, script] = shellCommand(printEnv);
    const run = spawnSync(shell as string, [flag as string, script as string], {
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, string>;
  }

  /** Every variable the stack sets is one the process reads (or the shell joins into a URL). */
  function expectKnown(one: Container, schemaKeys: string[]) {
    const known = new Set([...schemaKeys, ...CONNECT_PLAIN_VARIABLES, 'NODE_ENV']);
    const unknown = one.Environment.map((e) => e.Name).filter((name) => !known.has(name));
    expect(unknown, `${one.Name} sets variables no schema reads`).toEqual([]);
    const secrets = (one.Secrets ?? []).map((e) => e.Name);
    const secretKnown = new Set([...schemaKeys, ...CONNECT_SECRET_VARIABLES]);
    expect(secrets.filter((name) => !secretKnown.has(name))).toEqual([]);
  }

  it('runs each process behind the shell that joins the URLs', () => {
    expect(container('Api').Command).toEqual(shellCommand(API_PROCESS));
    expect(container('Sync').Command).toEqual(shellCommand(SYNC_PROCESS));
    expect(container('Migrate').Command).toEqual(shellCommand(MIGRATE_PROCESS));
  });

  it('gives the API what its schema needs, with TLS to Postgres and Redis and the secrets in the URLs', () => {
    expectKnown(container('Api'), Object.keys(apiEnvSchema.shape));
    const env = loadApiEnv(taskEnv(container('Api')));
    const database = new URL(env.DATABASE_URL ?? '');
    expect([database.username, database.password, database.port, database.pathname]).toEqual([
      'confab',
      deployed.DB_PASSWORD,
      '5433',
      '/confab',
    ]);
    expect(database.searchParams.get('sslmode')).toBe('no-verify');
    const redis = new URL(env.REDIS_URL ?? '');
    expect([redis.protocol, redis.password, redis.hostname, redis.port]).toEqual([
      'rediss:',
      deployed.REDIS_AUTH_TOKEN,
      deployed.REDIS_HOST,
      '6380',
    ]);
    expect(env.SERVICES).toEqual(['api', 'client']);
    expect(env.S3_BUCKET).toBe(deployed.S3_BUCKET);
  });

  it('gives the sync server what its schema needs', () => {
    expectKnown(container('Sync'), Object.keys(syncEnvSchema.shape));
    const env = loadSyncEnv(taskEnv(container('Sync')));
    expect(env.ALLOWED_ORIGINS).toEqual(['https://chat.example.com']);
    expect(env.PORT).toBe(3001);
  });

  it('gives the migration task its backends and no file bucket', () => {
    expectKnown(container('Migrate'), Object.keys(backendEnvSchema.shape));
    const env = parseEnv(backendEnvSchema, taskEnv(container('Migrate')));
    expect(env.DATABASE_URL).toContain('@confab.abc123');
    expect(env.S3_BUCKET).toBeUndefined();
  });
});
