import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type CfnElement,
  Duration,
  IgnoreMode,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ConfabConfig, ServiceSize } from './config';
import {
  DATABASE_NAME,
  DATABASE_PORT,
  DATABASE_USER,
  type Database,
  REDIS_PORT,
  type Redis,
} from './data-stores';
import { API_PROCESS, MIGRATE_PROCESS, SYNC_PROCESS, shellCommand } from './task-commands';

export const API_PORT = 3000;
export const SYNC_PORT = 3001;
/** The header CloudFront adds and the load balancer requires: only CloudFront reaches the tasks. */
export const ORIGIN_HEADER = 'X-Confab-Origin-Verify';
/**
 * The sync server pings every socket every 30 s (sync-server/src/limits.ts), so a socket is never
 * idle that long; the API and sync server keep idle HTTP connections 65 s, longer than this, so
 * the balancer never reuses one they are closing (a 502).
 */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;
/**
 * ECS stops a task in two steps: the balancer drains it (no new sockets; this long at most), then
 * SIGTERM, after which the sync server closes its sockets with 1001 and clients reconnect to
 * another node; `STOP_TIMEOUT` bounds that drain before SIGKILL. Nothing acked is lost either way
 * [S1]: the client re-sends what was not acked.
 */
export const SYNC_DEREGISTRATION_DELAY_SECONDS = 30;
export const SHUTDOWN_TIMEOUT_MS = 20_000;
export const STOP_TIMEOUT_SECONDS = 60;

/**
 * The only paths a task writes (its data folder: the mail outbox without SMTP; temporary files),
 * on a read-only root. The images declare them as VOLUMEs owned by node, which Fargate honours.
 */
export const WRITABLE_PATHS = { data: '/data', tmp: '/tmp' } as const;

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServicesProps {
  config: ConfabConfig;
  vpc: ec2.IVpc;
  database: Database;
  databaseSecurityGroup: ec2.ISecurityGroup;
  redis: Redis;
  redisSecurityGroup: ec2.ISecurityGroup;
  filesBucket: s3.IBucket;
  /**
   * Where users open Confab, an origin without a path (https://chat.example.com or CloudFront's
   * domain): PUBLIC_URL of the API and ALLOWED_ORIGINS of the sync server.
   */
  publicUrl: string;
  /** With a domain: the certificate of the load balancer's own name (origin.<domain>). */
  certificate?: elbv2.IListenerCertificate;
  edge: LoadBalancer;
}

export interface Services {
  cluster: ecs.Cluster;
  /** The tasks' group, which the migration task runs in too (infra/README.md "Upgrade"). */
  taskSecurityGroup: ec2.SecurityGroup;
  api: ecs.FargateService;
  sync: ecs.FargateService;
  apiTargets: elbv2.ApplicationTargetGroup;
  syncTargets: elbv2.ApplicationTargetGroup;
  migrate: ecs.FargateTaskDefinition;
  logGroups: { api: logs.LogGroup; sync: logs.LogGroup; migrate: logs.LogGroup };
}

