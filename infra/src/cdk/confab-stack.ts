import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { ConfabConfig } from './config';
import { createDatabase, createRedis } from './data-stores';
import { createEdge, originHost } from './edge';
import { createMonitoring } from './monitoring';
import { createNetwork } from './network';
import { createLoadBalancer, createServices } from './services';
import { createBuckets } from './storage';

export interface ConfabStackProps extends StackProps {
  config: ConfabConfig;
  /** The CloudFront certificate made in us-east-1; unset: `config.cloudFrontCertificateArn`. */
  cloudFrontCertificate?: acm.ICertificate;
}

/** Everything of one installation in its region; the CloudFront certificate lives apart. */
export class ConfabStack extends Stack {
  constructor(scope: Construct, id: string, props: ConfabStackProps) {
    super(scope, id, props);
    const { config } = props;
    const vpc = createNetwork(this);
    const buckets = createBuckets(this);

    const databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'Confab Postgres: tasks only',
      allowAllOutbound: false,
    });
    const redisSecurityGroup = new ec2.SecurityGroup(this, 'RedisSecurityGroup', {
      vpc,
      description: 'Confab Redis: tasks only',
      allowAllOutbound: false,
    });
    const database = createDatabase(this, vpc, databaseSecurityGroup, config.database);
    const redis = createRedis(this, config.name, vpc, redisSecurityGroup, config.redis);

    const zone = config.domain
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: config.domain.hostedZoneId,
          zoneName: config.domain.zoneName,
        })
      : undefined;
    // The load balancer's own certificate, in this region, for the name CloudFront connects to.
    const originCertificate =
      config.domain && zone
        ? new acm.Certificate(this, 'OriginCertificate', {
            domainName: originHost(config.domain.name),
            validation: acm.CertificateValidation.fromDns(zone),
          })
        : undefined;
    const loadBalancer = createLoadBalancer(this, {
      vpc,
      logsBucket: buckets.logs,
      withCertificate: originCertificate !== undefined,
    });
    const cloudFrontCertificate =
      props.cloudFrontCertificate ??
      (config.cloudFrontCertificateArn
        ? acm.Certificate.fromCertificateArn(
            this,
            'CloudFrontCertificate',
            config.cloudFrontCertificateArn,
          )
        : undefined);
    const distribution = createEdge(this, {
      loadBalancer: loadBalancer.loadBalancer,
      originSecretValue: loadBalancer.originSecret.secretValue.unsafeUnwrap(),
      assetsBucket: buckets.assets,
      logsBucket: buckets.logs,
      ...(config.domain && zone && cloudFrontCertificate
        ? { domain: { name: config.domain.name, zone, certificate: cloudFrontCertificate } }
        : {}),
    });
    const publicUrl = config.domain
      ? `https://${config.domain.name}`
      : `https://${distribution.distributionDomainName}`;

    const services = createServices(this, {
      config,
      vpc,
      database,
      databaseSecurityGroup,
      redis,
      redisSecurityGroup,
      filesBucket: buckets.files,
      publicUrl,
      edge: loadBalancer,
      ...(originCertificate ? { certificate: originCertificate } : {}),
    });
    createMonitoring(this, {
      loadBalancer: loadBalancer.loadBalancer,
      database: database.instance,
      redisMemberIds: redis.memberIds,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    // What the README's commands need (migration task, asset upload).
    new CfnOutput(this, 'PublicUrl', { value: publicUrl });
    new CfnOutput(this, 'ClusterName', { value: services.cluster.clusterName });
    new CfnOutput(this, 'MigrateTaskDefinition', {
      value: services.migrate.taskDefinitionArn,
    });
    new CfnOutput(this, 'TaskSubnetIds', {
      value: vpc
        .selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
        .subnetIds.join(','),
    });
    new CfnOutput(this, 'TaskSecurityGroupId', {
      value: services.taskSecurityGroup.securityGroupId,
    });
    new CfnOutput(this, 'AssetsBucketName', { value: buckets.assets.bucketName });
    new CfnOutput(this, 'DistributionId', { value: distribution.distributionId });
  }
}
