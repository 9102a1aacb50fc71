import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdminHandler, type AdminHandler } from '../../functions/core/admin/admin-handler.js';
import type { Logger } from '../../functions/core/ports.js';
import { createDynamoDbAdminCounterReader } from '../../functions/platform/dynamodb/dynamodb-admin-counter-reader.js';
import { createDynamoDbTenancyStore } from '../../functions/platform/dynamodb/dynamodb-tenancy-store.js';
import { createDynamoDbUsageQueryStore } from '../../functions/platform/dynamodb/dynamodb-usage-query-store.js';
import { useTestTables, useTestUsageTable } from '../support/dynamodb-test-tables.js';

/**
 * Arbitrary JSON in any field of the admin API's bodies, and arbitrary query strings, against
 * the real DynamoDB tenancy store (DynamoDB Local), so that a value the table cannot hold
 * (a number out of DynamoDB's range, an item over 400 KB, …) is caught: every answer is a
 * 2xx or a 4xx, never a 500 or an exception, and what was accepted reads back unchanged.
 */

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const TENANT_FIELDS = ['id', 'name', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'models', 'end_user_max_budget', 'max_parallel_requests', 'metadata'];
const KEY_FIELDS = [
  'tenant_id', 'name', 'models', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'expires_at', 'duration',
  'allow_routing_overrides', 'max_parallel_requests', 'metadata',
];
const USAGE_PARAMETERS = ['tenant_id', 'key_id', 'model', 'end_user', 'run_id', 'from', 'to', 'group_by', 'limit', 'cursor'];
const RUNS = 150;

/** Any UTF-16 code unit, lone surrogates included (JSON carries them as `\ud800`). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyText = fc.string({ unit: fc.oneof(codeUnit, fc.constantFrom('a', '-', '_', '0')), maxLength: 40 });

/** Values JSON can carry that a careless or hostile client sends on purpose, written as JSON text. */
const HOSTILE_JSON = [
  '1e308', '-1e308', '1e-200', '5e-324', '9007199254740993', '1e21', '0.1234567', '-0', '1e9', '1000000000.5',
  '"2030-02-31"', '"2030-01-01T24:00:00Z"', '"9999-12-31T23:59:59-23:59"', '"999999w"', '"1d"', '"30d"',
  '{"__proto__":{"admin":true}}', '{"a":{"constructor":{"prototype":1}}}', '{"prototype":1}', '{"":1}', '{"a":""}',
  '["a",""]', '"\\ud800"', '{"\\udfff":1}', '{"n":1e200}', '{"n":1e-140}', '{"n":[1e130]}',
];
const hostileValue = fc.constantFrom(...HOSTILE_JSON).map((text) => JSON.parse(text) as unknown);
const deepValue = fc.integer({ min: 1, max: 60 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown);
const bigValue = fc.constantFrom(
  () => 'x'.repeat(450_000),
  () => ({ blob: 'x'.repeat(20_000) }),
  () => Array.from({ length: 5_000 }, (_, index) => `model-${index}`),
  () => Object.fromEntries(Array.from({ length: 3_000 }, (_, index) => [`k${index}`, index])),
).map((make) => make() as unknown);
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: fc.oneof(codeUnit, fc.constantFrom('a', '_')) }) },
  { weight: 3, arbitrary: hostileValue },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: bigValue },
  { weight: 2, arbitrary: anyText },
);

/** A value that passes each field's validation, so that a body reaches the store unless its fuzzed field is refused. */
const VALID: Readonly<Record<string, unknown>> = {
  name: 'Name', max_budget: 5, budget_duration: '1d', rpm_limit: 10, tpm_limit: 1000, models: ['gpt-4o'], end_user_max_budget: 1,
  max_parallel_requests: 4, metadata: { team: 'ml' }, expires_at: '2030-01-01T00:00:00Z', allow_routing_overrides: true,
};

/** Values shaped like what the fields expect (an object, a list of names, a number), with arbitrary insides. */
const nearlyValid: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(anyText, fieldValue, { maxKeys: 4 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a'), fieldValue, { maxKeys: 2 }),
  fc.array(anyText, { maxLength: 4 }),
  fc.double(),
  fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, 2 ** 53 - 1, 1e12, 1e15, 100_001, 1_000_000_001)),
);

/**
 * A body of valid values for some fields and an arbitrary value in one of them (now and then
 * an unknown field too), so that each field's validation, not another's, decides the answer.
 */
function bodyOf(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      others: fc.subarray(fields.filter((field) => field in VALID)),
      fuzzed: fc.constantFrom(...fields),
      value: fc.oneof(fieldValue, nearlyValid),
      // Mostly absent: an unknown field is refused, and the read-back checks need accepted bodies.
      unknown: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyText }),
    })
    .map(({ others, fuzzed, value, unknown }) => {
      const body: Record<string, unknown> = {};
      const set = (field: string, fieldValue: unknown) =>
        Object.defineProperty(body, field, { value: fieldValue, enumerable: true, configurable: true, writable: true });
      for (const field of others) if (field !== 'expires_at' || fuzzed !== 'duration') set(field, VALID[field]);
      set(fuzzed, value);
      if (unknown !== null) set(unknown, 1);
      return body;
    });
}

