/**
 * OpenAI embeddings through Bedrock's InvokeModel (`POST /model/{model}/invoke`), whose body is
 * the model's own format:
 * - Amazon Titan Text Embeddings (`amazon.titan-embed-text-v2:0`, v1): `{inputText, dimensions?,
 *   normalize: true}` → `{embedding, inputTextTokenCount}`. One text per request: an OpenAI input
 *   of several strings is refused (400, param `input`) rather than fanned out into several signed
 *   calls, so one client request stays one upstream request (one timeout, one error, one bill).
 *   v1 takes only `inputText`.
 * - Cohere Embed (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`, `cohere.embed-v4:0`):
 *   `{texts, input_type: "search_document"}` → `{embeddings}` (a list, or `{float: list}` when
 *   typed). `dimensions` is `output_dimension`, which only v4 takes.
 * Token-id inputs (`number[]`) are refused: Bedrock embeds text only. `encoding_format: "base64"`
 * is honoured when the parser is given the request (floats → little-endian float32 → base64, as OpenAI).
 */
import { InvalidRequestError } from '../../errors.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../openai/openai-types.js';
import type { ProviderContext, ProviderHttpRequest } from '../provider.js';
import { BEDROCK_SIGNING_SERVICE, bedrockRuntimeUrl, modelIdOf, regionOf } from './bedrock-endpoint.js';
import { countOf, objectOr, requireObject } from '../json-values.js';

/** Cohere's input type for texts embedded to be searched (OpenAI's request has no such field). */
export const COHERE_INPUT_TYPE = 'search_document';

export type BedrockEmbeddingFamily = 'titan-v1' | 'titan-v2' | 'cohere-v3' | 'cohere-v4';

export function embeddingFamilyOf(modelId: string): BedrockEmbeddingFamily | undefined {
  if (/(^|[.:/])amazon\.titan-embed-text-v2/.test(modelId)) return 'titan-v2';
  if (/(^|[.:/])amazon\.titan-embed-(text-v1|g1-text)/.test(modelId)) return 'titan-v1';
  if (/(^|[.:/])cohere\.embed-v4/.test(modelId)) return 'cohere-v4';
  if (/(^|[.:/])cohere\.embed-/.test(modelId)) return 'cohere-v3';
  return undefined;
}

export function buildBedrockEmbeddingRequest(request: EmbeddingRequest, context: ProviderContext): ProviderHttpRequest {
  const { deployment } = context;
  const modelId = modelIdOf(deployment);
  const family = embeddingFamilyOf(modelId);
  if (!family) {
    throw new InvalidRequestError(
      `Model "${deployment.modelName}" (${modelId}) is not an embeddings model this gateway can call on Bedrock: use Amazon Titan Text Embeddings or Cohere Embed.`,
      'model',
    );
  }
  return {
    method: 'POST',
    url: bedrockRuntimeUrl(deployment, 'invoke'),
    headers: { 'content-type': 'application/json', accept: 'application/json', ...deployment.extraHeaders },
    body: JSON.stringify(toInvokeModelBody(request, family)),
    signing: { service: BEDROCK_SIGNING_SERVICE, region: regionOf(deployment) },
  };
}

/** The InvokeModel body alone, for tests and for the builder above. */
export function toInvokeModelBody(request: EmbeddingRequest, family: BedrockEmbeddingFamily): Record<string, unknown> {
  const texts = inputTexts(request.input);
  const dimensions = request.dimensions;
  if (family === 'titan-v1' || family === 'titan-v2') {
    if (texts.length !== 1) {
      throw new InvalidRequestError(
        `Invalid 'input': Amazon Titan Text Embeddings embeds one text per request and this input has ${texts.length}; send one string per request.`,
        'input',
      );
    }
    if (family === 'titan-v1') {
      if (dimensions !== undefined) throw new InvalidRequestError("Unsupported parameter 'dimensions': Titan Text Embeddings v1 has a fixed size.", 'dimensions');
      return { inputText: texts[0] };
    }
    return { inputText: texts[0], ...(dimensions !== undefined ? { dimensions } : {}), normalize: true };
  }
  if (dimensions !== undefined && family === 'cohere-v3') {
    throw new InvalidRequestError("Unsupported parameter 'dimensions': Cohere Embed v3 has a fixed size (v4 takes dimensions).", 'dimensions');
  }
  return { texts, input_type: COHERE_INPUT_TYPE, ...(dimensions !== undefined ? { output_dimension: dimensions } : {}) };
}

/**
 * An InvokeModel answer → OpenAI's embedding list, told apart by shape (Titan's `embedding`,
 * Cohere's `embeddings`). Titan counts its input tokens; Cohere's body does not (Bedrock puts the
 * count in the `x-amzn-bedrock-input-token-count` header, which parsers are not given), so its
 * prompt tokens are `meta.billed_units.input_tokens` when present, else estimated from the echoed
 * `texts` at 4 characters a token — never zero, so embeddings are never recorded as free.
 */
export function parseBedrockEmbeddingResponse(body: unknown, context: ProviderContext, request?: EmbeddingRequest): EmbeddingResponse {
  const response = requireObject(body, 'an InvokeModel embeddings response');
  const base64 = request?.encoding_format === 'base64';
  const vectors = vectorsOf(response);
  const promptTokens = Array.isArray(response['embedding']) ? countOf(response['inputTextTokenCount']) : cohereInputTokens(response);
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector })),
    model: context.deployment.upstreamModel,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function inputTexts(input: EmbeddingRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === 'string')) return input;
  throw new InvalidRequestError("Invalid 'input': Bedrock embeds text only; send a string or an array of strings, not token ids.", 'input');
}

function vectorsOf(response: Record<string, unknown>): number[][] {
  if (Array.isArray(response['embedding'])) return [numbers(response['embedding'])];
  const embeddings = response['embeddings'];
  const list = Array.isArray(embeddings) ? embeddings : objectOr(embeddings)['float'];
  return Array.isArray(list) ? list.map(numbers) : [];
}

function numbers(vector: unknown): number[] {
  return Array.isArray(vector) ? vector.filter((value): value is number => typeof value === 'number') : [];
}

function cohereInputTokens(response: Record<string, unknown>): number {
  const billed = countOf(objectOr(objectOr(response['meta'])['billed_units'])['input_tokens']);
  if (billed > 0) return billed;
  const texts = response['texts'];
  const characters = Array.isArray(texts) ? texts.reduce((sum: number, text) => sum + (typeof text === 'string' ? text.length : 0), 0) : 0;
  return Math.ceil(characters / 4);
}

/** OpenAI's base64 embedding: the float32 values, little-endian, base64-encoded. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, index) => view.setFloat32(index * 4, value, true));
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return btoa(binary);
}
