import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminCounterReader } from '../../../functions/core/admin/admin-counter-reader.js';
import { createAdminHandler, type AdminHandler } from '../../../functions/core/admin/admin-handler.js';
import type { Logger } from '../../../functions/core/ports.js';
import type { TenancyStore } from '../../../functions/core/tenancy/tenancy-store.js';
import { everyTenantLimit } from '../../support/tenant-fixtures.js';
import { createInMemoryTenancyStore } from './in-memory-tenancy-store.js';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const DAY_MS = 86_400_000;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

interface Harness {
  call(method: string, path: string, body?: unknown, query?: string): Promise<Answer>;
  store: ReturnType<typeof createInMemoryTenancyStore>;
  logged: string[];
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function recordingLogger(lines: string[]): Logger {
  const record = (level: string) => (event: string, fields?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ level, event, ...fields }));
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

function createHarness(options: { counters?: AdminCounterReader; store?: TenancyStore } = {}): Harness {
  const store = createInMemoryTenancyStore();
  const logged: string[] = [];
  let idCounter = 0;
  let secretCounter = 0;
  const handle: AdminHandler = createAdminHandler({
    store: options.store ?? store,
    counters: options.counters,
    clock: { now: () => NOW },
    ids: { next: () => `id${++idCounter}` },
    randomSecret: () => `${String(++secretCounter).padStart(3, '0')}`.padEnd(43, 'A'),
    logger: recordingLogger(logged),
  });
  return {
    store,
    logged,
    async call(method, path, body, query) {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const response = await handle({
        method,
        path,
        query,
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(text),
        signal: new AbortController().signal,
      });
      const raw = response.body as string;
      return { status: response.status, headers: response.headers, body: raw === '' ? undefined : JSON.parse(raw) };
    },
  };
}

function expectError(answer: Answer, status: number, param: string | null, code: string | null = null): void {
  expect({ status: answer.status, param: answer.body.error.param, code: answer.body.error.code }).toEqual({ status, param, code });
  expect(answer.body.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code });
}

