import { describe, expect, it } from 'vitest';
import type { EmbeddingRequest } from '../../../../functions/core/openai/openai-types.js';
import {
  buildBedrockEmbeddingRequest,
  embeddingFamilyOf,
  float32Base64,
  parseBedrockEmbeddingResponse,
  toInvokeModelBody,
} from '../../../../functions/core/providers/bedrock/bedrock-embeddings.js';
import { assertEmbeddingResponse } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { bedrockContext } from './bedrock-test-support.js';

const TITAN_V2 = 'amazon.titan-embed-text-v2:0';
const COHERE_V3 = 'cohere.embed-english-v3';

function embed(fields: Partial<EmbeddingRequest> = {}): EmbeddingRequest {
  return { model: 'embedder', input: 'hello', ...fields };
}

describe('embeddingFamilyOf', () => {
  it.each([
    [TITAN_V2, 'titan-v2'],
    ['amazon.titan-embed-text-v1', 'titan-v1'],
    ['amazon.titan-embed-g1-text-02', 'titan-v1'],
    [COHERE_V3, 'cohere-v3'],
    ['cohere.embed-multilingual-v3', 'cohere-v3'],
    ['cohere.embed-v4:0', 'cohere-v4'],
    ['us.cohere.embed-v4:0', 'cohere-v4'],
    ['anthropic.claude-3-haiku-20240307-v1:0', undefined],
  ])('classifies %s as %s', (model, expected) => {
    const family = embeddingFamilyOf(model);

    expect(family).toBe(expected);
  });
});

describe('buildBedrockEmbeddingRequest', () => {
  it('invokes the model in the deployment region and asks to be signed', () => {
    const built = buildBedrockEmbeddingRequest(embed(), bedrockContext({ upstreamModel: TITAN_V2, awsRegion: 'us-west-2' }));

    expect(built).toMatchObject({
      method: 'POST',
      url: 'https://bedrock-runtime.us-west-2.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke',
      signing: { service: 'bedrock', region: 'us-west-2' },
    });
  });

  it('refuses a model that is not an embeddings model with a 400 naming model', () => {
    const error = captureError(() => buildBedrockEmbeddingRequest(embed(), bedrockContext({ upstreamModel: 'amazon.nova-pro-v1:0' })));

    expect(error).toMatchObject({ status: 400, param: 'model' });
  });
});

describe('toInvokeModelBody', () => {
  it.each<[string, Partial<EmbeddingRequest>, Parameters<typeof toInvokeModelBody>[1], unknown]>([
    ['Titan v2 one string', {}, 'titan-v2', { inputText: 'hello', normalize: true }],
    ['Titan v2 a one-string array with dimensions', { input: ['hello'], dimensions: 256 }, 'titan-v2', { inputText: 'hello', dimensions: 256, normalize: true }],
    ['Titan v1 one string', {}, 'titan-v1', { inputText: 'hello' }],
    ['Cohere v3 several strings', { input: ['a', 'b'] }, 'cohere-v3', { texts: ['a', 'b'], input_type: 'search_document' }],
    ['Cohere v4 with dimensions', { input: 'a', dimensions: 512 }, 'cohere-v4', { texts: ['a'], input_type: 'search_document', output_dimension: 512 }],
  ])('writes %s', (_case, fields, family, expected) => {
    const body = toInvokeModelBody(embed(fields), family);

    expect(body).toEqual(expected);
  });

  it.each<[string, Partial<EmbeddingRequest>, Parameters<typeof toInvokeModelBody>[1], string]>([
    ['several inputs for Titan', { input: ['a', 'b'] }, 'titan-v2', 'input'],
    ['token ids', { input: [1, 2, 3] }, 'cohere-v3', 'input'],
    ['dimensions for Titan v1', { dimensions: 256 }, 'titan-v1', 'dimensions'],
    ['dimensions for Cohere v3', { dimensions: 256 }, 'cohere-v3', 'dimensions'],
  ])('refuses %s with a 400 naming the parameter', (_case, fields, family, param) => {
    const error = captureError(() => toInvokeModelBody(embed(fields), family));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});

describe('parseBedrockEmbeddingResponse', () => {
  it('reads a Titan answer with its input token count', () => {
    const response = parseBedrockEmbeddingResponse({ embedding: [0.5, -0.25], inputTextTokenCount: 3 }, bedrockContext({ upstreamModel: TITAN_V2 }));

    expect(response).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.5, -0.25] }],
      model: TITAN_V2,
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  });

  it.each([
    ['a list', { id: 'x', embeddings: [[1], [2]], texts: ['abcd', 'efgh'], response_type: 'embeddings_floats' }],
    ['typed by float', { id: 'x', embeddings: { float: [[1], [2]] }, texts: ['abcd', 'efgh'], response_type: 'embeddings_by_type' }],
  ])('reads a Cohere answer whose embeddings are %s, estimating tokens from the echoed texts', (_case, body) => {
    const response = parseBedrockEmbeddingResponse(body, bedrockContext({ upstreamModel: COHERE_V3 }));

    expect(response.data.map((item) => item.embedding)).toEqual([[1], [2]]);
    expect(response.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('encodes the vectors as base64 float32 when the request asked for base64', () => {
    const response = parseBedrockEmbeddingResponse({ embedding: [1, -2], inputTextTokenCount: 1 }, bedrockContext(), embed({ encoding_format: 'base64' }));

    expect(response.data[0]?.embedding).toBe(Buffer.from(new Float32Array([1, -2]).buffer).toString('base64'));
  });

  it('matches the OpenAI embedding schema', () => {
    const response = parseBedrockEmbeddingResponse({ embedding: [0.1, 0.2], inputTextTokenCount: 2 }, bedrockContext({ upstreamModel: TITAN_V2 }));

    expect(() => assertEmbeddingResponse(response)).not.toThrow();
  });

  it.each([null, 'text'])('throws a bad_upstream_response GatewayError when the body is %j', (body) => {
    const error = captureError(() => parseBedrockEmbeddingResponse(body, bedrockContext()));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe('float32Base64', () => {
  it('round-trips through little-endian float32', () => {
    const encoded = float32Base64([0.5, 3.25, -1]);

    expect([...new Float32Array(Uint8Array.from(Buffer.from(encoded, 'base64')).buffer)]).toEqual([0.5, 3.25, -1]);
  });
});
