import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

export const PROVIDER_KEY = 'sk-provider-secret-abcdef123456';

/** A config whose models all point at the fake upstream; the upstream model name picks its behaviour. */
export function e2eConfig(upstreamBaseUrl: string): string {
  const openai = (name: string, upstreamModel: string, extra = '') => `
  - model_name: ${name}
    litellm_params:
      model: openai/${upstreamModel}
      api_base: ${upstreamBaseUrl}
      api_key: os.environ/FAKE_PROVIDER_KEY${extra}`;
  return `
model_list:${[
    openai('gpt-text', 'fixture:openai-text'),
    openai('echo', 'echo'),
    openai('embedder', 'text-embedding-3-small'),
    openai('status-400', 'status:400'),
    openai('status-404', 'status:404'),
    openai('status-429', 'status:429'),
    openai('status-500', 'status:500'),
    openai('status-503', 'status:503'),
    openai('hang', 'hang', '\n      timeout: 0.3'),
    openai('pause-stream', 'pause-stream:400'),
    openai('break-stream', 'break-stream'),
    openai('endless-stream', 'endless-stream'),
    openai('leak-key', 'leak-key'),
  ].join('')}
  - model_name: deepseek-tools
    litellm_params:
      model: deepseek/fixture:deepseek-tool-call
      api_base: ${upstreamBaseUrl}
      api_key: os.environ/FAKE_PROVIDER_KEY
  - model_name: mistral-tools
    litellm_params:
      model: mistral/fixture:mistral-incremental-tool-call
      api_base: ${upstreamBaseUrl}
      api_key: os.environ/FAKE_PROVIDER_KEY
  - model_name: groq-tools
    litellm_params:
      model: groq/fixture:groq-tool-call
      api_base: ${upstreamBaseUrl}
      api_key: os.environ/FAKE_PROVIDER_KEY
  - model_name: azure-gpt
    litellm_params:
      model: azure/my-deployment
      api_base: ${upstreamBaseUrl.replace(/\/v1$/, '')}
      api_version: "2024-10-21"
      api_key: os.environ/FAKE_PROVIDER_KEY
  - model_name: unreachable
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:1/v1
      api_key: os.environ/FAKE_PROVIDER_KEY
  - model_name: demo
    litellm_params:
      model: demo/echo
router_settings:
  num_retries: 0 # these tests check how one upstream failure is passed on; failover has its own tests
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  max_request_size_mb: 0.01
  stream_keep_alive_seconds: 0.1
`;
}

export interface E2eEnvironment {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
}

export async function startE2eEnvironment(): Promise<E2eEnvironment> {
  const upstream = await startFakeUpstream();
  const gateway = await startGateway(e2eConfig(upstream.baseUrl), { environment: { FAKE_PROVIDER_KEY: PROVIDER_KEY } });
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
  return { upstream, gateway, client };
}

export async function stopE2eEnvironment(environment: E2eEnvironment | undefined): Promise<void> {
  await environment?.gateway.close();
  await environment?.upstream.close();
}

/** Raw SSE text → the JSON payloads of its `data:` events (excluding `[DONE]`). */
export function ssePayloads(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: ') && block !== 'data: [DONE]')
    .map((block) => JSON.parse(block.slice('data: '.length)) as unknown);
}
