import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertErrorResponse } from '../support/openai-schema.js';
import { admin, chat, eventually, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

let environment: TenancyEnvironment;
beforeAll(async () => {
  environment = await startTenancyEnvironment();
});
afterAll(() => environment?.gateway.close());

describe('virtual key authentication', () => {
  it('serves a request made with an active virtual key', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'auth-ok' });

    const response = await chat(environment, secret);

    expect(response.status).toBe(200);
  });

  it('answers 401 invalid_api_key for an unknown key', async () => {
    const response = await chat(environment, 'sk-gw-not-a-real-key-000000000000000000000000');

    expect(response.status).toBe(401);
    assertErrorResponse(response.body);
    expect(response.body.error.code).toBe('invalid_api_key');
  });

  it('stops a revoked key within the key cache bound, not later', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'auth-revoke' });
    await chat(environment, secret);
    await admin(environment, 'POST', `/admin/keys/${keyId}/revoke`);

    const withinBound = await chat(environment, secret);
    environment.clock.advance(30_001);
    const afterBound = await chat(environment, secret);

    expect(withinBound.status).toBe(200);
    expect(afterBound.status).toBe(401);
    expect(afterBound.body.error.code).toBe('invalid_api_key');
    expect(afterBound.body.error.message).toMatch(/revoked/);
  });

  it('answers 401 once a key has expired', async () => {
    const expiresAt = new Date(environment.clock.now() + 60_000).toISOString();
    const { secret } = await tenantWithKey(environment, { id: 'auth-expiry' }, { expires_at: expiresAt });
    const before = await chat(environment, secret);

    environment.clock.advance(60_001);
    const after = await chat(environment, secret);

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/expired/);
  });

  it('keeps no plaintext secret in the tenancy table', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'auth-plaintext' });

    const scan = await environment.client.send(new ScanCommand({ TableName: environment.tables.tenancy }));

    expect(JSON.stringify(scan.Items)).not.toContain(secret);
    expect(JSON.stringify(scan.Items)).not.toContain(secret.slice(12));
  });
});

