import { Duration, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ALB_IDLE_TIMEOUT_SECONDS, ORIGIN_HEADER } from './services';

/** The load balancer's own name under the domain: CloudFront reaches it over TLS by that name. */
export const originHost = (domain: string) => `origin.${domain}`;

export interface EdgeProps {
  loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The value of ORIGIN_HEADER the listener requires. */
  originSecretValue: string;
  assetsBucket: s3.IBucket;
  logsBucket: s3.IBucket;
  /** With a domain: users' host name, its zone and its us-east-1 certificate. */
  domain?: { name: string; zone: route53.IHostedZone; certificate: acm.ICertificate };
}

/**
 * CloudFront in front of everything. `/api/*` and `/sync/*` (WebSockets) pass through uncached
 * with every header, cookie and query string; `/assets/*` (content-hashed file names) is cached,
 * from the assets bucket, falling back to the API tasks, which serve the same build; the rest
 * (index.html, app routes) passes through uncached so a deploy shows at once.
 */
export function createEdge(scope: Construct, props: EdgeProps): cloudfront.Distribution {
  const albOrigin = props.domain
    ? new origins.HttpOrigin(originHost(props.domain.name), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        customHeaders: { [ORIGIN_HEADER]: props.originSecretValue },
        readTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
      })
    : new origins.LoadBalancerV2Origin(props.loadBalancer, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        customHeaders: { [ORIGIN_HEADER]: props.originSecretValue },
        readTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
      });
  const passThrough: cloudfront.BehaviorOptions = {
    origin: albOrigin,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER,
    compress: false,
  };
  const distribution = new cloudfront.Distribution(scope, 'Distribution', {
    comment: 'Confab',
    defaultBehavior: passThrough,
    additionalBehaviors: {
      '/api/*': passThrough,
      '/sync/*': passThrough,
      '/assets/*': {
        origin: new origins.OriginGroup({
          primaryOrigin: origins.S3BucketOrigin.withOriginAccessControl(props.assetsBucket),
          fallbackOrigin: albOrigin,
          fallbackStatusCodes: [403, 404],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
      },
    },
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    enableLogging: true,
    logBucket: props.logsBucket,
    logFilePrefix: 'cloudfront/',
    ...(props.domain
      ? { domainNames: [props.domain.name], certificate: props.domain.certificate }
      : {}),
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR1',
    reason: 'A team chat is used wherever its members travel; no country is refused.',
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR2',
    reason:
      'No WAF yet (listed under "Not yet" in infra/README.md); the API rate-limits sign-in, search and sync per user itself.',
  });
  if (!props.domain) {
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        "Without a domain the distribution uses CloudFront's default certificate, whose minimum protocol cannot be raised; set domainName for TLS 1.2.",
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR5',
      reason:
        'Without a domain the load balancer has no certificate, so CloudFront reaches it over HTTP inside AWS; set domainName for HTTPS to the origin.',
    });
  }
  if (props.domain) {
    const record = { zone: props.domain.zone, recordName: props.domain.name };
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
    new route53.ARecord(scope, 'DomainA', { ...record, target });
    new route53.AaaaRecord(scope, 'DomainAaaa', { ...record, target });
    new route53.ARecord(scope, 'OriginA', {
      zone: props.domain.zone,
      recordName: originHost(props.domain.name),
      target: route53.RecordTarget.fromAlias(
        new targets.LoadBalancerTarget(props.loadBalancer as elbv2.ApplicationLoadBalancer),
      ),
    });
  }
  return distribution;
}