describe('admin handler: tenants', () => {
  let harness: Harness;

  beforeEach(() => {
    harness = createHarness();
  });

  it('creates a tenant with 201 when the body has an id and a name', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: 'acme', name: 'Acme', metadata: {}, created_at: '2026-01-01T00:00:00.000Z' });
  });

  it('answers in JSON when a tenant is created', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    expect(answer.headers['content-type']).toBe('application/json');
  });

  it('generates a tenant_ id when the body has no id', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { name: 'Acme' });

    expect(answer.body.id).toBe('tenant_id1');
  });

  it('keeps every optional field when they are all given', async () => {
    const body = { id: 'acme', name: 'Acme', ...everyTenantLimit(), metadata: { team: 'platform' } };

    const answer = await harness.call('POST', '/admin/tenants', body);

    expect(answer.body).toEqual({ ...body, created_at: '2026-01-01T00:00:00.000Z' });
  });

  it('accepts a lifetime budget when max_budget has no budget_duration', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', max_budget: 10 });

    expect(answer.status).toBe(201);
  });

  it('treats null as absent when creating a tenant', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', rpm_limit: null });

    expect(answer.body).not.toHaveProperty('rpm_limit');
  });

  it('answers 409 conflict when the tenant id is taken', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Other' });

    expectError(answer, 409, 'id', 'conflict');
  });

  it('answers 400 naming name when the name is missing', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme' });

    expectError(answer, 400, 'name');
  });

  it.each([['Acme'], ['-acme'], ['a'.repeat(64)], ['acme corp'], [42]])(
    'answers 400 naming id when the id is %j',
    async (id) => {
      const answer = await harness.call('POST', '/admin/tenants', { id, name: 'Acme' });

      expectError(answer, 400, 'id');
    },
  );

  it.each([
    ['name', ''],
    ['name', 7],
    ['max_budget', -1],
    ['max_budget', '10'],
    ['max_budget', '1e999'],
    ['budget_duration', '2d'],
    ['rpm_limit', 0],
    ['rpm_limit', 1.5],
    ['tpm_limit', -100],
    ['models', 'gpt-4o'],
    ['models', ['']],
    ['models', [1]],
    ['end_user_max_budget', -0.5],
    ['metadata', []],
    ['metadata', 'team'],
  ])('answers 400 naming %s when it is %j', async (field, value) => {
    // '1e999' stands for a JSON number that parses to Infinity.
    const body = value === '1e999'
      ? `{"id":"acme","name":"Acme","${field}":1e999}`
      : { id: 'acme', name: 'Acme', [field]: value };

    const answer = await harness.call('POST', '/admin/tenants', body);

    expectError(answer, 400, field);
  });

  it('answers 400 naming the field when the body has an unknown field', async () => {
    const answer = await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', budget: 5 });

    expectError(answer, 400, 'budget');
  });

  it('answers 400 when the body is not JSON', async () => {
    const answer = await harness.call('POST', '/admin/tenants', '{"id":');

    expectError(answer, 400, null);
  });

  it('answers 400 when the body is a JSON array', async () => {
    const answer = await harness.call('POST', '/admin/tenants', '[]');

    expectError(answer, 400, null);
  });

  it('answers 400 when the body is empty', async () => {
    const answer = await harness.call('POST', '/admin/tenants');

    expectError(answer, 400, null);
  });

  it('lists the tenants in an OpenAI list object when asked for all tenants', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'beta', name: 'Beta' });
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('GET', '/admin/tenants');

    expect(answer.status).toBe(200);
    expect(answer.body.object).toBe('list');
    expect(answer.body.data.map((tenant: { id: string }) => tenant.id)).toEqual(['acme', 'beta']);
  });

  it('answers 400 when the tenant list is asked with a query parameter', async () => {
    const answer = await harness.call('GET', '/admin/tenants', undefined, 'limit=5');

    expectError(answer, 400, 'limit');
  });

  it('returns the tenant when it is asked for by id', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', rpm_limit: 60 });

    const answer = await harness.call('GET', '/admin/tenants/acme');

    expect(answer.body).toMatchObject({ id: 'acme', name: 'Acme', rpm_limit: 60 });
  });

  it('answers 404 not_found when the tenant does not exist', async () => {
    const answer = await harness.call('GET', '/admin/tenants/nobody');

    expectError(answer, 404, null, 'not_found');
  });

  it('changes only the given fields when a tenant is patched', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', rpm_limit: 60, tpm_limit: 1000 });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { rpm_limit: 120 });

    expect(answer.body).toMatchObject({ id: 'acme', name: 'Acme', rpm_limit: 120, tpm_limit: 1000 });
  });

  it('stores the patch when a tenant is patched', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    await harness.call('PATCH', '/admin/tenants/acme', { name: 'Acme Corp' });

    expect((await harness.store.getTenant('acme'))?.name).toBe('Acme Corp');
  });

  it('clears an optional field when a tenant patch sets it to null', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', models: ['demo'] });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { models: null });

    expect(answer.body).not.toHaveProperty('models');
  });

  it('empties the metadata when a tenant patch sets it to null', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme', metadata: { a: 1 } });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { metadata: null });

    expect(answer.body.metadata).toEqual({});
  });

  it('answers 400 naming id when a tenant patch changes the id', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { id: 'other' });

    expectError(answer, 400, 'id');
  });

  it('answers 400 naming name when a tenant patch sets the name to null', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { name: null });

    expectError(answer, 400, 'name');
  });

  it('answers 400 naming the field when a tenant patch has an invalid value', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('PATCH', '/admin/tenants/acme', { tpm_limit: 'lots' });

    expectError(answer, 400, 'tpm_limit');
  });

  it('answers 404 not_found when the patched tenant does not exist', async () => {
    const answer = await harness.call('PATCH', '/admin/tenants/nobody', { name: 'X' });

    expectError(answer, 404, null, 'not_found');
  });

  it('deletes the tenant and says so when it has no keys', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });

    const answer = await harness.call('DELETE', '/admin/tenants/acme');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: 'acme', deleted: true });
    expect(await harness.store.getTenant('acme')).toBeUndefined();
  });

  it('deletes a tenant whose keys are all revoked', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    const key = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });
    await harness.call('POST', `/admin/keys/${(key.body as { id: string }).id}/revoke`);

    const answer = await harness.call('DELETE', '/admin/tenants/acme');

    expect(answer.status).toBe(200);
    expect(await harness.store.getTenant('acme')).toBeUndefined();
  });

  it('answers 409 conflict when the deleted tenant still has active keys', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('DELETE', '/admin/tenants/acme');

    expectError(answer, 409, null, 'conflict');
    expect(await harness.store.getTenant('acme')).toMatchObject({ id: 'acme' });
  });

  it('answers 404 not_found when the deleted tenant does not exist', async () => {
    const answer = await harness.call('DELETE', '/admin/tenants/nobody');

    expectError(answer, 404, null, 'not_found');
  });
});

