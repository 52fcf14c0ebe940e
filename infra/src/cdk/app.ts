import { type App, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfabStack } from './confab-stack';
import { type ConfabConfig, readConfig } from './config';

export interface ConfabApp {
  app: App;
  config: ConfabConfig;
  stack: ConfabStack;
  /** The us-east-1 stack of the CloudFront certificate, when the app makes one. */
  certificateStack?: Stack;
}

/**
 * The whole app from its context. cdk-nag's AwsSolutions checks run at every synth: a finding
 * that is neither fixed nor acknowledged with a reason fails it.
 */
export function createConfabApp(
  app: App,
  environment: Record<string, string | undefined>,
): ConfabApp {
  const config = readConfig((key) => app.node.tryGetContext(key), environment);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const env =
    config.account && config.region ? { account: config.account, region: config.region } : {};
  const stackName = (suffix: string) =>
    `${config.name[0]?.toUpperCase()}${config.name.slice(1)}${suffix}`;

  let certificateStack: Stack | undefined;
  let cloudFrontCertificate: acm.ICertificate | undefined;
  if (config.domain && !config.cloudFrontCertificateArn && config.account) {
    // CloudFront takes certificates from us-east-1 only: a small stack there, referenced across
    // regions (CDK keeps the ARN in SSM parameters it manages).
    certificateStack = new Stack(app, stackName('Certificate'), {
      env: { account: config.account, region: 'us-east-1' },
      crossRegionReferences: true,
    });
    const zone = route53.HostedZone.fromHostedZoneAttributes(certificateStack, 'Zone', {
      hostedZoneId: config.domain.hostedZoneId,
      zoneName: config.domain.zoneName,
    });
    cloudFrontCertificate = new acm.Certificate(certificateStack, 'CloudFrontCertificate', {
      domainName: config.domain.name,
      validation: acm.CertificateValidation.fromDns(zone),
    });
  }
  const stack = new ConfabStack(app, stackName(''), {
    env,
    config,
    crossRegionReferences: certificateStack !== undefined,
    description: 'Confab: team chat on ECS, RDS PostgreSQL, ElastiCache Redis, S3, CloudFront',
    ...(cloudFrontCertificate ? { cloudFrontCertificate } : {}),
  });
  return { app, config, stack, ...(certificateStack ? { certificateStack } : {}) };
}
