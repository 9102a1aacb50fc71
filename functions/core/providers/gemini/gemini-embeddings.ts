import { InvalidRequestError } from '../../errors.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../openai/openai-types.js';
import type { ProviderContext, ProviderHttpRequest } from '../provider.js';
import { geminiHeaders, geminiModelId, geminiModelUrl } from './gemini-endpoint.js';
import type { GeminiBatchEmbedContentsRequest } from './gemini-wire-types.js';
import { arrayOr, badUpstreamResponse, countOf, isObject, objectOr } from '../json-values.js';

/**
 * OpenAI embeddings → `POST {base}/v1beta/models/{model}:batchEmbedContents`, one request per
 * input (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents); `dimensions`
 * → `outputDimensionality`. Token-id inputs are refused (400): Gemini embeds text only.
 */
export function buildGeminiEmbeddingRequest(request: EmbeddingRequest, context: ProviderContext): ProviderHttpRequest {
  const model = `models/${geminiModelId(context.deployment.upstreamModel)}`;
  const dimensions = request.dimensions;
  const body: GeminiBatchEmbedContentsRequest = {
    requests: embeddingTexts(request.input).map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(typeof dimensions === 'number' && dimensions > 0 ? { outputDimensionality: dimensions } : {}),
    })),
  };
  return {
    method: 'POST',
    url: geminiModelUrl(context.deployment, 'batchEmbedContents'),
    headers: geminiHeaders(context.deployment, 'application/json'),
    body: JSON.stringify(body),
  };
}

function embeddingTexts(input: EmbeddingRequest['input']): string[] {
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  if (texts.length === 0 || !texts.every((text): text is string => typeof text === 'string')) {
    throw new InvalidRequestError("Invalid value for 'input': Gemini embeds text; send a string or an array of strings (not token ids).", 'input');
  }
  return texts;
}

/**
 * `{ embeddings: [{ values }] }` → OpenAI's embedding list, in input order. Usage, in this order:
 * the response's own count (`usageMetadata.promptTokenCount`, which gemini-embedding-2 sends, or
 * Vertex-style `embeddings[].statistics.tokenCount`); else, when the request is passed, an
 * estimate of 4 characters a token over the inputs; else 0. The request also decides
 * `encoding_format: "base64"` (little-endian float32, as OpenAI encodes). The Provider interface
 * passes no request to this method yet, so through it usage without a count is 0 and vectors
 * are always float arrays (which OpenAI SDKs that asked for base64 by default accept).
 */
export function parseGeminiEmbeddingResponse(body: unknown, context: ProviderContext, request?: EmbeddingRequest): EmbeddingResponse {
  if (!isObject(body)) throw badUpstreamResponse('an embedding response');
  const embeddings = arrayOr(body['embeddings']).map(objectOr);
  const base64 = request?.encoding_format === 'base64';
  const promptTokens = reportedTokens(body, embeddings) ?? (request ? estimateEmbeddingTokens(request.input) : 0);
  return {
    object: 'list',
    data: embeddings.map((embedding, index) => {
      const values = arrayOr(embedding['values']).filter((value): value is number => typeof value === 'number');
      return { object: 'embedding', index, embedding: base64 ? toBase64Float32(values) : values };
    }),
    model: context.deployment.upstreamModel,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function reportedTokens(body: Record<string, unknown>, embeddings: ReadonlyArray<Record<string, unknown>>): number | undefined {
  const usageMetadata = objectOr(body['usageMetadata']);
  if (typeof usageMetadata['promptTokenCount'] === 'number') return countOf(usageMetadata['promptTokenCount']);
  const counts = embeddings.map((embedding) => objectOr(embedding['statistics'])['tokenCount']).filter((count) => typeof count === 'number');
  return counts.length > 0 ? counts.reduce<number>((sum, count) => sum + countOf(count), 0) : undefined;
}

/** 4 characters a token over every input (at least 1 per non-empty request), as the gateway estimates prompts. */
export function estimateEmbeddingTokens(input: EmbeddingRequest['input']): number {
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.filter((text): text is string => typeof text === 'string') : [];
  const characters = texts.reduce((sum, text) => sum + text.length, 0);
  return characters === 0 ? 0 : Math.max(1, Math.ceil(characters / 4));
}

function toBase64Float32(values: readonly number[]): string {
  const floats = new Float32Array(values);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
