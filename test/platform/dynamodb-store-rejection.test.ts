import { beforeAll, describe, expect, it } from 'vitest';
import { admitRequest, type AdmissionSettings } from '../../functions/core/admission/admission.js';
import type { CounterStore } from '../../functions/core/admission/counter-store.js';
import type { Principal } from '../../functions/core/auth/key-store.js';
import type { GatewayError } from '../../functions/core/errors.js';
import type { Pricing } from '../../functions/core/pricing/cost.js';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';

// A real ValidationException: DynamoDB Local refuses a partition key over 2,048 bytes, as DynamoDB does.
const tables = useTestTables();
let store: CounterStore;
beforeAll(() => {
  store = createDynamoDbCounterStore({ client: tables.client, tableName: tables.names.counters });
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const FAIL_OPEN: AdmissionSettings = { clampMaxTokens: false, reservationTtlMs: 60_000, failOpen: true };
const PRICING: Pricing = { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 1_000_000, cacheWrite1h: 1_000_000, maxOutputTokens: 16, known: true };
const KEY_ID = 'key_rejection_0001';

function logger() {
  const lines: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const push = (event: string, fields?: Record<string, unknown>) => lines.push({ event, fields });
  return { lines, info: push, warn: push, error: push };
}

function principal(): Principal {
  return {
    kind: 'virtual',
    key: { id: KEY_ID, tenant_id: 'acme', key_hash: 'hash', key_prefix: 'sk-gw-x', status: 'active', metadata: {}, created_at: '2026-11-01T00:00:00Z' },
    tenant: { id: 'acme', name: 'Acme', end_user_max_budget: 1, metadata: {}, created_at: '2026-11-01T00:00:00Z' },
  };
}

describe('admission when DynamoDB rejects the write (ValidationException)', () => {
  it('answers 500 internal_error and logs admission.store_rejected instead of failing open for a 3 KB end-user scope key', async () => {
    const log = logger();

    const failure = await admitRequest(store, FAIL_OPEN, log, {
      principal: principal(),
      model: 'demo',
      endUser: 'u'.repeat(3 * 1024),
      promptEstimate: 3,
      pricing: PRICING,
      requestId: 'rejected-1',
      nowMs: NOW,
    }).then(
      () => undefined,
      (error: GatewayError) => error,
    );

    expect(failure).toMatchObject({ status: 500, type: 'server_error', code: 'internal_error' });
    expect(failure?.message).not.toContain(KEY_ID);
    expect(log.lines).toEqual([{ event: 'admission.store_rejected', fields: { requestId: 'rejected-1', keyId: KEY_ID, error: 'ValidationException' } }]);
  });
});
