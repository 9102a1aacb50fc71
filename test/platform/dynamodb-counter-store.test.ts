import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdmitInput, CounterStore } from '../../functions/core/admission/counter-store.js';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';

const tables = useTestTables();
let store: CounterStore;
beforeAll(() => {
  store = createDynamoDbCounterStore({ client: tables.client, tableName: tables.names.counters });
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const MINUTE = Math.floor(NOW / 60_000);
let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function budgetAdmission(scope: string, requestId: string, reserveMicros: number, overrides: Partial<AdmitInput> = {}): AdmitInput {
  return {
    requestId,
    nowMs: NOW,
    minute: MINUTE,
    reservationExpiresAtMs: NOW + 60_000,
    scopes: [{ scope, budget: { period: '1mo:2026-11', limitMicros: 1000, reserveMicros }, settles: true }],
    ...overrides,
  };
}

async function item(scope: string) {
  const response = await tables.client.send(new GetItemCommand({ TableName: tables.names.counters, Key: { pk: { S: `SCOPE#${scope}` } }, ConsistentRead: true }));
  return response.Item ?? {};
}

describe('DynamoDB counter store', () => {
  it('counts a settlement once when it is retried', async () => {
    const scope = unique('key:retry');
    await store.admit(budgetAdmission(scope, 'r1', 400));
    const settlement = { requestId: 'r1', nowMs: NOW, minute: MINUTE, scopes: [{ scope, tokens: 7, budget: { period: '1mo:2026-11', reservedMicros: 400, actualMicros: 300 } }] };

    await store.settle(settlement);
    await store.settle(settlement);

    const stored = await item(scope);
    expect(stored['spent_1mo:2026-11']?.N).toBe('300');
    expect(stored['committed_1mo:2026-11']?.N).toBe('300');
    expect(stored[`tpm_${MINUTE}`]?.N).toBe('7');
    expect(stored['res_r1']).toBeUndefined();
  });

  it('refuses a reservation that would take committed spend over the budget', async () => {
    const scope = unique('key:full');
    await store.admit(budgetAdmission(scope, 'a', 600));

    const result = await store.admit(budgetAdmission(scope, 'b', 600));

    expect(result).toEqual({ admitted: false, scope, limit: 'budget', remainingMicros: 400 });
  });

  it('refuses a reservation larger than the whole budget even on an untouched scope', async () => {
    const scope = unique('key:huge');

    const result = await store.admit(budgetAdmission(scope, 'a', 1001));

    expect(result).toMatchObject({ admitted: false, limit: 'budget' });
  });

  it('releases a reservation whose invocation died once it has expired, and admits in its place', async () => {
    const scope = unique('key:expired');
    await store.admit(budgetAdmission(scope, 'dead', 1000, { reservationExpiresAtMs: NOW + 1000 }));
    const blocked = await store.admit(budgetAdmission(scope, 'early', 500, { nowMs: NOW + 500 }));

    const admitted = await store.admit(budgetAdmission(scope, 'later', 500, { nowMs: NOW + 2000 }));

    expect(blocked).toMatchObject({ admitted: false, limit: 'budget' });
    expect(admitted.admitted).toBe(true);
    const stored = await item(scope);
    expect(stored['res_dead']).toBeUndefined();
    expect(stored['gone_dead']?.M?.['gone_at_ms']?.N).toBe(String(NOW + 2000)); // the marker a late settlement looks for, dated at the release
    expect(stored['committed_1mo:2026-11']?.N).toBe('500');
  });

  it('still records the actual cost of a settlement that arrives after its reservation was released', async () => {
    const scope = unique('key:late');
    await store.admit(budgetAdmission(scope, 'slow', 1000, { reservationExpiresAtMs: NOW + 1000 }));
    await store.admit(budgetAdmission(scope, 'next', 100, { nowMs: NOW + 2000 }));

    await store.settle({ requestId: 'slow', nowMs: NOW + 3000, minute: MINUTE, scopes: [{ scope, budget: { period: '1mo:2026-11', reservedMicros: 1000, actualMicros: 250 } }] });
    await store.settle({ requestId: 'slow', nowMs: NOW + 3000, minute: MINUTE, scopes: [{ scope, budget: { period: '1mo:2026-11', reservedMicros: 1000, actualMicros: 250 } }] });

    const stored = await item(scope);
    expect(stored['spent_1mo:2026-11']?.N).toBe('250');
    expect(stored['committed_1mo:2026-11']?.N).toBe('350');
    expect(stored['gone_slow']).toBeUndefined();
  });

  it('counts nothing in any scope when one scope of a multi-scope admission refuses', async () => {
    const key = unique('key:multi');
    const tenant = unique('tenant:multi');
    const scopes = (requestId: string): AdmitInput => ({
      requestId,
      nowMs: NOW,
      minute: MINUTE,
      reservationExpiresAtMs: NOW + 60_000,
      scopes: [
        { scope: key, rpmLimit: 100, settles: false },
        { scope: tenant, rpmLimit: 1, settles: false },
      ],
    });
    await store.admit(scopes('m1'));

    const refused = await store.admit(scopes('m2'));

    expect(refused).toEqual({ admitted: false, scope: tenant, limit: 'rpm' });
    expect((await item(key))[`rpm_${MINUTE}`]?.N).toBe('1');
  });

  it('returns the counts after admitting a single scope', async () => {
    const scope = unique('key:counts');
    const input = { requestId: 'c', nowMs: NOW, minute: MINUTE, reservationExpiresAtMs: NOW + 1, scopes: [{ scope, rpmLimit: 10, settles: false }] };
    await store.admit(input);

    const result = await store.admit({ ...input, requestId: 'd' });

    expect(result).toEqual({ admitted: true, counts: { [scope]: { requestsThisMinute: 2, tokensThisMinute: 0, committedMicros: undefined } } });
  });

  it('gives windowed scope items a TTL, and lifetime budgets none', async () => {
    const windowed = unique('key:ttl');
    const lifetime = unique('key:lifetime');
    await store.admit({ requestId: 't', nowMs: NOW, minute: MINUTE, reservationExpiresAtMs: NOW + 1, scopes: [{ scope: windowed, rpmLimit: 5, settles: false }] });

    await store.admit({
      requestId: 'u',
      nowMs: NOW,
      minute: MINUTE,
      reservationExpiresAtMs: NOW + 1,
      scopes: [{ scope: lifetime, budget: { period: 'lifetime', limitMicros: 10, reserveMicros: 1 }, settles: true }],
    });

    expect(Number((await item(windowed))['expires_at']?.N)).toBeGreaterThan(NOW / 1000);
    expect((await item(lifetime))['expires_at']).toBeUndefined();
  });
});
