import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { LlmGateway } from './gateway-construct.js';

/**
 * The AwsSolutions (cdk-nag) findings the gateway's design causes, each acknowledged on the
 * resource it concerns with the reason. Acknowledgements are CDK metadata (no cdk-nag import
 * here), so an app that embeds LlmGateway and runs cdk-nag gets them too. Anything else
 * cdk-nag finds is a real finding: bin/app.ts runs the checks at every synth, and
 * test/lib/cdk-nag.test.ts requires zero unacknowledged findings.
 */
export function acknowledgeAwsSolutionsFindings(gateway: LlmGateway, options: { bedrockModelArns: readonly string[] }): void {
  for (const fn of [gateway.function, gateway.adminFunction, gateway.aggregatorFunction]) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the bundles target node22 and the tests and benchmarks run on Node 22 ' +
        '(supported by Lambda until 2027); moving to a newer runtime is a deliberate, tested change.',
    });
  }

  // Only the secret this construct creates; an imported one is the operator's to manage.
  if (gateway.providerKeysSecret instanceof Secret) {
    Validations.of(gateway.providerKeysSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret holds third-party provider API keys (OpenAI, Anthropic, ...) and the master key, which a Lambda rotation ' +
        'function cannot reissue; the operator rotates them with put-secret-value and the gateway re-reads the secret after a 401.',
    });
  }

  const role = gateway.function.role;
  if (role) {
    for (const arn of options.bedrockModelArns.filter((each) => each.includes('*'))) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason:
          'A cross-region inference profile named in the config routes to this one foundation model in any region of its ' +
          'geography, so the model is allowed in every region (as AWS documents for inference profiles); the model id is exact.',
      });
    }
  }
}
