/**
 * Cooldowns and counting across retries, end to end: a deployment that keeps failing is
 * skipped (by every gateway instance sharing DynamoDB) until its cooldown ends; a client
 * request counts once toward RPM however many attempts it took; per-request overrides are
 * honoured only for keys that allow them.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { ensureTables } from '../../functions/platform/dynamodb/table-definitions.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';
import { admin, chat, eventually, manualClock, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

/** One `model_list` entry on the fake upstream; `id` becomes `model_info.id`, anything else a `litellm_params` key. */
function deployment(name: string, model: string, params: Record<string, string | number> = {}): string {
  const { id, ...rest } = params;
  const extra = Object.entries(rest).map(([key, value]) => `\n      ${key}: ${value}`).join('');
  return `  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${upstream.baseUrl}
      api_key: sk-cooldown-provider-key-000${extra}${id === undefined ? '' : `\n    model_info:\n      id: ${id}`}`;
}

/** A gateway config: these deployments, these `router_settings` lines, the master key from the environment. */
function routedConfig(deployments: readonly string[], routerSettings: string): string {
  return `
model_list:
${deployments.join('\n')}
router_settings:
${routerSettings}
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`;
}

/** Model `pair`: a deployment that always fails (always tried first while it is healthy) and one that works. */
function pairConfig(badModel: string, routerSettings: string): string {
  return routedConfig([deployment('pair', badModel, { weight: 1 }), deployment('pair', 'ok:good', { weight: 0 })], routerSettings);
}

async function askPair(gateway: RunningGateway): Promise<{ attempts: string | null; content: string }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'pair', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return { attempts: response.headers.get('x-gateway-attempts'), content: body.choices[0]!.message.content };
}

describe('cooldowns', () => {
  it('skips a deployment that failed allowed_fails times until its cooldown_time has passed', async () => {
    const clock = manualClock();
    const gateway = await startGateway(pairConfig('status:500:cooling', '  num_retries: 1\n  allowed_fails: 2\n  cooldown_time: 10'), { clock });
    try {
      expect((await askPair(gateway)).attempts).toBe('2');
      expect((await askPair(gateway)).attempts).toBe('2'); // second failure within the minute: cooldown starts
      const failedBefore = upstream.requestsFor('status:500:cooling').length;

      const during = await askPair(gateway);
      clock.advance(9_000);
      const late = await askPair(gateway);

      expect([during.attempts, late.attempts]).toEqual(['1', '1']);
      expect(upstream.requestsFor('status:500:cooling')).toHaveLength(failedBefore);
      clock.advance(2_000);
      expect((await askPair(gateway)).attempts).toBe('2');
      expect(upstream.requestsFor('status:500:cooling')).toHaveLength(failedBefore + 1);
    } finally {
      await gateway.close();
    }
  });

  it('is shared: an instance skips a deployment another instance cooled down', async () => {
    const client = localDynamoDbClient(inject('dynamoDbEndpoint'));
    const suffix = randomUUID().slice(0, 8);
    const names = { tenancy: `cd-tenancy-${suffix}`, counters: `cd-counters-${suffix}` };
    await ensureTables(client, names);
    const clock = { now: Date.now };
    const settings = '  num_retries: 1\n  allowed_fails: 1\n  cooldown_time: 60\n  cooldown_cache_seconds: 0.2';
    const firstTenancy = createDynamoDbTenancy(client, names, clock);
    const first = await startGateway(pairConfig('status:503:shared', settings), { tenancy: firstTenancy, clock });
    const second = await startGateway(pairConfig('status:503:shared', settings), { tenancy: createDynamoDbTenancy(client, names, clock), clock });
    try {
      expect((await askPair(first)).attempts).toBe('2');
      // The first instance writes the cooldown after answering its client.
      await eventually(async () => expect((await firstTenancy.cooldowns.readCooldowns(Date.now())).size).toBe(1));

      expect((await askPair(second)).attempts).toBe('1');
      expect(upstream.requestsFor('status:503:shared')).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('with virtual keys', () => {
  let environment: TenancyEnvironment;
  beforeAll(async () => {
    environment = await startTenancyEnvironment(
      routedConfig(
        [
          deployment('retrying', 'status:503:retrying', { weight: 1, input_cost_per_token: 0.01, output_cost_per_token: 0.01 }),
          // Answers 10 prompt + 5 completion tokens.
          deployment('retrying', 'ok:retrying-good', { weight: 0, input_cost_per_token: 0.001, output_cost_per_token: 0.002 }),
          deployment('solo-broken', 'status:503:solo'),
          deployment('backup', 'ok:key-backup'),
        ],
        '  num_retries: 1\n  disable_cooldowns: true',
      ),
    );
  });
  afterAll(async () => {
    await environment?.gateway.close();
  });

  it('counts a request once toward the key\'s RPM, however many attempts it took', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'retry-rpm' }, { rpm_limit: 2 });

    const first = await chat(environment, secret, { model: 'retrying' });
    const second = await chat(environment, secret, { model: 'retrying' });
    const third = await chat(environment, secret, { model: 'retrying' });

    expect([first.headers.get('x-gateway-attempts'), second.headers.get('x-gateway-attempts')]).toEqual(['2', '2']);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
  });

  it('charges the budget what the serving attempt cost, not the failed one', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'retry-spend' }, { max_budget: 10, budget_duration: '30d' });

    const response = await chat(environment, secret, { model: 'retrying', max_tokens: 5 });
    await quiescent(environment);

    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.02');
    const key = await admin<{ usage: { spend_usd: number; reserved_usd: number } }>(environment, 'GET', `/admin/keys/${keyId}`);
    expect(key.usage.spend_usd).toBeCloseTo(10 * 0.001 + 5 * 0.002, 9);
    expect(key.usage.reserved_usd).toBe(0);
  });

  it('ignores body fallbacks from a key not allowed to override routing, and says so', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'no-overrides' });

    const response = await chat(environment, secret, { model: 'solo-broken', fallbacks: ['backup'] });

    expect(response.status).toBe(503);
    expect(response.headers.get('x-gateway-ignored-params')).toBe('fallbacks');
  });

  it('honours body fallbacks from a key created with allow_routing_overrides', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'overrides' }, { allow_routing_overrides: true });

    const response = await chat(environment, secret, { model: 'solo-broken', fallbacks: ['backup'] });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('backup');
    const key = await admin<{ allow_routing_overrides?: boolean }>(environment, 'GET', `/admin/keys/${keyId}`);
    expect(key.allow_routing_overrides).toBe(true);
  });
});

