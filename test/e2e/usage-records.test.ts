import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { admin, chat, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

let upstream: FakeUpstream;
let environment: TenancyEnvironment;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  // gpt-text replays recorded OpenAI answers with known usage: 16 + 363 tokens (openai-text.json), 16 + 300 streamed (openai-text.chunks.txt).
  // At $1 / $2 per million tokens: 742 and 616 micro-dollars.
  environment = await startTenancyEnvironment(`
model_list:
  - model_name: gpt-text
    litellm_params:
      model: openai/fixture:openai-text
      api_base: ${upstream.baseUrl}
      api_key: sk-fake-provider-key-000
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
  - model_name: broken
    litellm_params:
      model: openai/status:503
      api_base: ${upstream.baseUrl}
      api_key: sk-fake-provider-key-000
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
});
afterAll(async () => {
  await environment?.gateway.close();
  await upstream?.close();
});

interface UsageRow {
  request_id: string;
  status: number;
  stream: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cost_picos: number;
  cost_usd: number;
  error_code?: string;
  tags: string[];
  run_id?: string;
  key_id: string;
}

async function requestsOf(tenant: string): Promise<UsageRow[]> {
  await quiescent(environment);
  await environment.usageQueue.drain();
  const page = await admin<{ data: UsageRow[] }>(environment, 'GET', `/admin/usage/requests?tenant_id=${tenant}&from=2026-11-22&to=2026-11-24`);
  return page.data;
}

describe('usage records from real requests', () => {
  it('records a non-streaming request with the provider-reported tokens and their cost, and says the cost in a header', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-plain' });

    const response = await chat(environment, secret, { model: 'gpt-text' }, { 'x-gateway-tags': 'checkout,beta', 'x-run-id': 'run-42' });

    const [record] = await requestsOf('usage-plain');
    expect(record).toMatchObject({ status: 200, stream: false, prompt_tokens: 16, completion_tokens: 363, cost_picos: 742_000_000, cost_usd: 0.000742, tags: ['checkout', 'beta'], run_id: 'run-42' });
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.000742');
  });

  it('records a streamed request with the usage read from the stream, and puts the cost in the usage chunk', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-stream' });

    const response = await fetch(`${environment.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ model: 'gpt-text', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await response.text();

    const [record] = await requestsOf('usage-stream');
    expect(record).toMatchObject({ status: 200, stream: true, prompt_tokens: 16, completion_tokens: 300, cost_picos: 616_000_000 });
    expect(text).toContain('"cost_usd":0.000616');
  });

  it('records an upstream failure with its status and error code and no cost', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-failed' });

    await chat(environment, secret, { model: 'broken' });

    const [record] = await requestsOf('usage-failed');
    expect(record).toMatchObject({ status: 503, error_code: 'upstream_503', prompt_tokens: 0, completion_tokens: 0, cost_picos: 0 });
  });

  it('records a request refused by a limit', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-refused' }, { rpm_limit: 1 });
    await chat(environment, secret, { model: 'gpt-text' });

    await chat(environment, secret, { model: 'gpt-text' });

    const records = await requestsOf('usage-refused');
    expect(records.map((record) => record.status).sort()).toEqual([200, 429]);
  });

  it('sums an agent run across its calls', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-run' });
    await chat(environment, secret, { model: 'gpt-text' }, { 'x-run-id': 'agent-run-7' });
    await chat(environment, secret, { model: 'gpt-text' }, { 'x-run-id': 'agent-run-7' });
    await quiescent(environment);
    await environment.usageQueue.drain();

    const report = await admin<{ totals: { requests: number; cost_usd: number } }>(environment, 'GET', '/admin/usage?tenant_id=usage-run&run_id=agent-run-7');

    expect(report.totals).toMatchObject({ requests: 2, cost_usd: 0.001484 });
  });

  it("reports a tenant's cost per model from the roll-ups", async () => {
    const { secret } = await tenantWithKey(environment, { id: 'usage-report' });
    await chat(environment, secret, { model: 'gpt-text' });
    await chat(environment, secret, { model: 'gpt-text' });
    await chat(environment, secret, { model: 'broken' });
    await quiescent(environment);
    await environment.usageQueue.drain();

    const report = await admin<{ totals: { requests: number; errors: number; cost_usd: number }; rows: Array<{ model: string; requests: number }> }>(
      environment,
      'GET',
      '/admin/usage?tenant_id=usage-report&from=2026-11-23&to=2026-11-23&group_by=model',
    );

    expect(report.totals).toMatchObject({ requests: 3, errors: 1, cost_usd: 0.001484 });
    expect(report.rows.map((row) => [row.model, row.requests])).toEqual([
      ['gpt-text', 2],
      ['broken', 1],
    ]);
  });
});
