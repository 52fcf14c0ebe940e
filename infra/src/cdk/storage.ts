import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface Buckets {
  /** Uploaded files (S3_BUCKET): private, versioned, encrypted, TLS only. */
  files: s3.Bucket;
  /**
   * The client's hashed assets, uploaded before each rolling deploy and never pruned, so a page
   * served by an old task still finds its scripts while new tasks take over (infra/README.md).
   */
  assets: s3.Bucket;
  /** Access logs of the buckets, the load balancer and CloudFront. */
  logs: s3.Bucket;
}

export function createBuckets(scope: Construct): Buckets {
  const logs = new s3.Bucket(scope, 'LogsBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // CloudFront writes its standard logs through ACLs; nothing else gets an ACL here.
    objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
  });
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the access-log bucket; logging its own access would log forever.',
  });
  const files = new s3.Bucket(scope, 'FilesBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'files/',
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      // Confab purges a deleted file's object after FILE_PURGE_GRACE_SECONDS; versioning keeps
      // the bytes a while longer against mistakes, then lets them go.
      { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      { id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      { id: 'drop-delete-markers', expiredObjectDeleteMarker: true },
    ],
  });
  const assets = new s3.Bucket(scope, 'AssetsBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'assets/',
    removalPolicy: RemovalPolicy.RETAIN,
    // Old builds' assets stay for pages still open; after a quarter nobody holds such a page.
    lifecycleRules: [{ id: 'expire-old-builds', expiration: Duration.days(90) }],
  });
  return { files, assets, logs };
}
