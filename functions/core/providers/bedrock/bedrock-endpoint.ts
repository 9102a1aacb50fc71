import { trimTrailingSlash } from '../openai-compatible/openai-compatible-provider.js';
import type { ResolvedDeployment } from '../provider.js';

/** The region used when the deployment names none (LiteLLM's `aws_region_name` is optional). */
export const DEFAULT_AWS_REGION = 'us-east-1';

/** SigV4 signing name of the Bedrock runtime (its host is `bedrock-runtime.<region>.amazonaws.com`). */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke';

/** The deployment's AWS region: `aws_region_name` from the config, else us-east-1. */
export function regionOf(deployment: ResolvedDeployment): string {
  return deployment.awsRegion ?? DEFAULT_AWS_REGION;
}

/**
 * `${api_base}/model/{model}/{operation}`; without `api_base`, the region's public runtime endpoint.
 * The model id is one path segment, so `:` in `anthropic.claude-…-v1:0` and `/` in an inference
 * profile ARN are percent-encoded (the signer encodes the path once more, as SigV4 wants).
 */
export function bedrockRuntimeUrl(deployment: ResolvedDeployment, operation: BedrockOperation): string {
  const base = deployment.apiBase ? trimTrailingSlash(deployment.apiBase) : `https://bedrock-runtime.${regionOf(deployment)}.amazonaws.com`;
  return `${base}/model/${encodeURIComponent(modelIdOf(deployment))}/${operation}`;
}

/**
 * The Bedrock model id: LiteLLM's route prefixes (`bedrock/converse/<id>`, `bedrock/invoke/<id>`)
 * are not part of it. This gateway speaks Converse (and InvokeModel for embeddings) either way.
 */
export function modelIdOf(deployment: ResolvedDeployment): string {
  return deployment.upstreamModel.replace(/^(converse|invoke)\//, '');
}