describe('model allow-lists', () => {
  it("answers 403 for a model outside the key's allow-list", async () => {
    const { secret } = await tenantWithKey(environment, { id: 'allow-key' }, { models: ['demo'] });

    const response = await chat(environment, secret, { model: 'metered' });

    expect(response.status).toBe(403);
    assertErrorResponse(response.body);
    expect(response.body.error.code).toBe('model_not_allowed');
    expect(response.body.error.message).toMatch(/may not use model "metered"/);
  });

  it("answers 403 for a model outside the tenant's allow-list", async () => {
    const { secret } = await tenantWithKey(environment, { id: 'allow-tenant', models: ['metered'] });

    const response = await chat(environment, secret, { model: 'demo' });

    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/Tenant allow-tenant/);
  });

  it('lists only the models the key may use', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'allow-list' }, { models: ['demo'] });

    const response = await fetch(`${environment.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    const list = (await response.json()) as { data: Array<{ id: string }> };

    expect(list.data.map((model) => model.id)).toEqual(['demo']);
  });
});

describe('requests per minute', () => {
  it('admits exactly rpm_limit of 3 × rpm_limit concurrent requests', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'rpm-key' }, { rpm_limit: 10 });

    const responses = await Promise.all(Array.from({ length: 30 }, () => chat(environment, secret)));

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    const refused = responses.find((response) => response.status === 429)!;
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('admits exactly the tenant rpm_limit across several keys', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'rpm-tenant', rpm_limit: 6 });
    const second = await admin<{ key: string }>(environment, 'POST', '/admin/keys', { tenant_id: 'rpm-tenant' });

    const responses = await Promise.all(Array.from({ length: 18 }, (_, index) => chat(environment, index % 2 ? secret : second.key)));

    expect(responses.filter((response) => response.status === 200)).toHaveLength(6);
  });

  it('opens a new window in the next minute', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'rpm-window' }, { rpm_limit: 1 });
    await chat(environment, secret);
    const refused = await chat(environment, secret);

    environment.clock.advance(60_000);
    const nextMinute = await chat(environment, secret);

    expect(refused.status).toBe(429);
    expect(nextMinute.status).toBe(200);
  });

  it('reports the window in OpenAI-style x-ratelimit headers', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'rpm-headers' }, { rpm_limit: 5 });

    await chat(environment, secret);
    const second = await chat(environment, secret);

    expect(second.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('3');
    expect(second.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
  });
});

describe('tokens per minute', () => {
  it('refuses while the window has used its tokens, with the -tokens headers', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'tpm-key' }, { tpm_limit: 10 });
    const first = await chat(environment, secret);
    await quiescent(environment); // tokens are counted at settlement, after the response

    const second = await chat(environment, secret);

    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('tokens_rate_limit_exceeded');
    expect(second.headers.get('x-ratelimit-limit-tokens')).toBe('10');
  });
});

describe('budgets', () => {
  const metered = { model: 'metered', max_tokens: 5 };

  it('admits exactly the 50 of 200 concurrent requests that a key budget covers, and spends no more', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'budget-key' }, { max_budget: 0.25, budget_duration: '30d' });

    const responses = await Promise.all(Array.from({ length: 200 }, () => chat(environment, secret, metered)));

    expect(responses.filter((response) => response.status === 200)).toHaveLength(50);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(150);
    expect(refused.every((response) => response.body.error.code === 'insufficient_quota')).toBe(true);
    expect(refused[0]!.body.error.message).toMatch(new RegExp(`API key ${keyId}`));
    await eventually(async () => {
      const key = await admin<{ usage: { spend_usd: number; reserved_usd: number } }>(environment, 'GET', `/admin/keys/${keyId}`);
      expect(key.usage.spend_usd).toBeCloseTo(0.25, 9);
      expect(key.usage.reserved_usd).toBe(0);
    });
  });

  it('admits exactly what a tenant budget covers across its keys', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'budget-tenant', max_budget: 0.1, budget_duration: '1mo' });
    const second = await admin<{ key: string }>(environment, 'POST', '/admin/keys', { tenant_id: 'budget-tenant' });

    const responses = await Promise.all(Array.from({ length: 60 }, (_, index) => chat(environment, index % 2 ? secret : second.key, metered)));

    expect(responses.filter((response) => response.status === 200)).toHaveLength(20);
    expect(responses.find((response) => response.status === 429)!.body.error.message).toMatch(/tenant budget-tenant/);
  });

  it("admits exactly what an end user's budget covers, per end user", async () => {
    const { secret } = await tenantWithKey(environment, { id: 'budget-enduser', end_user_max_budget: 0.05, budget_duration: '1d' });

    const alice = await Promise.all(Array.from({ length: 30 }, () => chat(environment, secret, { ...metered, user: 'alice' })));
    const bob = await chat(environment, secret, metered, { 'x-gateway-end-user': 'bob' });

    expect(alice.filter((response) => response.status === 200)).toHaveLength(10);
    expect(alice.find((response) => response.status === 429)!.body.error.message).toMatch(/end user "alice"/);
    expect(bob.status).toBe(200);
  });

  it('clamps max_tokens to what the remaining budget buys and says so in a header', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'budget-clamp' }, { max_budget: 0.003 });

    const clamped = await chat(environment, secret, metered);
    const exhausted = await chat(environment, secret, metered);

    expect(clamped.status).toBe(200);
    expect(clamped.headers.get('x-gateway-max-tokens-clamped')).toBe('3');
    expect(clamped.body.choices[0].finish_reason).toBe('length');
    expect(clamped.body.usage.completion_tokens).toBe(3);
    expect(exhausted.status).toBe(429);
    expect(exhausted.body.error.code).toBe('insufficient_quota');
  });

  it('renews a daily budget in the next period, with no reset job', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'budget-period' }, { max_budget: 0.005, budget_duration: '1d' });
    await chat(environment, secret, metered);
    const refused = await chat(environment, secret, metered);

    environment.clock.advance(86_400_000);
    const nextDay = await chat(environment, secret, metered);

    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(nextDay.status).toBe(200);
  });
});

describe('DynamoDB calls per request', () => {
  it('costs one call to admit and one to settle for a key with RPM, TPM and a budget', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'calls-key' }, { rpm_limit: 1000, tpm_limit: 1_000_000, max_budget: 100 });
    await chat(environment, secret, { model: 'metered' }); // warms the key cache
    await quiescent(environment);
    environment.calls.length = 0;

    await chat(environment, secret, { model: 'metered' });
    await quiescent(environment);

    expect(environment.calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
  });

  it('costs one transaction to admit and one to settle when the tenant has limits too', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'calls-tenant', rpm_limit: 1000, max_budget: 100 }, { max_budget: 100 });
    await chat(environment, secret, { model: 'metered' });
    await quiescent(environment);
    environment.calls.length = 0;

    await chat(environment, secret, { model: 'metered' });
    await quiescent(environment);

    expect(environment.calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
  });

  it('costs nothing for the master key', async () => {
    await quiescent(environment);
    environment.calls.length = 0;

    await chat(environment, 'sk-test-master-key-0123456789');
    await quiescent(environment);

    expect(environment.calls).toEqual([]);
  });
});
