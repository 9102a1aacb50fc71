import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest, EmbeddingRequest } from '../../../functions/core/openai/openai-types.js';
import { DEFAULT_AZURE_API_VERSION } from '../../../functions/core/providers/azure-dialect.js';
import type { ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import { PROVIDERS, type WireFormat } from '../../../functions/core/providers/provider-catalog.js';
import { providerFor } from '../../../functions/core/providers/provider-registry.js';
import { providerContext, resolvedDeployment } from './provider-test-support.js';

interface ProviderCase {
  wire: WireFormat;
  deployment: ResolvedDeployment;
  chatUrl: string;
  embeddingsUrl: string;
  authHeaders: Record<string, string>;
}

const CASES: Record<string, ProviderCase> = {
  openai: {
    wire: 'openai-compatible',
    deployment: resolvedDeployment({ provider: 'openai', upstreamModel: 'gpt-4o-mini', apiBase: PROVIDERS['openai']?.defaultApiBase, apiKey: 'sk-openai' }),
    chatUrl: 'https://api.openai.com/v1/chat/completions',
    embeddingsUrl: 'https://api.openai.com/v1/embeddings',
    authHeaders: { authorization: 'Bearer sk-openai' },
  },
  'custom api_base with a trailing slash': {
    wire: 'openai-compatible',
    deployment: resolvedDeployment({ provider: 'hosted_vllm', upstreamModel: 'meta-llama/Llama-3.1-8B', apiBase: 'http://vllm.internal:8000/v1/', apiKey: 'vllm-key' }),
    chatUrl: 'http://vllm.internal:8000/v1/chat/completions',
    embeddingsUrl: 'http://vllm.internal:8000/v1/embeddings',
    authHeaders: { authorization: 'Bearer vllm-key' },
  },
  azure: {
    wire: 'azure',
    deployment: resolvedDeployment({
      provider: 'azure',
      upstreamModel: 'my-gpt4o-deployment',
      apiBase: 'https://example.openai.azure.com/',
      apiVersion: '2024-06-01',
      apiKey: 'azure-key',
    }),
    chatUrl: 'https://example.openai.azure.com/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-06-01',
    embeddingsUrl: 'https://example.openai.azure.com/openai/deployments/my-gpt4o-deployment/embeddings?api-version=2024-06-01',
    authHeaders: { 'api-key': 'azure-key' },
  },
  demo: {
    wire: 'demo',
    deployment: resolvedDeployment({ provider: 'demo', upstreamModel: 'echo', apiBase: undefined, apiKey: undefined, streamDelayMs: 25 }),
    chatUrl: 'demo://local/chat/completions?stream_delay_ms=25',
    embeddingsUrl: 'demo://local/embeddings?stream_delay_ms=25',
    authHeaders: {},
  },
};

const PROVIDER_NAMES = Object.keys(CASES);

function caseFor(name: string): ProviderCase {
  const found = CASES[name];
  if (!found) throw new Error(`no case ${name}`);
  return found;
}

function fullChatRequest(): ChatCompletionRequest {
  return {
    model: 'public-name',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
    ],
    stream: true,
    stream_options: { include_usage: true },
    tools: [
      {
        type: 'function',
        function: { name: 'weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      },
    ],
    tool_choice: { type: 'function', function: { name: 'weather' } },
    parallel_tool_calls: false,
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false } },
    },
    max_tokens: 64,
    max_completion_tokens: 128,
    stop: ['\n\n', 'END'],
    seed: 42,
    logprobs: true,
    top_logprobs: 2,
    temperature: 0.3,
    user: 'user-123',
    metadata: { team: 'research' },
    some_future_field: { nested: [1, 'two', null] },
  };
}

function headerNames(headers: Record<string, string>): string[] {
  return Object.keys(headers).map((name) => name.toLowerCase());
}