describe('usage-based-routing', () => {
  let environment: TenancyEnvironment;
  beforeAll(async () => {
    environment = await startTenancyEnvironment(
      routedConfig(
        [
          deployment('quota', 'ok:quota-a', { rpm: 1, weight: 1 }),
          deployment('quota', 'ok:quota-b', { rpm: 1, weight: 0 }),
          deployment('metered-pair', 'status:503:metered-bad', { tpm: 100000, weight: 1, id: 'metered-bad' }),
          deployment('metered-pair', 'ok:metered-good', { tpm: 100000, weight: 0, id: 'metered-good' }),
        ],
        '  routing_strategy: usage-based-routing\n  num_retries: 1\n  disable_cooldowns: true',
      ),
    );
  });
  afterAll(async () => {
    await environment?.gateway.close();
  });

  it('skips a deployment at its own rpm, counted in DynamoDB, and answers 429 when every deployment is at its limit', async () => {
    const ask = () => chat(environment, MASTER_KEY, { model: 'quota' });

    const first = await ask();
    const second = await ask();
    const third = await ask();

    expect([first.body.choices?.[0]?.message.content, second.body.choices?.[0]?.message.content]).toEqual(['served by quota-a', 'served by quota-b']);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('no_deployment_available');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(upstream.requestsFor('ok:quota-a')).toHaveLength(1);
    expect(upstream.requestsFor('ok:quota-b')).toHaveLength(1);
  });

  it("counts the serving deployment's tokens toward its tpm and leaves no reservation on one that failed", async () => {
    const response = await chat(environment, MASTER_KEY, { model: 'metered-pair' });
    await quiescent(environment);

    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    const item = async (id: string) =>
      (await environment.client.send(new GetItemCommand({ TableName: environment.tables.counters, Key: { pk: { S: `SCOPE#deployment:${id}` } }, ConsistentRead: true }))).Item ?? {};
    const failed = await item('metered-bad');
    const served = await item('metered-good');
    expect(Object.keys(failed).filter((name) => name.startsWith('res_'))).toEqual([]);
    expect(Object.keys(served).filter((name) => name.startsWith('res_'))).toEqual([]);
    const tokens = Object.entries(served).find(([name]) => name.startsWith('tpm_'))?.[1]?.N;
    expect(Number(tokens)).toBe(15);
  });
});
