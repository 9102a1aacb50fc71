import { describe, expect, it } from 'vitest';
import type { EmbeddingRequest, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import {
  buildGeminiEmbeddingRequest,
  estimateEmbeddingTokens,
  parseGeminiEmbeddingResponse,
} from '../../../../functions/core/providers/gemini/gemini-embeddings.js';
import { assertEmbeddingResponse } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { geminiContext } from './gemini-test-support.js';

const EMBEDDING_CONTEXT = geminiContext({ upstreamModel: 'gemini-embedding-001' });

function embeddingRequest(extra: Partial<EmbeddingRequest> = {}): EmbeddingRequest {
  return { model: 'my-embedder', input: ['first', 'second'], ...extra };
}

const RESPONSE = { embeddings: [{ values: [0.5, -0.25] }, { values: [1, 0] }] };

describe('buildGeminiEmbeddingRequest', () => {
  it('posts to batchEmbedContents with the key in a header', () => {
    const request = buildGeminiEmbeddingRequest(embeddingRequest(), EMBEDDING_CONTEXT);

    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents',
      headers: { 'x-goog-api-key': 'gemini-test-key', 'content-type': 'application/json' },
    });
  });

  it.each<[string, Partial<EmbeddingRequest>, JsonObject]>([
    [
      'one request per input',
      {},
      {
        requests: [
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first' }] } },
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] } },
        ],
      },
    ],
    ['a single string', { input: 'only' }, { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'only' }] } }] }],
    [
      'dimensions as outputDimensionality',
      { input: 'only', dimensions: 256 },
      { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'only' }] }, outputDimensionality: 256 }] },
    ],
  ])('sends %s', (_, extra, expected) => {
    const request = buildGeminiEmbeddingRequest(embeddingRequest(extra), EMBEDDING_CONTEXT);

    expect(JSON.parse(request.body ?? '')).toEqual(expected);
  });

  it.each<[string, EmbeddingRequest['input']]>([
    ['token ids', [1, 2, 3]],
    ['lists of token ids', [[1, 2], [3]]],
  ])('refuses %s, naming input', (_, input) => {
    const error = captureError(() => buildGeminiEmbeddingRequest(embeddingRequest({ input }), EMBEDDING_CONTEXT));

    expect(error).toMatchObject({ status: 400, param: 'input' });
  });
});

describe('parseGeminiEmbeddingResponse', () => {
  it('lists the vectors in input order under the deployment model', () => {
    const response = parseGeminiEmbeddingResponse(RESPONSE, EMBEDDING_CONTEXT);

    expect(response).toMatchObject({
      object: 'list',
      model: 'gemini-embedding-001',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -0.25] },
        { object: 'embedding', index: 1, embedding: [1, 0] },
      ],
    });
    expect(() => assertEmbeddingResponse(response)).not.toThrow();
  });

  it.each<[string, JsonObject, EmbeddingRequest | undefined, number]>([
    ['the response usageMetadata', { ...RESPONSE, usageMetadata: { promptTokenCount: 12 } }, embeddingRequest(), 12],
    ['Vertex-style statistics', { embeddings: [{ values: [1], statistics: { tokenCount: 3 } }, { values: [1], statistics: { tokenCount: 4 } }] }, undefined, 7],
    ['an estimate of 4 characters a token over the inputs', RESPONSE, embeddingRequest({ input: ['abcdefgh', 'abcd'] }), 3],
    ['0 when there is neither a count nor the request', RESPONSE, undefined, 0],
  ])('counts usage from %s', (_, body, request, expected) => {
    const response = parseGeminiEmbeddingResponse(body, EMBEDDING_CONTEXT, request);

    expect(response.usage).toEqual({ prompt_tokens: expected, total_tokens: expected });
  });

  it('encodes the vectors as base64 float32 when the request asks for base64', () => {
    const response = parseGeminiEmbeddingResponse(RESPONSE, EMBEDDING_CONTEXT, embeddingRequest({ encoding_format: 'base64' }));

    const bytes = Uint8Array.from(Buffer.from(response.data[0]!.embedding as string, 'base64'));
    const decoded = Array.from(new Float32Array(bytes.buffer));

    expect(decoded).toEqual([0.5, -0.25]);
  });

  it('throws a bad_upstream_response GatewayError when the body is not an object', () => {
    const error = captureError(() => parseGeminiEmbeddingResponse('nope', EMBEDDING_CONTEXT));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe('estimateEmbeddingTokens', () => {
  it.each<[EmbeddingRequest['input'], number]>([
    ['abcd', 1],
    ['abcde', 2],
    [['ab', 'cd', 'ef'], 2],
    ['', 0],
  ])('estimates %j as %i tokens', (input, expected) => {
    expect(estimateEmbeddingTokens(input)).toBe(expected);
  });
});
