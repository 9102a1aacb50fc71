import { beforeEach, describe, expect, it } from 'vitest';
import { createAdminHandler, type AdminHandler } from '../../../functions/core/admin/admin-handler.js';
import type { UsageQueryStore } from '../../../functions/core/usage/usage-query-store.js';
import { createInMemoryTenancyStore } from './in-memory-tenancy-store.js';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');

interface Answer {
  status: number;
  body: any;
}

/** An empty usage table: the requests under test are refused before any read, or find nothing. */
const emptyUsage: UsageQueryStore = {
  queryRollups: async () => [],
  queryRaw: async () => ({ items: [] }),
};

function createCaller(): (method: string, path: string, body?: unknown, query?: string) => Promise<Answer> {
  let ids = 0;
  const handle: AdminHandler = createAdminHandler({
    store: createInMemoryTenancyStore(),
    usage: emptyUsage,
    clock: { now: () => NOW },
    ids: { next: () => `id${++ids}` },
    randomSecret: () => `${++ids}`.padStart(43, 'A'),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return async (method, path, body, query) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await handle({
      method,
      path,
      ...(query === undefined ? {} : { query }),
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(text),
      signal: new AbortController().signal,
    });
    return { status: response.status, body: JSON.parse(response.body as string) };
  };
}

function expect400(answer: Answer, param: string): void {
  expect({ status: answer.status, param: answer.body.error?.param, type: answer.body.error?.type }).toEqual({
    status: 400,
    param,
    type: 'invalid_request_error',
  });
}

function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
}

/** Values written as JSON text, so that `__proto__` and lone surrogates arrive as a client sends them. */
const REFUSED_METADATA: readonly [string, string][] = [
  ['over 16 KB serialised', JSON.stringify({ blob: 'x'.repeat(16_400) })],
  ['deeper than 16 levels', nested(17)],
  ['with __proto__ nested', '{"a":{"__proto__":{"admin":true}}}'],
  ['with constructor', '{"constructor":{"prototype":{}}}'],
  ['with prototype in a list', '{"a":[{"prototype":1}]}'],
  ['with a number beyond DynamoDB (1e200)', '{"n":1e200}'],
  ['with a number below DynamoDB (1e-200)', '{"n":[1e-200]}'],
  ['with an empty key', '{"":1}'],
  ['with an unpaired surrogate', '{"a":"\\ud800"}'],
];

