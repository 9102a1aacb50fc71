import { parseConfigOrThrow } from '../functions/core/config/parse-config.js';
import { PROVIDERS } from '../functions/core/providers/provider-catalog.js';

/** Cross-region inference profiles are named `<geography>.<model id>`. */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|ca|jp|au)\./;

/**
 * The ARNs the gateway may invoke on Bedrock: exactly the models (and inference profiles)
 * the config names, in their regions. A cross-region inference profile routes to the
 * underlying foundation model in any region of its geography, so that model is allowed in
 * every region (`*`), as AWS documents for profile permissions.
 */
export function bedrockModelArns(configYaml: string, account: string): string[] {
  const { config } = parseConfigOrThrow(configYaml);
  const arns = new Set<string>();
  for (const deployment of config.deployments) {
    if (PROVIDERS[deployment.provider]?.wire !== 'bedrock') continue;
    const region = deployment.awsRegion ?? 'us-east-1';
    const modelId = deployment.upstreamModel.replace(/^(converse|invoke)\//, '');
    if (modelId.startsWith('arn:')) {
      arns.add(modelId);
    } else if (INFERENCE_PROFILE_PREFIX.test(modelId)) {
      arns.add(`arn:aws:bedrock:${region}:${account}:inference-profile/${modelId}`);
      arns.add(`arn:aws:bedrock:*::foundation-model/${modelId.replace(INFERENCE_PROFILE_PREFIX, '')}`);
    } else {
      arns.add(`arn:aws:bedrock:${region}::foundation-model/${modelId}`);
    }
  }
  return [...arns];
}
