// A deployment without a known price (neither the config nor the price catalog prices it) under
// budgets: named at start-up, refused to keys and tenants a budget applies to (a budget that cannot
// count its cost would not bind), served to keys without one, and its usage records marked unpriced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { admin, chat, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

let upstream: FakeUpstream;
let environment: TenancyEnvironment;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  environment = await startTenancyEnvironment(`
model_list:
  - model_name: mystery
    litellm_params:
      model: openai/ok:mystery-model
      api_base: ${upstream.baseUrl}
      api_key: sk-unpriced-provider-key-000000
  - model_name: priced
    litellm_params:
      model: openai/ok:priced-model
      api_base: ${upstream.baseUrl}
      api_key: sk-unpriced-provider-key-000000
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
});
afterAll(async () => {
  await environment?.gateway.close();
  await upstream?.close();
});

describe('unpriced deployments', () => {
  it('names the unpriced deployment in a warning at start-up and not the priced one', () => {
    const warnings = environment.gateway.logLines.filter((line) => line.event === 'config.unpriced_deployment');

    expect(warnings.map((line) => line.fields?.['model'])).toEqual(['mystery']);
  });

  it('refuses a key with a budget with 403 model_not_priced when the model has no price', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'unpriced-key-budget' }, { max_budget: 5 });

    const response = await chat(environment, secret, { model: 'mystery' });

    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'model_not_priced', type: 'permission_error', param: 'model' });
    expect(response.body.error.message).toBe(
      `Model mystery has no price, so the budget of API key ${keyId} cannot bind on it; set input_cost_per_token/output_cost_per_token in the config.`,
    );
    expect(upstream.requestsFor('ok:mystery-model')).toHaveLength(0);
  });

  it('refuses a tenant\'s end user when the tenant sets end_user_max_budget and the model has no price', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'unpriced-enduser', end_user_max_budget: 1 });

    const response = await chat(environment, secret, { model: 'mystery', user: 'alice' });

    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/budget of end user "alice" of tenant unpriced-enduser/);
  });

  it('serves the same key on a priced model', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'unpriced-key-priced' }, { max_budget: 5 });

    const response = await chat(environment, secret, { model: 'priced' });

    expect(response.status).toBe(200);
  });

  it('serves a key without a budget and marks its usage record unpriced', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'unpriced-no-budget' });

    const response = await chat(environment, secret, { model: 'mystery' });
    await quiescent(environment);
    await environment.usageQueue.drain();
    const page = await admin<{ data: Array<Record<string, unknown>> }>(environment, 'GET', '/admin/usage/requests?tenant_id=unpriced-no-budget&from=2026-11-22&to=2026-11-24');

    expect(response.status).toBe(200);
    expect(page.data).toEqual([expect.objectContaining({ model: 'mystery', unpriced: true })]);
  });
});
