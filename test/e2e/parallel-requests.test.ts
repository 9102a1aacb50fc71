/**
 * max_parallel_requests end to end: the official openai client against the local gateway, with
 * tenants, keys and counters in DynamoDB Local (the store every Lambda instance shares) and a
 * fake upstream that can hold a request open until its client leaves.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { admin, eventually, startTenancyEnvironment, type TenancyEnvironment } from './tenancy-setup.js';

let upstream: FakeUpstream;
let environment: TenancyEnvironment;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const deployment = (name: string, model: string) => `  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${upstream.baseUrl}
      api_key: sk-parallel-provider-key-0001`;
  environment = await startTenancyEnvironment(`
model_list:
${deployment('held', 'hang')}
${deployment('streamed-held', 'hang-before-first-token')}
${deployment('fine', 'ok')}
${deployment('refused', 'status:400')}
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  key_cache_ttl_seconds: 30
`);
});
afterAll(async () => {
  await environment?.gateway.close();
  await upstream?.close();
});

let sequence = 0;

/** A tenant with `max_parallel_requests` (written through the store, as the admin API would) and an openai client on one of its keys. */
async function tenantClient(maxParallelRequests: number): Promise<{ tenantId: string; client: OpenAI }> {
  const tenantId = `parallel-${++sequence}-${Date.now()}`;
  await environment.tenancy.store.createTenant({ id: tenantId, name: tenantId, max_parallel_requests: maxParallelRequests, metadata: {}, created_at: new Date().toISOString() });
  const key = await admin<{ key: string }>(environment, 'POST', '/admin/keys', { tenant_id: tenantId });
  return { tenantId, client: new OpenAI({ baseURL: `${environment.gateway.url}/v1`, apiKey: key.key, maxRetries: 0 }) };
}

const ask = (client: OpenAI, model: string, signal?: AbortSignal) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { signal });

/** Starts `count` requests the upstream holds open, and resolves once the upstream has them all (they are admitted and in flight). */
async function holdRequests(client: OpenAI, count: number, model = 'held'): Promise<{ abort: () => void; settled: Promise<unknown> }> {
  const upstreamModel = model === 'held' ? 'hang' : 'hang-before-first-token';
  const before = upstream.requestsFor(upstreamModel).length;
  const controller = new AbortController();
  const requests =
    model === 'held'
      ? Array.from({ length: count }, () => ask(client, model, controller.signal))
      : Array.from({ length: count }, () => client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal }));
  const settled = Promise.allSettled(requests);
  await eventually(async () => expect(upstream.requestsFor(upstreamModel).length).toBe(before + count));
  return { abort: () => controller.abort(), settled };
}

async function inFlight(tenantId: string): Promise<number> {
  const response = await environment.client.send(
    new GetItemCommand({ TableName: environment.tables.counters, Key: { pk: { S: `SCOPE#tenant:${tenantId}` } }, ConsistentRead: true }),
  );
  return Number(response.Item?.['in_flight']?.N ?? 0);
}

const slotsFreed = (tenantId: string) => eventually(async () => expect(await inFlight(tenantId)).toBe(0));

describe('max_parallel_requests', () => {
  it("refuses tenant A's third concurrent request with 429 while tenant B's request is admitted", async () => {
    const a = await tenantClient(2);
    const b = await tenantClient(2);
    const held = await holdRequests(a.client, 2);

    const third = await ask(a.client, 'fine').catch((error: unknown) => error);
    const other = await ask(b.client, 'fine');

    expect(third).toBeInstanceOf(OpenAI.RateLimitError);
    expect(third).toMatchObject({ status: 429, code: 'parallel_request_limit_reached' });
    expect((third as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('1');
    expect((third as Error).message).toContain(`tenant ${a.tenantId}: at most 2 requests in flight`);
    expect(other.choices[0]?.message.content).toBe('served by ok');
    held.abort();
    await held.settled;
  });

  it('frees the slots when the clients of held requests disconnect', async () => {
    const a = await tenantClient(2);
    const held = await holdRequests(a.client, 2);

    held.abort();
    await held.settled;
    await slotsFreed(a.tenantId);
    const next = await ask(a.client, 'fine');

    expect(next.choices[0]?.message.content).toBe('served by ok');
  });

  it('frees the slots when the clients of held streams disconnect before the first token', async () => {
    const a = await tenantClient(2);
    const held = await holdRequests(a.client, 2, 'streamed-held');

    held.abort();
    await held.settled;
    await slotsFreed(a.tenantId);
    const next = await ask(a.client, 'fine');

    expect(next.choices[0]?.message.content).toBe('served by ok');
  });

  it('frees the slots after successful responses', async () => {
    const a = await tenantClient(2);
    await Promise.all([ask(a.client, 'fine'), ask(a.client, 'fine')]);

    await slotsFreed(a.tenantId);
    const held = await holdRequests(a.client, 2);

    expect(await inFlight(a.tenantId)).toBe(2);
    held.abort();
    await held.settled;
  });

  it('frees the slots after upstream errors', async () => {
    const a = await tenantClient(2);
    const failures = await Promise.all([ask(a.client, 'refused').catch((error: unknown) => error), ask(a.client, 'refused').catch((error: unknown) => error)]);

    await slotsFreed(a.tenantId);
    const held = await holdRequests(a.client, 2);

    expect(failures.map((failure) => (failure as { status?: number }).status)).toEqual([400, 400]);
    expect(await inFlight(a.tenantId)).toBe(2);
    held.abort();
    await held.settled;
  });

  it('reclaims the slots of an instance that died once their markers expire', async () => {
    const a = await tenantClient(2);
    // Two requests admitted by an instance that then died: counted, never settled.
    for (const requestId of ['dead-1', 'dead-2']) {
      await environment.tenancy.counters.admit({
        requestId: `${a.tenantId}-${requestId}`,
        nowMs: environment.clock.now(),
        minute: Math.floor(environment.clock.now() / 60_000),
        reservationExpiresAtMs: environment.clock.now() + 1_000,
        scopes: [{ scope: `tenant:${a.tenantId}`, parallelLimit: 2, settles: true }],
      });
    }
    const whileHeld = await ask(a.client, 'fine').catch((error: unknown) => error);

    environment.clock.advance(2_000);
    const afterExpiry = await ask(a.client, 'fine');

    expect(whileHeld).toMatchObject({ status: 429, code: 'parallel_request_limit_reached' });
    expect(afterExpiry.choices[0]?.message.content).toBe('served by ok');
  });
});