function silentLogger(errors: string[]): Logger {
  return { info: () => undefined, warn: () => undefined, error: (event, fields) => void errors.push(JSON.stringify({ event, ...fields })) };
}

describe('admin API input properties', () => {
  const tables = useTestTables();
  const usageTable = useTestUsageTable();
  const errors: string[] = [];
  let handle: AdminHandler;
  let keyId: string;
  let sequence = 0;

  async function call(method: string, path: string, body?: unknown, query?: string) {
    const response = await handle({
      method,
      path,
      ...(query === undefined ? {} : { query }),
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body)),
      signal: new AbortController().signal,
    });
    return { status: response.status, body: JSON.parse(response.body as string) as Record<string, any> };
  }

  /** Never a 5xx; a refusal is OpenAI-shaped and names a parameter. */
  function expectNoServerError(answer: { status: number; body: Record<string, any> }): void {
    expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBeLessThan(500);
    if (answer.status >= 400) expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', message: expect.any(String) });
  }

  beforeAll(async () => {
    let secrets = 0;
    handle = createAdminHandler({
      store: createDynamoDbTenancyStore({ client: tables.client, tableName: tables.names.tenancy }),
      counters: createDynamoDbAdminCounterReader({ client: tables.client, tableName: tables.names.counters, clock: { now: () => NOW } }),
      usage: createDynamoDbUsageQueryStore({ client: usageTable.client, tableName: usageTable.tableName }),
      clock: { now: () => NOW },
      ids: { next: () => `p${++sequence}` },
      randomSecret: () => `${++secrets}`.padStart(43, 'A'),
      logger: silentLogger(errors),
    });
    await call('POST', '/admin/tenants', { id: 'prop', name: 'Properties' });
    keyId = (await call('POST', '/admin/keys', { tenant_id: 'prop' })).body.id;
  });

  beforeEach(() => {
    errors.length = 0;
  });

  it('never answers 5xx and reads back what it accepted when a tenant is created with arbitrary fields', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(TENANT_FIELDS), async (body) => {
        const created = await call('POST', '/admin/tenants', { ...body, id: `t${++sequence}` });

        expectNoServerError(created);
        if (created.status === 201) expect((await call('GET', `/admin/tenants/${created.body.id}`)).body).toEqual(created.body);
      }),
      { numRuns: RUNS },
    );
    expect(errors).toEqual([]);
  });

  it('never answers 5xx and reads back what it accepted when a tenant is updated with arbitrary fields', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(TENANT_FIELDS.filter((field) => field !== 'id')), async (body) => {
        const updated = await call('PATCH', '/admin/tenants/prop', body);

        expectNoServerError(updated);
        if (updated.status === 200) expect((await call('GET', '/admin/tenants/prop')).body).toEqual(updated.body);
      }),
      { numRuns: RUNS },
    );
    expect(errors).toEqual([]);
  });

  it('never answers 5xx and reads back what it accepted when a key is created with arbitrary fields', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(KEY_FIELDS), fc.boolean(), async (body, ownTenant) => {
        const created = await call('POST', '/admin/keys', ownTenant ? { ...body, tenant_id: 'prop' } : body);

        expectNoServerError(created);
        if (created.status === 201) {
          const { key: _secret, ...shown } = created.body;
          expect((await call('GET', `/admin/keys/${created.body.id}`)).body).toMatchObject(shown);
        }
      }),
      { numRuns: RUNS },
    );
    expect(errors).toEqual([]);
  });

  it('never answers 5xx and reads back what it accepted when a key is updated with arbitrary fields', async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(KEY_FIELDS.filter((field) => field !== 'tenant_id')), async (body) => {
        const updated = await call('PATCH', `/admin/keys/${keyId}`, body);

        expectNoServerError(updated);
        if (updated.status === 200) expect((await call('GET', `/admin/keys/${keyId}`)).body).toMatchObject(updated.body);
      }),
      { numRuns: RUNS },
    );
    expect(errors).toEqual([]);
  });

  it('never answers 5xx when the usage queries get arbitrary query strings', async () => {
    const parameter = fc.tuple(fc.oneof(fc.constantFrom(...USAGE_PARAMETERS), anyText), fc.oneof(anyText, hostileValue.map(String)));
    const query = fc.oneof(
      fc.array(parameter, { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString()),
      fc.string({ unit: fc.constantFrom('%', 'e', 'd', '0', '=', '&', 'f', 'r', 'o', 'm', 'a', '_', '-', 'T', ':', '2'), maxLength: 40 }),
    );

    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/admin/usage', '/admin/usage/requests'), query, async (path, text) => {
        expectNoServerError(await call('GET', path, undefined, text));
      }),
      { numRuns: RUNS },
    );
    expect(errors).toEqual([]);
  });
});