export function createServices(scope: Construct, props: ServicesProps): Services {
  const { config, vpc } = props;
  const cluster = new ecs.Cluster(scope, 'Cluster', {
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
  });
  const taskSecurityGroup = new ec2.SecurityGroup(scope, 'TaskSecurityGroup', {
    vpc,
    description: 'Confab API and sync tasks',
  });
  props.databaseSecurityGroup.addIngressRule(
    taskSecurityGroup,
    ec2.Port.tcp(DATABASE_PORT),
    'Postgres from Confab tasks',
  );
  props.redisSecurityGroup.addIngressRule(
    taskSecurityGroup,
    ec2.Port.tcp(REDIS_PORT),
    'Redis from Confab tasks',
  );

  const logGroup = (id: string) =>
    new logs.LogGroup(scope, id, {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  const logGroups = {
    api: logGroup('ApiLogs'),
    sync: logGroup('SyncLogs'),
    migrate: logGroup('MigrateLogs'),
  };
  const backendEnvironment: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DB_USER: DATABASE_USER,
    DB_HOST: props.database.instance.dbInstanceEndpointAddress,
    DB_PORT: String(DATABASE_PORT),
    DB_NAME: DATABASE_NAME,
    REDIS_HOST: props.redis.group.attrPrimaryEndPointAddress,
    REDIS_PORT: String(REDIS_PORT),
    S3_BUCKET: props.filesBucket.bucketName,
    S3_REGION: Stack.of(scope).region,
    DATA_DIR: WRITABLE_PATHS.data,
  };
  const backendSecrets = {
    DB_PASSWORD: ecs.Secret.fromSecretsManager(props.database.secret, 'password'),
    REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(props.redis.authToken),
  };
  const smtpSecret = config.smtpSecretArn
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, 'SmtpUrl', config.smtpSecretArn)
    : undefined;

  const image = (dockerfile: string) =>
    ecs.ContainerImage.fromAsset(repositoryRoot, {
      file: `infra/${dockerfile}`,
      exclude: dockerIgnore(dockerfile),
      ignoreMode: IgnoreMode.DOCKER,
    });

  const api = taskDefinition(scope, 'Api', {
    size: config.api,
    image: image('api.Dockerfile'),
    port: API_PORT,
    logGroup: logGroups.api,
    command: shellCommand(API_PROCESS),
    healthPath: '/api/health',
    environment: {
      ...backendEnvironment,
      PORT: String(API_PORT),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SERVICES: 'api,client',
      PUBLIC_URL: props.publicUrl,
      TRUST_PROXY: 'true',
      ...(config.mailFrom ? { MAIL_FROM: config.mailFrom } : {}),
    },
    secrets: {
      ...backendSecrets,
      ...(smtpSecret ? { SMTP_URL: ecs.Secret.fromSecretsManager(smtpSecret) } : {}),
    },
  });
  const sync = taskDefinition(scope, 'Sync', {
    size: config.sync,
    image: image('sync.Dockerfile'),
    port: SYNC_PORT,
    logGroup: logGroups.sync,
    command: shellCommand(SYNC_PROCESS),
    healthPath: '/health',
    environment: {
      ...backendEnvironment,
      PORT: String(SYNC_PORT),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      ALLOWED_ORIGINS: props.publicUrl,
    },
    secrets: backendSecrets,
  });
  // The API image holds everything the migration needs; the task is run by hand before a deploy
  // (infra/README.md "Upgrade") and exits.
  const migrate = taskDefinition(scope, 'Migrate', {
    size: { ...config.api, cpu: 256, memoryMiB: 512 },
    image: image('api.Dockerfile'),
    logGroup: logGroups.migrate,
    command: shellCommand(MIGRATE_PROCESS),
    // Without S3_BUCKET: migrating touches no file, so this task gets no access to them.
    environment: withoutKeys(backendEnvironment, ['S3_BUCKET', 'S3_REGION']),
    secrets: backendSecrets,
  });
  for (const { definition } of [api, sync]) grantFiles(definition, props.filesBucket);

  const { loadBalancer, securityGroup: albSecurityGroup, originSecret } = props.edge;
  taskSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(API_PORT), 'API from the ALB');
  taskSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(SYNC_PORT), 'Sync from the ALB');

  const apiService = fargateService(scope, 'ApiService', cluster, api.definition, {
    size: config.api,
    securityGroup: taskSecurityGroup,
  });
  const syncService = fargateService(scope, 'SyncService', cluster, sync.definition, {
    size: config.sync,
    securityGroup: taskSecurityGroup,
  });

  const apiTargets = new elbv2.ApplicationTargetGroup(scope, 'ApiTargets', {
    vpc,
    port: API_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [apiService],
    deregistrationDelay: Duration.seconds(30),
    healthCheck: { path: '/api/health', healthyHttpCodes: '200', interval: Duration.seconds(15) },
  });
  const syncTargets = new elbv2.ApplicationTargetGroup(scope, 'SyncTargets', {
    vpc,
    port: SYNC_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [syncService],
    deregistrationDelay: Duration.seconds(SYNC_DEREGISTRATION_DELAY_SECONDS),
    healthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(15) },
  });

  const originValue = originSecret.secretValue.unsafeUnwrap();
  const listener = loadBalancer.addListener('Listener', {
    port: props.edge.listenerPort,
    protocol: props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
    ...(props.certificate
      ? { certificates: [props.certificate], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS }
      : {}),
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(403, {
      contentType: 'text/plain',
      messageBody: 'Forbidden',
    }),
  });
  listener.addAction('Sync', {
    priority: 10,
    conditions: [
      elbv2.ListenerCondition.pathPatterns(['/sync/*']),
      elbv2.ListenerCondition.httpHeader(ORIGIN_HEADER, [originValue]),
    ],
    action: elbv2.ListenerAction.forward([syncTargets]),
  });
  listener.addAction('Api', {
    priority: 20,
    conditions: [elbv2.ListenerCondition.httpHeader(ORIGIN_HEADER, [originValue])],
    action: elbv2.ListenerAction.forward([apiTargets]),
  });

  scaleApi(apiService, config.api, apiTargets);
  scaleSync(syncService, config.sync);

  return {
    cluster,
    taskSecurityGroup,
    api: apiService,
    sync: syncService,
    apiTargets,
    syncTargets,
    migrate: migrate.definition,
    logGroups,
  };
}

