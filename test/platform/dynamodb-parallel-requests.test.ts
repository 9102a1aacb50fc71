import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { AdmitInput, CounterStore, ScopeAdmission, SettleInput } from '../../functions/core/admission/counter-store.js';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';

const tables = useTestTables();
/** Commands sent by `store` since the last reset, by name. */
const calls: string[] = [];
let store: CounterStore;
let countedClient: DynamoDBClient;
beforeAll(() => {
  countedClient = localDynamoDbClient(inject('dynamoDbEndpoint'));
  countedClient.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  store = createDynamoDbCounterStore({ client: countedClient, tableName: tables.names.counters });
  return () => countedClient.destroy();
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const MINUTE = Math.floor(NOW / 60_000);
const PERIOD = '1mo:2026-11';
let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function slotScope(scope: string, parallelLimit = 2, extra: Partial<ScopeAdmission> = {}): ScopeAdmission {
  return { scope, parallelLimit, settles: true, ...extra };
}

function admission(requestId: string, scopes: ScopeAdmission[], overrides: Partial<AdmitInput> = {}): AdmitInput {
  return { requestId, nowMs: NOW, minute: MINUTE, reservationExpiresAtMs: NOW + 60_000, scopes, ...overrides };
}

function release(requestId: string, scopes: string[], nowMs = NOW): SettleInput {
  return { requestId, nowMs, minute: Math.floor(nowMs / 60_000), scopes: scopes.map((scope) => ({ scope, releasesSlot: true })) };
}

async function inFlight(scope: string): Promise<number> {
  const response = await tables.client.send(new GetItemCommand({ TableName: tables.names.counters, Key: { pk: { S: `SCOPE#${scope}` } }, ConsistentRead: true }));
  return Number(response.Item?.['in_flight']?.N ?? 0);
}

describe('DynamoDB counter store: parallel requests', () => {
  it('refuses the request after the limit with limit "parallel" while the first ones are in flight', async () => {
    const scope = unique('tenant:a');
    await store.admit(admission('a1', [slotScope(scope)]));
    await store.admit(admission('a2', [slotScope(scope)]));

    const third = await store.admit(admission('a3', [slotScope(scope)]));

    expect(third).toEqual({ admitted: false, scope, limit: 'parallel' });
    expect(await inFlight(scope)).toBe(2);
  });

  it('admits again once a settlement gave a slot back', async () => {
    const scope = unique('tenant:b');
    await store.admit(admission('b1', [slotScope(scope)]));
    await store.admit(admission('b2', [slotScope(scope)]));

    await store.settle(release('b1', [scope]));
    const next = await store.admit(admission('b3', [slotScope(scope)]));

    expect(next.admitted).toBe(true);
    expect(await inFlight(scope)).toBe(2);
  });

  it('gives a slot back once when the settlement is retried', async () => {
    const scope = unique('key:c');
    await store.admit(admission('c1', [slotScope(scope)]));
    await store.admit(admission('c2', [slotScope(scope)]));

    await store.settle(release('c1', [scope]));
    await store.settle(release('c1', [scope]));

    expect(await inFlight(scope)).toBe(1);
  });

  it('gives the slot back in the settlement write itself when the scope also has a budget', async () => {
    const scope = unique('key:d');
    const budget = { period: PERIOD, limitMicros: 10_000, reserveMicros: 400 };
    await store.admit(admission('d1', [slotScope(scope, 2, { budget })]));
    calls.length = 0;

    await store.settle({ requestId: 'd1', nowMs: NOW, minute: MINUTE, scopes: [{ scope, tokens: 5, budget: { period: PERIOD, reservedMicros: 400, actualMicros: 100 }, releasesSlot: true }] });

    expect(calls).toEqual(['UpdateItemCommand']);
    expect(await inFlight(scope)).toBe(0);
  });

  it('counts the slot in the admission write itself (one UpdateItem for one scope, one transaction for two)', async () => {
    const key = unique('key:e');
    const tenant = unique('tenant:e');
    calls.length = 0;

    await store.admit(admission('e1', [slotScope(key, 2, { rpmLimit: 10 })]));
    await store.admit(admission('e2', [slotScope(key, 2, { rpmLimit: 10 }), slotScope(tenant)]));

    expect(calls).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand']);
    expect(await inFlight(key)).toBe(2);
    expect(await inFlight(tenant)).toBe(1);
  });

  it('counts nothing in the key scope when the tenant scope is at its parallel limit', async () => {
    const tenant = unique('tenant:f');
    const otherKey = unique('key:f-other');
    const key = unique('key:f');
    await store.admit(admission('f1', [slotScope(otherKey), slotScope(tenant, 1)]));

    const refused = await store.admit(admission('f2', [slotScope(key), slotScope(tenant, 1)]));

    expect(refused).toEqual({ admitted: false, scope: tenant, limit: 'parallel' });
    expect(await inFlight(key)).toBe(0);
  });

  it('reclaims the slots of expired markers (invocations that died) and admits in their place', async () => {
    const scope = unique('tenant:g');
    await store.admit(admission('dead1', [slotScope(scope)], { reservationExpiresAtMs: NOW + 1000 }));
    await store.admit(admission('dead2', [slotScope(scope)], { reservationExpiresAtMs: NOW + 1000 }));
    const beforeExpiry = await store.admit(admission('g1', [slotScope(scope)], { nowMs: NOW + 500 }));

    const afterExpiry = await store.admit(admission('g2', [slotScope(scope)], { nowMs: NOW + 2000 }));

    expect(beforeExpiry).toEqual({ admitted: false, scope, limit: 'parallel' });
    expect(afterExpiry.admitted).toBe(true);
    expect(await inFlight(scope)).toBe(1);
  });

  it('does not give a reclaimed slot back a second time when the dead request settles late', async () => {
    const scope = unique('tenant:h');
    await store.admit(admission('slow', [slotScope(scope)], { reservationExpiresAtMs: NOW + 1000 }));
    await store.admit(admission('dead', [slotScope(scope)], { reservationExpiresAtMs: NOW + 1000 }));
    await store.admit(admission('h1', [slotScope(scope)], { nowMs: NOW + 2000 }));

    await store.settle(release('slow', [scope], NOW + 3000));

    expect(await inFlight(scope)).toBe(1);
  });
});