describe.each(PROVIDER_NAMES)('buildChatRequest for %s', (name) => {
  it('posts to the provider chat URL', () => {
    const { wire, deployment, chatUrl } = caseFor(name);

    const request = providerFor(wire).buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(request).toMatchObject({ method: 'POST', url: chatUrl });
  });

  it('sends the provider authentication headers and no other credentials', () => {
    const { wire, deployment, authHeaders } = caseFor(name);

    const { headers } = providerFor(wire).buildChatRequest(fullChatRequest(), providerContext(deployment));

    const credentials = Object.fromEntries(Object.entries(headers).filter(([header]) => ['authorization', 'api-key'].includes(header.toLowerCase())));
    expect(credentials).toEqual(authHeaders);
  });

  it('sends a JSON content type', () => {
    const { wire, deployment } = caseFor(name);

    const { headers } = providerFor(wire).buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(headers['content-type']).toBe('application/json');
  });

  it('keeps every client field unchanged and replaces only the model with the upstream model', () => {
    const { wire, deployment } = caseFor(name);
    const clientRequest = fullChatRequest();

    const { body } = providerFor(wire).buildChatRequest(clientRequest, providerContext(deployment));

    expect(JSON.parse(body ?? '')).toEqual({ ...fullChatRequest(), model: deployment.upstreamModel });
  });

  it('leaves the client request object untouched', () => {
    const { wire, deployment } = caseFor(name);
    const clientRequest = fullChatRequest();

    providerFor(wire).buildChatRequest(clientRequest, providerContext(deployment));

    expect(clientRequest).toEqual(fullChatRequest());
  });

  it('sends the configured extra headers', () => {
    const { wire, deployment } = caseFor(name);
    const withExtras = { ...deployment, extraHeaders: { 'x-team': 'research', 'helicone-auth': 'Bearer h-1' } };

    const { headers } = providerFor(wire).buildChatRequest(fullChatRequest(), providerContext(withExtras));

    expect(headers).toMatchObject({ 'x-team': 'research', 'helicone-auth': 'Bearer h-1' });
  });

  it('sends no authentication header when the deployment has no api key', () => {
    const { wire, deployment } = caseFor(name);
    const keyless = { ...deployment, apiKey: undefined };

    const { headers } = providerFor(wire).buildChatRequest(fullChatRequest(), providerContext(keyless));

    expect(headerNames(headers)).not.toContain('authorization');
    expect(headerNames(headers)).not.toContain('api-key');
  });

  it('posts embeddings to the provider embeddings URL with only the model replaced', () => {
    const { wire, deployment, embeddingsUrl } = caseFor(name);
    const embeddingRequest: EmbeddingRequest = { model: 'public-name', input: ['a', 'b'], dimensions: 8, encoding_format: 'base64', user: 'u-1' };

    const request = providerFor(wire).buildEmbeddingRequest?.(embeddingRequest, providerContext(deployment));

    expect(request?.url).toBe(embeddingsUrl);
    expect(JSON.parse(request?.body ?? '')).toEqual({ ...embeddingRequest, model: deployment.upstreamModel });
  });
});

describe('buildChatRequest for azure', () => {
  it('sends no Authorization header when it authenticates with api-key', () => {
    const { deployment } = caseFor('azure');

    const { headers } = providerFor('azure').buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(headerNames(headers)).not.toContain('authorization');
  });

  it('uses the default api-version when the deployment names none', () => {
    const deployment = { ...caseFor('azure').deployment, apiVersion: undefined };

    const { url } = providerFor('azure').buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(url).toBe(`https://example.openai.azure.com/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`);
  });

  it('encodes the deployment name when it has characters that are not URL-safe', () => {
    const deployment = { ...caseFor('azure').deployment, upstreamModel: 'gpt 4o/eu' };

    const { url } = providerFor('azure').buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(url).toContain('/openai/deployments/gpt%204o%2Feu/chat/completions?');
  });
});

describe('buildChatRequest for an OpenAI-compatible provider', () => {
  it.each([
    ['groq', 'https://api.groq.com/openai/v1/chat/completions'],
    ['mistral', 'https://api.mistral.ai/v1/chat/completions'],
    ['deepseek', 'https://api.deepseek.com/v1/chat/completions'],
    ['xai', 'https://api.x.ai/v1/chat/completions'],
    ['perplexity', 'https://api.perplexity.ai/chat/completions'],
    ['ollama', 'http://localhost:11434/v1/chat/completions'],
  ])('posts to the catalog default of %s when apiBase is that default', (provider, url) => {
    const deployment = resolvedDeployment({ provider, apiBase: PROVIDERS[provider]?.defaultApiBase });

    const request = providerFor('openai-compatible').buildChatRequest(fullChatRequest(), providerContext(deployment));

    expect(request.url).toBe(url);
  });
});