describe('admin handler: bounded inputs', () => {
  let call: ReturnType<typeof createCaller>;

  beforeEach(async () => {
    call = createCaller();
    await call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
  });

  it.each(REFUSED_METADATA)('answers 400 naming metadata when a tenant is created with metadata %s', async (_, metadata) => {
    const answer = await call('POST', '/admin/tenants', `{"name":"A","metadata":${metadata}}`);

    expect400(answer, 'metadata');
  });

  it.each(REFUSED_METADATA)('answers 400 naming metadata when a key is updated with metadata %s', async (_, metadata) => {
    const key = await call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await call('PATCH', `/admin/keys/${key.body.id}`, `{"metadata":${metadata}}`);

    expect400(answer, 'metadata');
  });

  it("refuses the tenant id 'master', the master key's own scope in usage and stored responses", async () => {
    const answer = await call('POST', '/admin/tenants', { id: 'master', name: 'Impostor' });

    expect400(answer, 'id');
  });

  it('keeps metadata as given when it is 16 levels deep and within 16 KB', async () => {
    const metadata = JSON.parse(nested(16));

    const answer = await call('PATCH', '/admin/tenants/acme', { metadata });

    expect(answer.body.metadata).toEqual(metadata);
  });

  it.each([
    ['max_budget', 1e308],
    ['max_budget', 1_000_000_000.5],
    ['max_budget', 1_000_000_001],
    ['max_budget', 0.1234567],
    ['end_user_max_budget', 1e308],
    ['rpm_limit', 1_000_000_001],
    ['tpm_limit', 1_000_000_000_001],
    ['max_parallel_requests', 0],
    ['max_parallel_requests', 2.5],
    ['max_parallel_requests', 100_001],
    ['max_parallel_requests', '4'],
    ['name', 'n'.repeat(257)],
    ['models', Array.from({ length: 257 }, (_, index) => `model-${index}`)],
    ['models', ['m'.repeat(257)]],
  ])('answers 400 naming %s when a tenant is updated with %j', async (field, value) => {
    const answer = await call('PATCH', '/admin/tenants/acme', { [field]: value });

    expect400(answer, field);
  });

  it('keeps a budget with 6 decimal places when one is given', async () => {
    const answer = await call('PATCH', '/admin/tenants/acme', { max_budget: 123.456789 });

    expect(answer.body.max_budget).toBe(123.456789);
  });

  it.each([['2030-02-31T00:00:00Z'], ['2030-01-01T24:00:00Z'], ['2030-01-01T10:00:00+24:00'], ['2030-13-01']])(
    'answers 400 naming expires_at when it is %s',
    async (expiresAt) => {
      const answer = await call('POST', '/admin/keys', { tenant_id: 'acme', expires_at: expiresAt });

      expect400(answer, 'expires_at');
    },
  );

  it('answers 400 naming duration when it ends after the year 9999', async () => {
    const answer = await call('POST', '/admin/keys', { tenant_id: 'acme', duration: '999999w' });

    expect400(answer, 'duration');
  });

  it('answers 400 naming metadata when it nests 100,000 levels deep', async () => {
    const answer = await call('POST', '/admin/tenants', `{"name":"A","metadata":${nested(100_000)}}`);

    expect400(answer, 'metadata');
  });

  it('answers 400 naming tenant_id when the tenant reference has an unpaired surrogate', async () => {
    const answer = await call('POST', '/admin/keys', '{"tenant_id":"acme\\udc00"}');

    expect400(answer, 'tenant_id');
  });

  it('answers 400 naming cursor when the cursor is longer than any this API returns', async () => {
    const cursor = Buffer.from(JSON.stringify({ before: `2026-01-01${'x'.repeat(1200)}` })).toString('base64url');

    const answer = await call('GET', '/admin/usage/requests', undefined, `tenant_id=acme&cursor=${cursor}`);

    expect400(answer, 'cursor');
  });
});

describe('admin handler: max_parallel_requests', () => {
  let call: ReturnType<typeof createCaller>;

  beforeEach(() => {
    call = createCaller();
  });

  it('shows max_parallel_requests when a tenant is created with it', async () => {
    await call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', max_parallel_requests: 100_000 });

    const answer = await call('GET', '/admin/tenants/acme');

    expect(answer.body.max_parallel_requests).toBe(100_000);
  });

  it('shows max_parallel_requests when a key is created with it', async () => {
    await call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    const created = await call('POST', '/admin/keys', { tenant_id: 'acme', max_parallel_requests: 4 });

    const answer = await call('GET', `/admin/keys/${created.body.id}`);

    expect(answer.body.max_parallel_requests).toBe(4);
  });

  it('clears max_parallel_requests when a key is updated with null', async () => {
    await call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    const created = await call('POST', '/admin/keys', { tenant_id: 'acme', max_parallel_requests: 4 });

    const answer = await call('PATCH', `/admin/keys/${created.body.id}`, { max_parallel_requests: null });

    expect({ status: answer.status, shown: 'max_parallel_requests' in answer.body }).toEqual({ status: 200, shown: false });
  });

  it('lists max_parallel_requests after the rate limits when a tenant has every limit', async () => {
    const created = await call('POST', '/admin/tenants', { metadata: {}, max_parallel_requests: 2, rpm_limit: 1, id: 'acme', name: 'Acme' });

    expect(Object.keys(created.body)).toEqual(['id', 'name', 'rpm_limit', 'max_parallel_requests', 'metadata', 'created_at']);
  });
});