export interface LoadBalancer {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  securityGroup: ec2.SecurityGroup;
  listenerPort: number;
  /** The value CloudFront must send in ORIGIN_HEADER. */
  originSecret: secretsmanager.Secret;
}

/**
 * The load balancer comes first: CloudFront needs its name, and the tasks need CloudFront's (their
 * PUBLIC_URL when there is no domain).
 */
export function createLoadBalancer(
  scope: Construct,
  {
    vpc,
    logsBucket,
    withCertificate,
  }: { vpc: ec2.IVpc; logsBucket: s3.IBucket; withCertificate: boolean },
): LoadBalancer {
  const albSecurityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc,
    description: 'Confab load balancer: CloudFront only, checked by the origin header',
  });
  const listenerPort = withCertificate ? 443 : 80;
  albSecurityGroup.addIngressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.tcp(listenerPort),
    'CloudFront (requests without the origin header get 403)',
  );
  Validations.of(albSecurityGroup).acknowledge({
    id: 'AwsSolutions-EC23',
    reason:
      "CloudFront's addresses are not a fixed list; the listener answers 403 to any request without the secret origin header that only CloudFront sends.",
  });

  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc,
    internetFacing: true,
    securityGroup: albSecurityGroup,
    idleTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
    dropInvalidHeaderFields: true,
    deletionProtection: true,
  });
  // Access logs need the region (its load-balancer account writes them); an environment-agnostic
  // synth leaves them out and says so.
  if (Token.isUnresolved(Stack.of(scope).region)) {
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        'Environment-agnostic synth: access logging needs the region. Deploy with account and region context to get them.',
    });
  } else {
    loadBalancer.logAccessLogs(logsBucket, 'alb');
  }

  const originSecret = new secretsmanager.Secret(scope, 'OriginVerifySecret', {
    description: `Confab: the ${ORIGIN_HEADER} value CloudFront sends to the load balancer`,
    generateSecretString: { excludePunctuation: true, passwordLength: 48 },
  });
  Validations.of(originSecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'CloudFront and the listener read it at deploy time; rotating it is a stack update (infra/README.md).',
  });
  return { loadBalancer, securityGroup: albSecurityGroup, listenerPort, originSecret };
}

