import { beforeAll, describe, expect, it } from 'vitest';
import { admitRequest, type AdmissionRequest, type AdmissionSettings } from '../../../functions/core/admission/admission.js';
import type { CounterStore } from '../../../functions/core/admission/counter-store.js';
import { settleRequest } from '../../../functions/core/admission/settlement.js';
import type { Principal } from '../../../functions/core/auth/key-store.js';
import type { GatewayError } from '../../../functions/core/errors.js';
import type { Pricing } from '../../../functions/core/pricing/cost.js';
import type { Tenant, VirtualKey } from '../../../functions/core/tenancy/tenancy-types.js';
import { createDynamoDbCounterStore } from '../../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { useTestTables } from '../../support/dynamodb-test-tables.js';

// The real counter store on DynamoDB Local: admission's plan and its refusal are checked against what the store counts.
const tables = useTestTables();
let store: CounterStore;
beforeAll(() => {
  store = createDynamoDbCounterStore({ client: tables.client, tableName: tables.names.counters });
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const SETTINGS: AdmissionSettings = { clampMaxTokens: false, reservationTtlMs: 60_000, failOpen: false };
const PRICING: Pricing = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, maxOutputTokens: 16, known: true };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
let sequence = 0;

function principal(tenantLimits: Partial<Tenant> = {}, keyLimits: Partial<VirtualKey> = {}): Principal {
  const suffix = ++sequence;
  const tenant: Tenant = { id: `acme-${suffix}`, name: 'Acme', metadata: {}, created_at: '2026-11-01T00:00:00Z', ...tenantLimits };
  const key: VirtualKey = {
    id: `key_${suffix}`,
    tenant_id: tenant.id,
    key_hash: 'hash',
    key_prefix: 'sk-gw-x',
    status: 'active',
    metadata: {},
    created_at: '2026-11-01T00:00:00Z',
    ...keyLimits,
  };
  return { kind: 'virtual', key, tenant };
}

function request(caller: Principal, requestId: string): AdmissionRequest {
  return { principal: caller, model: 'demo', promptEstimate: 3, pricing: PRICING, requestId, nowMs: NOW };
}

const admit = (caller: Principal, requestId: string) => admitRequest(store, SETTINGS, silent, request(caller, requestId));
const refusalOf = (caller: Principal, requestId: string) => admit(caller, requestId).then(
  () => undefined,
  (error: GatewayError) => error,
);

describe('admitRequest with max_parallel_requests', () => {
  it('refuses with 429 parallel_request_limit_reached naming the tenant and its limit when the tenant is at it', async () => {
    const caller = principal({ max_parallel_requests: 2 });
    await admit(caller, 'r1');
    await admit(caller, 'r2');

    const refused = await refusalOf(caller, 'r3');

    expect(refused).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'parallel_request_limit_reached' });
    expect(refused?.headers['retry-after']).toBe('1');
    expect(refused?.message).toContain(`tenant ${caller.kind === 'virtual' ? caller.tenant.id : ''}`);
    expect(refused?.message).toContain('at most 2 requests in flight');
  });

  it('names the API key when the key is at its own limit', async () => {
    const caller = principal({ max_parallel_requests: 10 }, { max_parallel_requests: 1 });
    await admit(caller, 'k1');

    const refused = await refusalOf(caller, 'k2');

    expect(refused?.message).toContain(`API key ${caller.kind === 'virtual' ? caller.key.id : ''}`);
    expect(refused?.message).toContain('at most 1 request in flight');
  });

  it('admits again once the ticket of a request in flight is settled', async () => {
    const caller = principal({ max_parallel_requests: 1 });
    const first = await admit(caller, 's1');

    await settleRequest(store, silent, first.ticket!, { promptTokens: 0, completionTokens: 0 }, NOW);
    const second = await refusalOf(caller, 's2');

    expect(first.ticket?.scopes).toEqual([{ scope: `tenant:${caller.kind === 'virtual' ? caller.tenant.id : ''}`, countsTokens: false, releasesSlot: true }]);
    expect(second).toBeUndefined();
  });
});