describe('admin handler: keys', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = createHarness();
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
  });

  it('creates a key with 201 and returns its sk-gw- secret when the tenant exists', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', name: 'ci' });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ id: 'key_id1', tenant_id: 'acme', name: 'ci', status: 'active', metadata: {} });
    expect(answer.body.key).toMatch(/^sk-gw-[A-Za-z0-9_-]{43}$/);
  });

  it('puts id and then key first when a key is created', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    expect(Object.keys(answer.body).slice(0, 2)).toEqual(['id', 'key']);
  });

  it('returns no key_hash when a key is created', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    expect(answer.body).not.toHaveProperty('key_hash');
  });

  it('shows the first characters of the secret as key_prefix when a key is created', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    expect(answer.body.key_prefix).toBe(answer.body.key.slice(0, 10));
  });

  it('stores only the SHA-256 of the secret when a key is created', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const stored = await harness.store.getKey(answer.body.id);
    expect(stored?.key_hash).toBe(sha256Hex(answer.body.key));
    expect(JSON.stringify(stored)).not.toContain(answer.body.key);
  });

  it('makes the key findable by its hash when a key is created', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const found = await harness.store.findKeyByHash(sha256Hex(answer.body.key));
    expect(found?.key.id).toBe(answer.body.id);
  });

  it('keeps the limits when they are all given', async () => {
    const limits = {
      name: 'ci',
      models: ['demo'],
      max_budget: 50,
      budget_duration: '30d',
      rpm_limit: 60,
      tpm_limit: 10000,
      metadata: { owner: 'ci' },
    };

    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', ...limits });

    expect(answer.body).toMatchObject(limits);
  });

  it('answers 400 naming tenant_id when it is missing', async () => {
    const answer = await harness.call('POST', '/admin/keys', { name: 'ci' });

    expectError(answer, 400, 'tenant_id');
  });

  it('answers 400 naming tenant_id when it is not a string', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 7 });

    expectError(answer, 400, 'tenant_id');
  });

  it('answers 404 not_found naming tenant_id when the tenant does not exist', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'nobody' });

    expectError(answer, 404, 'tenant_id', 'not_found');
  });

  it('normalises expires_at to UTC when it is in the future', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', expires_at: '2026-06-01T02:00:00+02:00' });

    expect(answer.body.expires_at).toBe('2026-06-01T00:00:00.000Z');
  });

  it('answers 400 naming expires_at when it is in the past', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', expires_at: '2025-12-31T23:59:59Z' });

    expectError(answer, 400, 'expires_at');
  });

  it.each([['next week'], ['2026-13-45T00:00:00Z'], ['1767225600'], [1767225600000]])(
    'answers 400 naming expires_at when it is %j',
    async (expiresAt) => {
      const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', expires_at: expiresAt });

      expectError(answer, 400, 'expires_at');
    },
  );

  it('sets expires_at from now when a duration is given', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', duration: '30d' });

    expect(answer.body.expires_at).toBe(new Date(NOW + 30 * DAY_MS).toISOString());
    expect(answer.body).not.toHaveProperty('duration');
  });

  it('counts hours when the duration is 12h', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', duration: '12h' });

    expect(answer.body.expires_at).toBe('2026-01-01T12:00:00.000Z');
  });

  it.each([['30x'], ['0d'], ['d'], [30]])('answers 400 naming duration when it is %j', async (duration) => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', duration });

    expectError(answer, 400, 'duration');
  });

  it('answers 400 naming duration when expires_at is given too', async () => {
    const answer = await harness.call('POST', '/admin/keys', {
      tenant_id: 'acme',
      expires_at: '2027-01-01T00:00:00Z',
      duration: '30d',
    });

    expectError(answer, 400, 'duration');
  });

  it.each([
    ['name', ''],
    ['models', [' ']],
    ['max_budget', -5],
    ['budget_duration', '1w'],
    ['rpm_limit', '60'],
    ['tpm_limit', 0],
    ['metadata', 5],
  ])('answers 400 naming %s when a new key has it as %j', async (field, value) => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', [field]: value });

    expectError(answer, 400, field);
  });

  it('answers 400 naming the field when a new key has an unknown field', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', team: 'x' });

    expectError(answer, 400, 'team');
  });

  it('answers 400 naming status when a new key sets its status', async () => {
    const answer = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', status: 'revoked' });

    expectError(answer, 400, 'status');
  });

  it('answers 400 when a new key has no JSON body', async () => {
    const answer = await harness.call('POST', '/admin/keys', 'tenant_id=acme');

    expectError(answer, 400, null);
  });

  it('lists every key without hashes or secrets when asked for all keys', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('GET', '/admin/keys');

    expect(answer.body.object).toBe('list');
    expect(answer.body.data).toHaveLength(1);
    expect(answer.body.data[0]).not.toHaveProperty('key_hash');
    expect(JSON.stringify(answer.body)).not.toContain(created.body.key);
  });

  it('lists only the tenant\'s keys when tenant_id is in the query', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'beta', name: 'Beta' });
    await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });
    await harness.call('POST', '/admin/keys', { tenant_id: 'beta' });

    const answer = await harness.call('GET', '/admin/keys', undefined, 'tenant_id=beta');

    expect(answer.body.data.map((key: { tenant_id: string }) => key.tenant_id)).toEqual(['beta']);
  });

  it('reads the query from the path when the request has no separate query', async () => {
    await harness.call('POST', '/admin/tenants', { id: 'beta', name: 'Beta' });
    await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('GET', '/admin/keys?tenant_id=beta');

    expect(answer.body.data).toEqual([]);
  });

  it('answers 404 naming tenant_id when the listed tenant does not exist', async () => {
    const answer = await harness.call('GET', '/admin/keys', undefined, 'tenant_id=nobody');

    expectError(answer, 404, 'tenant_id', 'not_found');
  });

  it('answers 400 naming the parameter when the key list has an unknown query parameter', async () => {
    const answer = await harness.call('GET', '/admin/keys', undefined, 'tenant=acme');

    expectError(answer, 400, 'tenant');
  });

  it('returns the key without hash or secret when it is asked for by id', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', name: 'ci' });

    const answer = await harness.call('GET', `/admin/keys/${created.body.id}`);

    expect(answer.body).toMatchObject({ id: created.body.id, name: 'ci', tenant_id: 'acme' });
    expect(answer.body).not.toHaveProperty('key_hash');
    expect(answer.body).not.toHaveProperty('key');
  });

  it('omits usage when no counter reader is given', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('GET', `/admin/keys/${created.body.id}`);

    expect(answer.body).not.toHaveProperty('usage');
  });

  it('adds the counter reader\'s usage when one is given', async () => {
    const readKeyUsage = vi.fn(async () => ({ spend: 1.25, requests_this_minute: 3 }));
    const withCounters = createHarness({ counters: { readKeyUsage } });
    await withCounters.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    const created = await withCounters.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await withCounters.call('GET', `/admin/keys/${created.body.id}`);

    expect(answer.body.usage).toEqual({ spend: 1.25, requests_this_minute: 3 });
    expect(readKeyUsage).toHaveBeenCalledWith(
      expect.objectContaining({ id: created.body.id }),
      expect.objectContaining({ id: 'acme' }),
    );
  });

  it('answers 404 not_found when the key does not exist', async () => {
    const answer = await harness.call('GET', '/admin/keys/key_nope');

    expectError(answer, 404, null, 'not_found');
  });

  it('changes only the given fields when a key is patched', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', name: 'ci', rpm_limit: 60 });

    const answer = await harness.call('PATCH', `/admin/keys/${created.body.id}`, { rpm_limit: 120 });

    expect(answer.body).toMatchObject({ name: 'ci', rpm_limit: 120, status: 'active' });
    expect(answer.body).not.toHaveProperty('key_hash');
  });

  it('keeps the secret working when a key is patched', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    await harness.call('PATCH', `/admin/keys/${created.body.id}`, { name: 'renamed' });

    const found = await harness.store.findKeyByHash(sha256Hex(created.body.key));
    expect(found?.key.name).toBe('renamed');
  });

  it('clears expires_at when a key patch sets it to null', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', duration: '1d' });

    const answer = await harness.call('PATCH', `/admin/keys/${created.body.id}`, { expires_at: null });

    expect(answer.body).not.toHaveProperty('expires_at');
  });

  it.each([['tenant_id', 'beta'], ['status', 'active'], ['key_hash', 'abc'], ['rpm_limit', -1]])(
    'answers 400 naming %s when a key patch sets it',
    async (field, value) => {
      const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

      const answer = await harness.call('PATCH', `/admin/keys/${created.body.id}`, { [field]: value });

      expectError(answer, 400, field);
    },
  );

  it('answers 404 without echoing it when a secret is passed where the key id belongs', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('GET', `/admin/keys/${created.body.key}`);

    expectError(answer, 404, null, 'not_found');
    expect(JSON.stringify(answer.body)).not.toContain(created.body.key);
  });

  it('answers 404 not_found when the patched key does not exist', async () => {
    const answer = await harness.call('PATCH', '/admin/keys/key_nope', { name: 'x' });

    expectError(answer, 404, null, 'not_found');
  });

  it('marks the key revoked when it is revoked', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const answer = await harness.call('POST', `/admin/keys/${created.body.id}/revoke`);

    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('revoked');
    expect((await harness.store.getKey(created.body.id))?.status).toBe('revoked');
  });

  it('answers 404 not_found when the revoked key does not exist', async () => {
    const answer = await harness.call('POST', '/admin/keys/key_nope/revoke');

    expectError(answer, 404, null, 'not_found');
  });

  it('returns a new secret with the same id and limits when a key is rotated', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', rpm_limit: 60, name: 'ci' });

    const answer = await harness.call('POST', `/admin/keys/${created.body.id}/rotate`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: created.body.id, rpm_limit: 60, name: 'ci' });
    expect(answer.body.key).toMatch(/^sk-gw-[A-Za-z0-9_-]{43}$/);
    expect(answer.body.key).not.toBe(created.body.key);
    expect(answer.body).not.toHaveProperty('key_hash');
  });

  it('stops the old secret and starts the new one when a key is rotated', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });

    const rotated = await harness.call('POST', `/admin/keys/${created.body.id}/rotate`);

    expect(await harness.store.findKeyByHash(sha256Hex(created.body.key))).toBeUndefined();
    expect((await harness.store.findKeyByHash(sha256Hex(rotated.body.key)))?.key.id).toBe(created.body.id);
  });

  it('answers 409 conflict when a revoked key is rotated', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });
    await harness.call('POST', `/admin/keys/${created.body.id}/revoke`);

    const answer = await harness.call('POST', `/admin/keys/${created.body.id}/rotate`);

    expectError(answer, 409, null, 'conflict');
  });

  it('answers 404 not_found when the rotated key does not exist', async () => {
    const answer = await harness.call('POST', '/admin/keys/key_nope/rotate');

    expectError(answer, 404, null, 'not_found');
  });

  it('logs no secret and no hash when keys are created, rotated and revoked', async () => {
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme' });
    const rotated = await harness.call('POST', `/admin/keys/${created.body.id}/rotate`);
    await harness.call('POST', `/admin/keys/${created.body.id}/revoke`);

    const log = harness.logged.join('\n');

    expect(harness.logged.length).toBeGreaterThanOrEqual(3);
    for (const secret of [created.body.key, rotated.body.key]) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(sha256Hex(secret));
    }
  });
});

