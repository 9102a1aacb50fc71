/**
 * Claude on Bedrock, spoken natively: the client's Anthropic Messages body through InvokeModel /
 * InvokeModelWithResponseStream (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html),
 * and its token count through CountTokens (API_runtime_CountTokens.html).
 *
 * Bedrock's Messages body differs from Anthropic's in three ways, and only these are rewritten:
 * the model is in the path (no `model` in the body), the stream is chosen by the operation (no
 * `stream`), and the API version and betas travel in the body (`anthropic_version:
 * "bedrock-2023-05-31"`, `anthropic_beta: [...]`) instead of headers. `max_tokens` is lowered when
 * a budget clamps it (the caller passes the body already clamped). Thinking blocks with their
 * signatures, `cache_control` and the rest reach Claude unchanged.
 */
import { GatewayError } from '../../errors.js';
import type { JsonObject } from '../../openai/openai-types.js';
import type { SseEvent } from '../../streaming/sse-decoder.js';
import type { AnthropicClientRequest } from '../anthropic/anthropic-native.js';
import { lowerCased, mergeBetas, splitBetas } from '../anthropic/anthropic-native.js';
import { isObject, parseJsonObject } from '../json-values.js';
import type { ProviderHttpRequest, ResolvedDeployment } from '../provider.js';
import { isAnthropicModel } from './build-converse-request.js';
import { BEDROCK_SIGNING_SERVICE, bedrockRuntimeUrl, modelIdOf, regionOf } from './bedrock-endpoint.js';
import { mapBedrockStreamException } from './map-bedrock-error.js';

/** The Messages API version Bedrock's Claude models take in the body. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** A Bedrock deployment serving Claude (`anthropic.claude-…`, an inference profile `us.anthropic.…`, or an ARN naming one). */
export function isBedrockClaude(deployment: ResolvedDeployment): boolean {
  return isAnthropicModel(modelIdOf(deployment));
}

/** InvokeModel (or InvokeModelWithResponseStream when the body asks to stream) with the client's Messages body, SigV4-signed. */
export function buildBedrockInvokeRequest(body: JsonObject, client: AnthropicClientRequest, deployment: ResolvedDeployment): ProviderHttpRequest {
  const stream = body['stream'] === true;
  const { headers, betas } = headersAndBetas(client, deployment);
  return {
    method: 'POST',
    // bedrockRuntimeUrl knows `…/invoke`; the streaming operation is the same path with this suffix.
    url: `${bedrockRuntimeUrl(deployment, 'invoke')}${stream ? '-with-response-stream' : ''}`,
    headers: { ...headers, 'content-type': 'application/json', accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json' },
    body: JSON.stringify(toBedrockMessagesBody(body, betas)),
    signing: { service: BEDROCK_SIGNING_SERVICE, region: regionOf(deployment) },
  };
}

/** The client's body as Bedrock's InvokeModel takes it. */
export function toBedrockMessagesBody(body: JsonObject, betas: readonly string[]): JsonObject {
  const { model: _model, stream: _stream, ...rest } = body;
  const clientBetas = Array.isArray(rest['anthropic_beta']) ? rest['anthropic_beta'].filter((beta): beta is string => typeof beta === 'string') : [];
  const allBetas = mergeBetas(clientBetas, betas);
  return { ...rest, anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...(allBetas.length > 0 ? { anthropic_beta: allBetas } : {}) };
}

/**
 * CountTokens for a Messages body: `{"input":{"invokeModel":{"body": <base64 of the InvokeModel body>}}}`.
 * CountTokens takes a foundation model id, not a cross-region inference profile, so the profile's
 * geography prefix (`us.`, `eu.`, `apac.`, `global.`, …) is dropped. The InvokeModel body needs
 * `max_tokens`, which a count request does not carry: the thinking budget plus one, else 1.
 */
export function buildBedrockCountTokensRequest(body: JsonObject, client: AnthropicClientRequest, deployment: ResolvedDeployment): ProviderHttpRequest {
  const { headers, betas } = headersAndBetas(client, deployment);
  const invokeBody = toBedrockMessagesBody({ ...body, max_tokens: body['max_tokens'] ?? countMaxTokens(body) }, betas);
  const foundationModel = { ...deployment, upstreamModel: modelIdOf(deployment).replace(/^[a-z]{2,8}\.(?=anthropic\.)/, '') };
  return {
    method: 'POST',
    url: bedrockRuntimeUrl(foundationModel, 'invoke').replace(/\/invoke$/, '/count-tokens'),
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ input: { invokeModel: { body: Buffer.from(JSON.stringify(invokeBody), 'utf8').toString('base64') } } }),
    signing: { service: BEDROCK_SIGNING_SERVICE, region: regionOf(deployment) },
  };
}

/** CountTokens' answer `{"inputTokens": n}` as Anthropic's `{"input_tokens": n}`. */
export function parseBedrockCountTokens(body: unknown): { input_tokens: number } {
  const inputTokens = isObject(body) ? body['inputTokens'] : undefined;
  if (typeof inputTokens !== 'number' || !Number.isInteger(inputTokens) || inputTokens < 0) {
    throw new GatewayError({ status: 502, message: 'The upstream provider sent a token count that is not a whole number.', type: 'api_error', code: 'bad_upstream_response' });
  }
  return { input_tokens: inputTokens };
}

/**
 * One InvokeModelWithResponseStream frame (as aws-event-stream-decoder.ts gives it) → the Anthropic
 * event it carries: a `chunk` frame's payload is `{"bytes": <base64 of one Anthropic event JSON>}`;
 * an exception frame (`throttlingException`, `modelStreamErrorException`, …) throws the mapped
 * GatewayError; other frames carry nothing for the client (undefined).
 */
export function anthropicEventOfBedrockFrame(frame: SseEvent): SseEvent | undefined {
  const name = frame.event ?? '';
  if (/Exception$/i.test(name)) throw mapBedrockStreamException(name.charAt(0).toUpperCase() + name.slice(1), frame.data);
  if (name !== 'chunk') return undefined;
  const bytes = parseJsonObject(frame.data, 'a stream frame')['bytes'];
  if (typeof bytes !== 'string') return undefined;
  const data = Buffer.from(bytes, 'base64').toString('utf8');
  const type = parseJsonObject(data, 'a stream event')['type'];
  return { event: typeof type === 'string' ? type : undefined, data };
}

/** `extra_headers` stay HTTP headers, except Anthropic's, which Bedrock takes in the body (betas) or fixes itself (version). */
function headersAndBetas(client: AnthropicClientRequest, deployment: ResolvedDeployment): { headers: Record<string, string>; betas: string[] } {
  const { 'anthropic-beta': configuredBetas, 'anthropic-version': _version, ...headers } = lowerCased(deployment.extraHeaders);
  return { headers, betas: mergeBetas(client.betas, splitBetas(configuredBetas)) };
}

function countMaxTokens(body: JsonObject): number {
  const thinking = body['thinking'];
  const budget = isObject(thinking) ? thinking['budget_tokens'] : undefined;
  return typeof budget === 'number' && Number.isInteger(budget) && budget > 0 ? budget + 1 : 1;
}
