import { describe, expect, it, vi } from 'vitest';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { useAwsSdkOnDynamoDbLocal, useTestTables } from '../support/dynamodb-test-tables.js';

type AdminLambda = (event: unknown, context: object) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

function functionUrlEvent(method: string, path: string, options: { body?: unknown; query?: string } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'content-type': 'application/json' },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' } },
    body: options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)).toString('base64'),
    isBase64Encoded: options.body !== undefined,
  };
}

/** The handler module builds its store once per module instance, so each test loads a fresh one. */
async function loadHandler(): Promise<AdminLambda> {
  vi.resetModules();
  const module = await import('../../functions/admin/handler.js');
  return module.handler as unknown as AdminLambda;
}

describe('admin handler', () => {
  const tables = useTestTables();
  useAwsSdkOnDynamoDbLocal();

  it('answers 500 admin_misconfigured when TENANCY_TABLE is not set', async () => {
    vi.stubEnv('TENANCY_TABLE', undefined);
    const handler = await loadHandler();

    const result = await handler(functionUrlEvent('GET', '/admin/tenants'), {});

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).error.code).toBe('admin_misconfigured');
  });

  it('creates a tenant in the table when the event posts one', async () => {
    vi.stubEnv('TENANCY_TABLE', tables.names.tenancy);
    const handler = await loadHandler();

    const created = await handler(functionUrlEvent('POST', '/admin/tenants', { body: { id: 'lambda-acme', name: 'Acme' } }), {});
    const fetched = await handler(functionUrlEvent('GET', '/admin/tenants/lambda-acme'), {});

    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(JSON.parse(fetched.body)).toMatchObject({ id: 'lambda-acme', name: 'Acme' });
  });

  it('filters keys by the query string when the event has one', async () => {
    vi.stubEnv('TENANCY_TABLE', tables.names.tenancy);
    const handler = await loadHandler();
    await handler(functionUrlEvent('POST', '/admin/tenants', { body: { id: 'lambda-one', name: 'One' } }), {});
    await handler(functionUrlEvent('POST', '/admin/tenants', { body: { id: 'lambda-two', name: 'Two' } }), {});
    await handler(functionUrlEvent('POST', '/admin/keys', { body: { tenant_id: 'lambda-one' } }), {});
    const wanted = JSON.parse((await handler(functionUrlEvent('POST', '/admin/keys', { body: { tenant_id: 'lambda-two' } }), {})).body);

    const listed = await handler(functionUrlEvent('GET', '/admin/keys', { query: 'tenant_id=lambda-two' }), {});

    expect(JSON.parse(listed.body).data.map((key: { id: string }) => key.id)).toEqual([wanted.id]);
  });

  it("shows a key's spend as usage when COUNTERS_TABLE is set", async () => {
    vi.stubEnv('TENANCY_TABLE', tables.names.tenancy);
    vi.stubEnv('COUNTERS_TABLE', tables.names.counters);
    const handler = await loadHandler();
    await handler(functionUrlEvent('POST', '/admin/tenants', { body: { id: 'lambda-spend', name: 'Spend' } }), {});
    const created = await handler(functionUrlEvent('POST', '/admin/keys', { body: { tenant_id: 'lambda-spend', max_budget: 10 } }), {});
    const keyId: string = JSON.parse(created.body).id;
    // A lifetime budget: the period cannot roll over between the settlement and the read.
    const counters = createDynamoDbCounterStore({ client: tables.client, tableName: tables.names.counters });
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    const scope = `key:${keyId}`;
    await counters.admit({
      requestId: 'spend-1', nowMs, minute, reservationExpiresAtMs: nowMs + 60_000,
      scopes: [{ scope, budget: { period: 'lifetime', limitMicros: 10_000_000, reserveMicros: 3_000_000 }, settles: true }],
    });
    await counters.settle({
      requestId: 'spend-1', nowMs, minute,
      scopes: [{ scope, budget: { period: 'lifetime', reservedMicros: 3_000_000, actualMicros: 2_500_000 } }],
    });

    const fetched = await handler(functionUrlEvent('GET', `/admin/keys/${keyId}`), {});

    expect(JSON.parse(fetched.body).usage).toMatchObject({ budget_period: 'lifetime', spend_usd: 2.5, remaining_budget_usd: 7.5 });
  });
});