describe('admin handler: routing and failures', () => {
  it('answers 405 with an Allow header when the method is wrong', async () => {
    const harness = createHarness();

    const answer = await harness.call('DELETE', '/admin/keys');

    expectError(answer, 405, null, 'method_not_allowed');
    expect(answer.headers['allow']).toBe('GET, POST');
  });

  it.each([['/admin/users'], ['/admin'], ['/v1/chat/completions'], ['/admin/keys/a/b/c']])(
    'answers 404 unknown_url when the path is %s',
    async (path) => {
      const harness = createHarness();

      const answer = await harness.call('GET', path);

      expectError(answer, 404, null, 'unknown_url');
    },
  );

  it('serves the route when the path ends with a slash', async () => {
    const harness = createHarness();

    const answer = await harness.call('GET', '/admin/tenants/');

    expect(answer.status).toBe(200);
  });

  it('decodes percent-encoded ids when a path names one', async () => {
    const harness = createHarness();
    await harness.call('POST', '/admin/tenants', { id: 'acme_1', name: 'Acme' });

    const answer = await harness.call('GET', '/admin/tenants/acme%5F1');

    expect(answer.body.id).toBe('acme_1');
  });

  it('answers 404 without asking the store when an id is longer than any issued id', async () => {
    const getKey = vi.fn(async () => undefined);
    const harness = createHarness({ store: { ...createInMemoryTenancyStore(), getKey } });

    const answer = await harness.call('GET', `/admin/keys/key_${'x'.repeat(300)}`);

    expectError(answer, 404, null, 'not_found');
    expect(getKey).not.toHaveBeenCalled();
  });

  it('answers 500 without details when the store fails', async () => {
    const failing = { ...createInMemoryTenancyStore(), listTenants: async () => { throw new Error('table gone'); } };
    const harness = createHarness({ store: failing });

    const answer = await harness.call('GET', '/admin/tenants');

    expect(answer.status).toBe(500);
    expect(answer.body.error).toMatchObject({ type: 'server_error', code: 'internal_error' });
    expect(JSON.stringify(answer.body)).not.toContain('table gone');
  });

  it('redacts secrets and hashes from the log line when the store fails with them in its message', async () => {
    const secret = `sk-gw-${'Z'.repeat(43)}`;
    const failing = {
      ...createInMemoryTenancyStore(),
      listTenants: async () => { throw new Error(`bad item ${secret} ${sha256Hex(secret)}`); },
    };
    const harness = createHarness({ store: failing });

    await harness.call('GET', '/admin/tenants');

    const log = harness.logged.join('\n');
    expect(log).toContain('admin_unhandled_error');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(sha256Hex(secret));
  });
});

describe('admin handler: field order', () => {
  it('shows a key\'s fields in a fixed order when the store returns them shuffled', async () => {
    const inner = createInMemoryTenancyStore();
    const shuffled = {
      ...inner,
      getKey: async (id: string) => {
        const key = await inner.getKey(id);
        return key && (Object.fromEntries(Object.entries(key).reverse()) as typeof key);
      },
    };
    const harness = createHarness({ store: shuffled });
    await harness.call('POST', '/admin/tenants', { id: 'acme', name: 'Acme' });
    const created = await harness.call('POST', '/admin/keys', { tenant_id: 'acme', name: 'ci', rpm_limit: 5 });

    const answer = await harness.call('GET', `/admin/keys/${created.body.id}`);

    expect(Object.keys(answer.body)).toEqual(['id', 'tenant_id', 'name', 'key_prefix', 'status', 'rpm_limit', 'metadata', 'created_at']);
  });
});