interface TaskProps {
  size: ServiceSize;
  image: ecs.ContainerImage;
  port?: number;
  logGroup: logs.ILogGroup;
  command: string[];
  healthPath?: string;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

function taskDefinition(scope: Construct, id: string, props: TaskProps) {
  const definition = new ecs.FargateTaskDefinition(scope, `${id}Task`, {
    cpu: props.size.cpu,
    memoryLimitMiB: props.size.memoryMiB,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
  for (const name of Object.keys(WRITABLE_PATHS)) definition.addVolume({ name });
  const container = definition.addContainer(id, {
    image: props.image,
    command: props.command,
    user: 'node',
    readonlyRootFilesystem: true,
    environment: props.environment,
    secrets: props.secrets,
    logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: id.toLowerCase() }),
    stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
    ...(props.port ? { portMappings: [{ containerPort: props.port }] } : {}),
    ...(props.port && props.healthPath
      ? { healthCheck: containerHealthCheck(props.port, props.healthPath) }
      : {}),
  });
  container.addMountPoints(
    ...Object.entries(WRITABLE_PATHS).map(([sourceVolume, containerPath]) => ({
      sourceVolume,
      containerPath,
      readOnly: false,
    })),
  );
  Validations.of(definition).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "The execution role's ecr:GetAuthorizationToken applies to no resource (AWS accepts only *); its other permissions name the image repository, log group and secrets.",
  });
  Validations.of(definition).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason:
      'Only non-secret settings (hosts, ports, names, the public URL) are plain environment variables; the password, the Redis token and SMTP come from Secrets Manager.',
  });
  return { definition, container };
}

/**
 * What the blob store does (db/src/blobs/s3-blob-store.ts): objects under server-made keys, and
 * HeadBucket at start (s3:ListBucket). No bucket-wide wildcards beyond the objects themselves.
 */
function grantFiles(definition: ecs.TaskDefinition, bucket: s3.IBucket) {
  definition.addToTaskRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  definition.addToTaskRolePolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  Validations.of(definition).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
    reason:
      'Confab makes every object key itself (assertBlobKey) and needs all of them; the bucket holds nothing else.',
  });
}

function withoutKeys(values: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));
}

/** The same check the images' HEALTHCHECK runs; Fargate ignores a Dockerfile's. */
export function containerHealthCheck(port: number, path: string): ecs.HealthCheck {
  return {
    command: [
      'CMD',
      'node',
      '-e',
      `fetch('http://127.0.0.1:${port}${path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ],
    interval: Duration.seconds(15),
    timeout: Duration.seconds(5),
    retries: 3,
    startPeriod: Duration.seconds(60),
  };
}

function fargateService(
  scope: Construct,
  id: string,
  cluster: ecs.ICluster,
  definition: ecs.FargateTaskDefinition,
  { size, securityGroup }: { size: ServiceSize; securityGroup: ec2.ISecurityGroup },
) {
  return new ecs.FargateService(scope, id, {
    cluster,
    taskDefinition: definition,
    desiredCount: size.desiredCount,
    securityGroups: [securityGroup],
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    // Rolling: new tasks start and turn healthy before old ones drain; a deploy whose tasks keep
    // failing rolls back by itself.
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    healthCheckGracePeriod: Duration.seconds(90),
  });
}

function scaleApi(
  service: ecs.FargateService,
  size: ServiceSize,
  targets: elbv2.ApplicationTargetGroup,
) {
  const scaling = service.autoScaleTaskCount({
    minCapacity: size.minCount,
    maxCapacity: size.maxCount,
  });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
  scaling.scaleOnRequestCount('Requests', {
    requestsPerTarget: 1000,
    targetGroup: targets,
  });
}

function scaleSync(service: ecs.FargateService, size: ServiceSize) {
  const scaling = service.autoScaleTaskCount({
    minCapacity: size.minCount,
    maxCapacity: size.maxCount,
  });
  // Scaling in moves every socket of the removed task: slowly, and only after a calm spell.
  scaling.scaleOnCpuUtilization('Cpu', {
    targetUtilizationPercent: 60,
    scaleInCooldown: Duration.minutes(10),
    scaleOutCooldown: Duration.minutes(1),
  });
  scaling.scaleOnMemoryUtilization('Memory', {
    targetUtilizationPercent: 70,
    scaleInCooldown: Duration.minutes(10),
    scaleOutCooldown: Duration.minutes(1),
  });
}

/** The image's ignore file (`<Dockerfile>.dockerignore`), which BuildKit reads too. */
export function dockerIgnore(dockerfile: string): string[] {
  const file = new URL(`../../${dockerfile}.dockerignore`, import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
