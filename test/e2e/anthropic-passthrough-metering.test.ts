/**
 * The Anthropic passthrough under a virtual key: what the gateway rewrites for budgets (a clamp
 * lowers the thinking budget with max_tokens), what it keeps to itself (its attribution fields),
 * and what an interrupted stream is charged (the exact input counts of `message_start`, never a
 * re-estimate of a cached prompt at the uncached rate). DynamoDB Local holds keys and counters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNativeUpstream, type NativeUpstream } from '../support/anthropic-native-upstream.js';
import { admin, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

const UPSTREAM_CLAUDE = 'claude-sonnet-4-5-20250929';

let upstream: NativeUpstream;
let environment: TenancyEnvironment;

beforeAll(async () => {
  upstream = await startNativeUpstream();
  // Claude Sonnet 4.5's list prices (USD per token).
  environment = await startTenancyEnvironment(`
model_list:
  - model_name: claude
    litellm_params:
      model: anthropic/${UPSTREAM_CLAUDE}
      api_base: ${upstream.origin}
      api_key: sk-ant-metering-provider-key-0000
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
      cache_read_input_token_cost: 0.0000003
      cache_creation_input_token_cost: 0.00000375
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
});
afterAll(async () => {
  await environment?.gateway.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

const message = {
  id: 'msg_01metering',
  type: 'message',
  role: 'assistant',
  model: UPSTREAM_CLAUDE,
  content: [{ type: 'text', text: 'done' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 2048, cache_read_input_tokens: 98_304, output_tokens: 187 },
};

function claudeCodeBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude',
    max_tokens: 32_000,
    thinking: { type: 'enabled', budget_tokens: 31_999 },
    messages: [{ role: 'user', content: 'hi' }],
    ...fields,
  };
}

function send(secret: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${environment.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': secret, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

interface UsageRow {
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  estimated: boolean;
  tags: string[];
}

async function recordsOf(tenant: string): Promise<UsageRow[]> {
  await quiescent(environment);
  await environment.usageQueue.drain();
  return (await admin<{ data: UsageRow[] }>(environment, 'GET', `/admin/usage/requests?tenant_id=${tenant}&from=2026-11-22&to=2026-11-24`)).data;
}

describe('the Anthropic passthrough under a budget', () => {
  it('lowers thinking.budget_tokens below a clamped max_tokens, so Claude Code turns still go out', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'clamp-thinking' }, { max_budget: 0.1 });
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message });

    const response = await send(secret, claudeCodeBody());
    await response.text();

    const clamped = Number(response.headers.get('x-gateway-max-tokens-clamped'));
    const sent = upstream.requests.at(-1)!.body;
    expect(response.status).toBe(200);
    expect(clamped).toBeGreaterThan(1025);
    expect(clamped).toBeLessThan(32_000);
    expect(sent).toMatchObject({ max_tokens: clamped, thinking: { type: 'enabled', budget_tokens: clamped - 1 } });
  });

  it('refuses as budget-exhausted, without calling Anthropic, when the budget cannot buy a minimal thinking budget', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'clamp-too-far' }, { max_budget: 0.01 });
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message });

    const response = await send(secret, claudeCodeBody());
    const body = (await response.json()) as { type: string; error: { type: string } };

    expect(response.status).toBe(429);
    expect(body.type).toBe('error');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the Anthropic passthrough and the gateway’s own fields', () => {
  it('keeps metadata.tags and user for the usage record and sends Anthropic only metadata.user_id', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'own-fields' });
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message });

    const response = await send(secret, claudeCodeBody({ metadata: { user_id: 'session-1', tags: ['nightly'] }, user: 'alice' }));
    await response.text();

    const sent = upstream.requests.at(-1)!.body;
    expect(response.status).toBe(200);
    expect(sent['metadata']).toEqual({ user_id: 'session-1' });
    expect(sent).not.toHaveProperty('user');
    const [record] = await recordsOf('own-fields');
    expect(record!.tags).toEqual(['nightly']);
  });
});

describe('an interrupted passthrough stream', () => {
  it('is charged the exact input counts of message_start, with only the output estimated', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'interrupted' });
    const events = [
      { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'The answer is coming' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 187 } },
      { type: 'message_stop' },
    ];
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events, pauseAfter: 3, pauseMs: 60_000 });
    const leave = new AbortController();

    const response = await send(secret, claudeCodeBody({ stream: true }), leave.signal);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('The answer is coming')) text += new TextDecoder().decode((await reader.read()).value);
    leave.abort();

    const [record] = await recordsOf('interrupted');
    expect(record).toMatchObject({ prompt_tokens: 12 + 2048 + 98_304, cache_read_tokens: 98_304, cache_write_tokens: 2048, estimated: true });
    expect(record!.completion_tokens).toBeLessThan(187);
  });
});
