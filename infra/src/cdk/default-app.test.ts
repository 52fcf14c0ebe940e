import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './testing/synth';

// `cdk synth` with no context at all, as on a laptop without AWS credentials.
let synth: Synthesized;
let main: Template;
beforeAll(() => {
  synth = synthesize({});
  const found = synth.templates.get('Confab');
  if (!found) throw new Error('no Confab stack');
  main = found;
}, 300_000);
afterAll(() => synth?.remove());

describe('the app without context', () => {
  it('synthesizes offline, environment-agnostic, one stack, cdk-nag clean', () => {
    expect([...synth.templates.keys()]).toEqual(['Confab']);
    expect(synth.regions.get('Confab')).toMatch(/^\$\{Token/);
    expect(synth.violations).toEqual([]);
    expect(synth.annotations).toEqual([]);
    expect(synth.error).toBeUndefined();
  });

  it("has no DNS records or certificates, and serves CloudFront's own domain", () => {
    main.resourceCountIs('AWS::Route53::RecordSet', 0);
    main.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    main.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
    });
    const api = Object.values(main.findResources('AWS::ECS::TaskDefinition'))
      .flatMap((definition) => definition.Properties.ContainerDefinitions)
      .find((container) => container.Name === 'Api');
    const publicUrl = api.Environment.find((e: { Name: string }) => e.Name === 'PUBLIC_URL').Value;
    expect(JSON.stringify(publicUrl)).toContain('"https://",{"Fn::GetAtt":["Distribution');
  });

  it('still builds every data store and both services', () => {
    for (const type of [
      'AWS::RDS::DBInstance',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::CloudFront::Distribution',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    ]) {
      main.resourceCountIs(type, 1);
    }
    main.resourceCountIs('AWS::ECS::Service', 2);
    main.resourceCountIs('AWS::S3::Bucket', 3);
  });
});
