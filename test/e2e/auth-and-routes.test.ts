import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertEmbeddingResponse, assertErrorResponse, assertModel, assertModelList } from '../support/openai-schema.js';
import { MASTER_KEY } from '../support/start-gateway.js';
import { startE2eEnvironment, stopE2eEnvironment, type E2eEnvironment } from './e2e-setup.js';

let environment: E2eEnvironment;
beforeAll(async () => {
  environment = await startE2eEnvironment();
});
afterAll(() => stopE2eEnvironment(environment));

describe('authentication', () => {
  it('answers 401 invalid_api_key when no key is sent', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models`);
    const body = (await response.json()) as { error: { code: string } };

    expect(response.status).toBe(401);
    assertErrorResponse(body);
    expect(body.error.code).toBe('invalid_api_key');
  });

  it('answers 401 invalid_api_key for a wrong key, without echoing it', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models`, { headers: { authorization: 'Bearer sk-wrong-key-123456' } });
    const text = await response.text();

    expect(response.status).toBe(401);
    expect(JSON.parse(text).error.code).toBe('invalid_api_key');
    expect(text).not.toContain('sk-wrong-key-123456');
  });

  it('raises OpenAI.AuthenticationError in the SDK for a wrong key', async () => {
    const client = new OpenAI({ baseURL: `${environment.gateway.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });

    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('accepts the key in an api-key header, as Azure clients send it', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models`, { headers: { 'api-key': MASTER_KEY } });

    expect(response.status).toBe(200);
  });

  it('serves GET /health without a key', async () => {
    const response = await fetch(`${environment.gateway.url}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /v1/models', () => {
  it('lists the configured model names once each', async () => {
    const list = await environment.client.models.list();

    const ids = list.data.map((model) => model.id);
    assertModelList({ object: 'list', data: list.data });
    expect(ids).toContain('gpt-text');
    expect(ids).toContain('demo');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('retrieves one configured model by id', async () => {
    const model = await environment.client.models.retrieve('gpt-text');

    assertModel(model);
    expect(model.id).toBe('gpt-text');
  });

  it('answers 404 model_not_found for an unknown model id', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models/nope`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });

    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('lists models without the /v1 prefix too', async () => {
    const response = await fetch(`${environment.gateway.url}/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });

    expect(response.status).toBe(200);
    assertModelList(await response.json());
  });
});

describe('POST /v1/embeddings', () => {
  it('returns the recorded embeddings, valid against the OpenAI schema', async () => {
    const response = await environment.client.embeddings.create({ model: 'embedder', input: ['sunny day at the beach', 'rainy day in the city'], encoding_format: 'float' });

    assertEmbeddingResponse(response);
    expect(response.data).toHaveLength(2);
    expect(environment.upstream.requests.at(-1)?.url).toBe('/v1/embeddings');
  });

  it('embeds with the built-in demo model', async () => {
    const response = await environment.client.embeddings.create({ model: 'demo', input: 'hello', encoding_format: 'float' });

    assertEmbeddingResponse(response);
    expect(response.data[0]?.embedding.length).toBe(16);
  });

  it('answers 400 naming input when it is missing', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}` },
      body: JSON.stringify({ model: 'demo' }),
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('input');
  });
});
