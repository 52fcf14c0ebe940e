import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DatabaseSize, RedisSize } from './config';

export const DATABASE_NAME = 'confab';
export const DATABASE_USER = 'confab';
/** Not 5432: one fewer thing a scanner of the VPC guesses (cdk-nag AwsSolutions-RDS11). */
export const DATABASE_PORT = 5433;
/** Not 6379, for the same reason (AwsSolutions-AEC5). */
export const REDIS_PORT = 6380;

/**
 * Generated secrets hold letters and digits only: the tasks splice them into DATABASE_URL and
 * REDIS_URL, where other characters would need percent-encoding (and ElastiCache refuses some).
 */
const URL_SAFE_SECRET = {
  excludePunctuation: true,
  includeSpace: false,
  passwordLength: 40,
} as const;

export interface Database {
  instance: rds.DatabaseInstance;
  secret: secretsmanager.ISecret;
}

export function createDatabase(
  scope: Construct,
  vpc: ec2.IVpc,
  securityGroup: ec2.ISecurityGroup,
  size: DatabaseSize,
): Database {
  const engine = rds.DatabaseInstanceEngine.postgres({
    version: rds.PostgresEngineVersion.of('17', '17'),
  });
  const parameterGroup = new rds.ParameterGroup(scope, 'DatabaseParameters', {
    engine,
    description: 'Confab: durable commits, TLS only, slow queries logged',
    parameters: {
      // [S1]: an update is acked only once its commit is durable; Confab refuses to start when
      // this is off (db/src/durability-checks.ts). It is the default: set so nobody changes it.
      synchronous_commit: 'on',
      'rds.force_ssl': '1',
      log_min_duration_statement: '1000',
      // The sync server keeps long-lived pools; a dead client's session must not hold locks.
      idle_in_transaction_session_timeout: '60000',
    },
  });
  const credentials = rds.Credentials.fromGeneratedSecret(DATABASE_USER, {
    excludeCharacters: ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  });
  const instance = new rds.DatabaseInstance(scope, 'Database', {
    engine,
    instanceType: new ec2.InstanceType(size.instanceType),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [securityGroup],
    port: DATABASE_PORT,
    databaseName: DATABASE_NAME,
    credentials,
    parameterGroup,
    multiAz: true,
    storageEncrypted: true,
    allocatedStorage: size.allocatedStorageGiB,
    maxAllocatedStorage: size.maxAllocatedStorageGiB,
    backupRetention: Duration.days(size.backupRetentionDays),
    deletionProtection: true,
    removalPolicy: RemovalPolicy.SNAPSHOT,
    enablePerformanceInsights: true,
    cloudwatchLogsExports: ['postgresql', 'upgrade'],
    autoMinorVersionUpgrade: true,
  });
  const secret = instance.secret;
  if (!secret) throw new Error('the database was created without its generated secret');
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Tasks read the database password when they start; a rotation would lock running tasks out of new connections until a redeploy. Rotate by hand with a rolling deploy (infra/README.md).',
  });
  return { instance, secret };
}

export interface Redis {
  group: elasticache.CfnReplicationGroup;
  authToken: secretsmanager.Secret;
  /** Member cluster ids, for per-node metrics (ElastiCache names them group-001, -002, ...). */
  memberIds: string[];
}

export function createRedis(
  scope: Construct,
  name: string,
  vpc: ec2.IVpc,
  securityGroup: ec2.ISecurityGroup,
  size: RedisSize,
): Redis {
  const authToken = new secretsmanager.Secret(scope, 'RedisAuthToken', {
    description: 'Confab: the AUTH token of the ElastiCache replication group',
    generateSecretString: URL_SAFE_SECRET,
  });
  Validations.of(authToken).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'ElastiCache takes a new AUTH token only through a ROTATE/SET modification that tasks must follow; rotate by hand with a rolling deploy (infra/README.md).',
  });
  const subnets = new elasticache.CfnSubnetGroup(scope, 'RedisSubnets', {
    description: 'Confab Redis: isolated subnets',
    subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
  });
  const parameters = new elasticache.CfnParameterGroup(scope, 'RedisParameters', {
    cacheParameterGroupFamily: 'redis7',
    description: 'Confab: never evict (sessions, tickets, rate limits) [S9]',
    // ElastiCache's default, volatile-lru, would drop sessions under memory pressure; Confab
    // refuses to start on an evicting Redis (db/src/durability-checks.ts).
    properties: { 'maxmemory-policy': 'noeviction' },
  });
  const replicationGroupId = `${name}-redis`;
  const group = new elasticache.CfnReplicationGroup(scope, 'Redis', {
    replicationGroupId,
    replicationGroupDescription: 'Confab fan-out, sessions, tickets, rate limits',
    engine: 'redis',
    engineVersion: '7.1',
    cacheNodeType: size.nodeType,
    numCacheClusters: 1 + size.replicas,
    multiAzEnabled: true,
    automaticFailoverEnabled: true,
    cacheParameterGroupName: parameters.ref,
    cacheSubnetGroupName: subnets.ref,
    securityGroupIds: [securityGroup.securityGroupId],
    port: REDIS_PORT,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: 'required',
    authToken: authToken.secretValue.unsafeUnwrap(),
    snapshotRetentionLimit: 7,
    autoMinorVersionUpgrade: true,
  });
  return {
    group,
    authToken,
    memberIds: Array.from(
      { length: 1 + size.replicas },
      (_, index) => `${replicationGroupId}-${String(index + 1).padStart(3, '0')}`,
    ),
  };
}
