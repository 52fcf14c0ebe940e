import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The application's own metrics, in this namespace under these names (infra/README.md "Alarms").
 * The processes do not publish them yet (#22 metrics); until they do, their alarms stay
 * INSUFFICIENT_DATA rather than alarming.
 */
export const METRIC_NAMESPACE = 'Confab';
export const APP_METRICS = {
  /** Updates the sync server refused, any reason [S2][S8] (Count, per minute). */
  syncRejections: 'SyncUpdatesRefused',
  /** From an update's arrival to its durable commit, before the ack [S1] (Milliseconds). */
  commitLatency: 'CommitLatencyMs',
  /** Age of the oldest accepted update not yet projected into SQL rows (Seconds). */
  projectionLag: 'ProjectionLagSeconds',
} as const;

export const ALARM_THRESHOLDS = {
  alb5xxPer5Minutes: 20,
  syncRejectionsPer5Minutes: 100,
  commitLatencyP99Ms: 500,
  projectionLagSeconds: 60,
  redisMemoryPercent: 75,
  databaseFreeStorageBytes: 10 * 1024 ** 3,
} as const;

export interface MonitoringProps {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  database: rds.DatabaseInstance;
  redisMemberIds: string[];
  alarmEmail?: string;
}

export function createMonitoring(scope: Construct, props: MonitoringProps) {
  const topicKey = new kms.Key(scope, 'AlarmTopicKey', {
    description: 'Confab: encrypts the alarm topic',
    enableKeyRotation: true,
  });
  // CloudWatch publishes alarms into the encrypted topic, so it must use the key.
  topicKey.grant(
    new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
    'kms:Decrypt',
    'kms:GenerateDataKey*',
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'Confab alarms',
    masterKey: topicKey,
    enforceSSL: true,
  });
  if (props.alarmEmail)
    topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

  const five = Duration.minutes(5);
  const appMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic, period: five });
  const redisMemory = (memberId: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache',
      metricName: 'DatabaseMemoryUsagePercentage',
      dimensionsMap: { CacheClusterId: memberId },
      statistic: 'Maximum',
      period: five,
    });
  const alb5xx = new cloudwatch.MathExpression({
    label: '5xx (targets and balancer)',
    expression: 'target + balancer',
    usingMetrics: {
      target: props.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
        period: five,
        statistic: 'Sum',
      }),
      balancer: props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
        period: five,
        statistic: 'Sum',
      }),
    },
    period: five,
  });
  const alarms: cloudwatch.Alarm[] = [
    alb5xx.createAlarm(scope, 'Alb5xxAlarm', {
      alarmDescription: 'The load balancer answered 5xx: tasks failing or none healthy.',
      threshold: ALARM_THRESHOLDS.alb5xxPer5Minutes,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    appMetric(APP_METRICS.syncRejections, 'Sum').createAlarm(scope, 'SyncRejectionsAlarm', {
      alarmDescription:
        'Many sync updates refused: a misbehaving client, an attack, or a broken client release.',
      threshold: ALARM_THRESHOLDS.syncRejectionsPer5Minutes,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    appMetric(APP_METRICS.commitLatency, 'p99').createAlarm(scope, 'CommitLatencyAlarm', {
      alarmDescription: 'Acks are slow: Postgres is overloaded or its storage is throttled.',
      threshold: ALARM_THRESHOLDS.commitLatencyP99Ms,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    appMetric(APP_METRICS.projectionLag, 'Maximum').createAlarm(scope, 'ProjectionLagAlarm', {
      alarmDescription:
        'Messages are acked but search, unread counts and notifications lag behind: projection is stuck or slow.',
      threshold: ALARM_THRESHOLDS.projectionLagSeconds,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    ...props.redisMemberIds.map((memberId, index) =>
      redisMemory(memberId).createAlarm(scope, `RedisMemoryAlarm${index + 1}`, {
        alarmDescription: `Redis node ${memberId} is filling up; with noeviction, writes fail when it is full (sign-ins, sync tickets).`,
        threshold: ALARM_THRESHOLDS.redisMemoryPercent,
        evaluationPeriods: 2,
      }),
    ),
    props.database
      .metricFreeStorageSpace({ period: five, statistic: 'Minimum' })
      .createAlarm(scope, 'DatabaseStorageAlarm', {
        alarmDescription: 'Postgres has little free storage left (autoscaling storage at its cap).',
        threshold: ALARM_THRESHOLDS.databaseFreeStorageBytes,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
      }),
  ];
  for (const alarm of alarms) {
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
  }

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }),
    new cloudwatch.GraphWidget({ title: 'HTTP 5xx', left: [alb5xx], width: 12 }),
    new cloudwatch.GraphWidget({
      title: 'Sync updates refused',
      left: [appMetric(APP_METRICS.syncRejections, 'Sum')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Commit latency (ms)',
      left: ['p50', 'p99'].map((statistic) => appMetric(APP_METRICS.commitLatency, statistic)),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Projection lag (s)',
      left: [appMetric(APP_METRICS.projectionLag, 'Maximum')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Redis memory (%)',
      left: props.redisMemberIds.map(redisMemory),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Postgres CPU and connections',
      left: [props.database.metricCPUUtilization({ period: five })],
      right: [props.database.metricDatabaseConnections({ period: five })],
      width: 12,
    }),
  );
  return { topic, alarms, dashboard };
}
