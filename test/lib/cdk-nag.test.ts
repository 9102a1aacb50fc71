import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { GatewayStack, type GatewayStackProps } from '../../lib/gateway-stack.js';
import { BEDROCK_CONFIG, IMPORTED_SECRET_ARN, NO_BUNDLING, synthesizeStack } from './stack-test-helpers.js';

/** Every AwsSolutions finding not acknowledged, as `<rule> at <construct path>` (errors and warnings alike). */
function unacknowledgedFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`),
  );
}

/** Every acknowledgement recorded in the tree: rule id → reason. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
  );
}

describe('AwsSolutions checks (cdk-nag)', () => {
  it.each<{ name: string; props: GatewayStackProps; context: Record<string, string> }>([
    { name: 'the default config', props: {}, context: {} },
    { name: 'stage dev', props: {}, context: { stage: 'dev' } },
    { name: 'Bedrock models and an inference profile', props: { configYaml: BEDROCK_CONFIG }, context: {} },
    { name: 'an imported provider-keys secret', props: { providerKeysSecretArn: IMPORTED_SECRET_ARN }, context: {} },
    {
      name: 'an alarm email, CORS and reserved concurrency',
      props: {},
      context: { alarmEmail: 'ops@example.com', corsOrigins: 'https://app.example.com', reservedConcurrency: '50' },
    },
    {
      name: 'edge protection (CloudFront and WAF) in us-east-1',
      props: { env: { account: '123456789012', region: 'us-east-1' } },
      context: { edgeProtection: 'true' },
    },
    { name: 'no reserved concurrency', props: {}, context: { reservedConcurrency: 'none' } },
  ])('finds no unacknowledged error or warning with $name', ({ props, context }) => {
    const { stack } = synthesizeStack(props, context);

    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('reports a finding nobody acknowledged, so the checks above can fail', () => {
    const { stack } = synthesizeStack();
    new Queue(stack, 'UnreviewedQueue');

    expect(unacknowledgedFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-SQS3 at TestGateway\/UnreviewedQueue\//)]));
  });

  it('gives every acknowledgement a specific AwsSolutions rule and a reason of at least one sentence', () => {
    const { stack } = synthesizeStack({ configYaml: BEDROCK_CONFIG }, { alarmEmail: 'ops@example.com' });

    const recorded = acknowledgements(stack);
    expect(recorded.length).toBeGreaterThan(0);
    for (const { id, reason } of recorded) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });

  it('acknowledges only the wildcard Bedrock ARN of the inference profile, not Bedrock wildcards in general', () => {
    const { stack } = synthesizeStack({ configYaml: BEDROCK_CONFIG });

    const iam5 = acknowledgements(stack).filter(({ id }) => id.includes('AwsSolutions-IAM5'));
    expect(iam5.map(({ id }) => id.replace(/^Annotation::/i, ''))).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0]',
    ]);
  });

  it('lets the app synthesize with the checks registered as a validation plugin, as bin/app.ts does', () => {
    const { app } = appWithChecks({ configYaml: BEDROCK_CONFIG });

    const synth = () => app.synth();

    expect(synth).not.toThrow();
  });

  it('fails the app synthesis on a finding nobody acknowledged, so the plugin check above can fail', () => {
    const { app, stack } = appWithChecks({});
    new Queue(stack, 'UnreviewedQueue');

    const synth = () => app.synth();

    expect(synth).toThrow(/AwsSolutions-SQS3/);
  });
});

/** An app holding one GatewayStack, with the checks registered as a validation plugin as bin/app.ts registers them. */
function appWithChecks(props: GatewayStackProps): { app: App; stack: GatewayStack } {
  const app = new App({ context: NO_BUNDLING, outdir: mkdtempSync(join(tmpdir(), 'cdk-nag-test-')) });
  const stack = new GatewayStack(app, 'TestGateway', props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
