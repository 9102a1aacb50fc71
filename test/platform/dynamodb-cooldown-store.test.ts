import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { CooldownStore } from '../../functions/core/routing/cooldown-store.js';
import { CooldownStoreUnavailableError } from '../../functions/core/routing/cooldowns.js';
import { createDynamoDbCooldownStore } from '../../functions/platform/dynamodb/dynamodb-cooldown-store.js';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';

/** Far in the future, so that no TTL written here has passed while the tests run. 12:00:05 UTC: 55 s left in the minute. */
const NOW = Date.UTC(2036, 0, 15, 12, 0, 5);
const MINUTE = Math.floor(NOW / 60_000);
const COOLDOWN_MS = 30_000;

const endpoint = inject('dynamoDbEndpoint');
const tables = useTestTables();
const clients: DynamoDBClient[] = [];

afterAll(() => {
  for (const client of clients) client.destroy();
});

/** One gateway instance: its own client, whose DynamoDB calls are counted by command name. */
function instance(tableName = tables.names.counters): { store: CooldownStore; calls: Record<string, number> } {
  const client = localDynamoDbClient(endpoint);
  clients.push(client);
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls[context.commandName ?? 'unknown'] = (calls[context.commandName ?? 'unknown'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { store: createDynamoDbCooldownStore({ client, tableName }), calls };
}

let sequence = 0;
const unique = (prefix = 'model_list') => `${prefix}[${++sequence}]`;

function failure(deploymentId: string, overrides: { nowMs?: number; allowedFails?: number; cooldownMs?: number } = {}) {
  return { deploymentId, nowMs: NOW, allowedFails: 3, cooldownMs: COOLDOWN_MS, ...overrides };
}

async function item(pk: string) {
  const response = await tables.client.send(new GetItemCommand({ TableName: tables.names.counters, Key: { pk: { S: pk } }, ConsistentRead: true }));
  return response.Item ?? {};
}

describe('DynamoDB cooldown store', () => {
  it('shows a cooldown started by one instance to another', async () => {
    const first = instance().store;
    const second = instance().store;
    const deployment = unique();

    for (let i = 0; i < 3; i++) await first.recordFailure(failure(deployment));
    const seen = await second.readCooldowns(NOW + 1_000);

    expect(seen.get(deployment)).toBe(NOW + COOLDOWN_MS);
  });

  it('counts failures recorded by different instances toward one cooldown', async () => {
    const first = instance().store;
    const second = instance().store;
    const deployment = unique();

    await first.recordFailure(failure(deployment));
    await second.recordFailure(failure(deployment));
    const third = await first.recordFailure(failure(deployment));

    expect(third).toEqual({ coolingDownUntilMs: NOW + COOLDOWN_MS });
  });

  it('does not start a cooldown below allowedFails', async () => {
    const { store } = instance();
    const deployment = unique();

    const results = [await store.recordFailure(failure(deployment)), await store.recordFailure(failure(deployment))];

    expect(results).toEqual([{}, {}]);
    expect((await store.readCooldowns(NOW)).has(deployment)).toBe(false);
  });

  it('does not add up failures across a minute boundary', async () => {
    const { store } = instance();
    const deployment = unique();
    const endOfMinute = (MINUTE + 1) * 60_000 - 1;

    await store.recordFailure(failure(deployment, { nowMs: endOfMinute }));
    await store.recordFailure(failure(deployment, { nowMs: endOfMinute }));
    const nextMinute = await store.recordFailure(failure(deployment, { nowMs: endOfMinute + 1 }));

    expect(nextMinute).toEqual({});
  });

  it('engages the cooldown exactly once the count reaches allowedFails when 10 callers fail at once', async () => {
    const instances = Array.from({ length: 10 }, () => instance().store);
    const deployment = unique();

    const results = await Promise.all(instances.map((store) => store.recordFailure(failure(deployment))));

    expect(results.filter((result) => result.coolingDownUntilMs === undefined)).toHaveLength(2);
    expect(results.filter((result) => result.coolingDownUntilMs === NOW + COOLDOWN_MS)).toHaveLength(8);
    expect((await item(`COOLDOWN_FAILS#${deployment}#${MINUTE}`))['fails']?.N).toBe('10');
    expect((await instances[0]!.readCooldowns(NOW)).get(deployment)).toBe(NOW + COOLDOWN_MS);
  });

  it('does not shorten a longer cooldown', async () => {
    const { store } = instance();
    const deployment = unique();
    await store.recordFailure(failure(deployment, { allowedFails: 1, cooldownMs: 3_600_000 }));

    const shorter = await store.recordFailure(failure(deployment, { nowMs: NOW + 1_000, allowedFails: 1, cooldownMs: 5_000 }));

    expect(shorter).toEqual({ coolingDownUntilMs: NOW + 3_600_000 });
    expect((await store.readCooldowns(NOW + 1_000)).get(deployment)).toBe(NOW + 3_600_000);
  });

  it('extends a cooldown with a failure past allowedFails', async () => {
    const { store } = instance();
    const deployment = unique();
    await store.recordFailure(failure(deployment, { allowedFails: 1 }));

    const later = await store.recordFailure(failure(deployment, { nowMs: NOW + 10_000, allowedFails: 1 }));

    expect(later).toEqual({ coolingDownUntilMs: NOW + 10_000 + COOLDOWN_MS });
    expect((await store.readCooldowns(NOW + 10_000)).get(deployment)).toBe(NOW + 10_000 + COOLDOWN_MS);
  });

  it('reads no cooldown that has ended', async () => {
    const { store } = instance();
    const deployment = unique();
    await store.recordFailure(failure(deployment, { allowedFails: 1 }));

    const cooldowns = await store.readCooldowns(NOW + COOLDOWN_MS);

    expect(cooldowns.has(deployment)).toBe(false);
  });

  it('lets the failure count item expire five minutes after its minute ends', async () => {
    const { store } = instance();
    const deployment = unique();

    await store.recordFailure(failure(deployment));

    const stored = await item(`COOLDOWN_FAILS#${deployment}#${MINUTE}`);
    expect(stored['expires_at']?.N).toBe(String(((MINUTE + 1) * 60_000) / 1000 + 300));
  });

  it('lets the cooldowns item expire a day after the cooldown it was last written with ends', async () => {
    const { store } = instance();
    const deployment = unique();

    await store.recordFailure(failure(deployment, { allowedFails: 1 }));

    const stored = await item('COOLDOWNS');
    expect(stored['expires_at']?.N).toBe(String(Math.ceil((NOW + COOLDOWN_MS) / 1000) + 86_400));
  });

  it('round-trips deployment ids that attribute names and keys could not carry as they are', async () => {
    const { store } = instance();
    const ids = [`model_list[${++sequence}]`, `my gpt/4o #${++sequence} é`, `%41-${++sequence}`, `until_${++sequence}`, `${'x'.repeat(3_000)}${++sequence}`, `🙂${++sequence}\ud800`];

    for (const id of ids) await store.recordFailure(failure(id, { allowedFails: 1 }));
    const cooldowns = await store.readCooldowns(NOW);

    expect(ids.map((id) => cooldowns.get(id.replace('\ud800', '\ufffd')))).toEqual(ids.map(() => NOW + COOLDOWN_MS));
  });

  it('reads every cooldown with one GetItem', async () => {
    const { store, calls } = instance();

    await store.readCooldowns(NOW);

    expect(calls).toEqual({ GetItemCommand: 1 });
  });

  it('records a failure below allowedFails with one UpdateItem', async () => {
    const { store, calls } = instance();

    await store.recordFailure(failure(unique()));

    expect(calls).toEqual({ UpdateItemCommand: 1 });
  });

  it('records the failure that starts a cooldown with two UpdateItems', async () => {
    const { store, calls } = instance();

    await store.recordFailure(failure(unique(), { allowedFails: 1 }));

    expect(calls).toEqual({ UpdateItemCommand: 2 });
  });

  it('reports a longer cooldown already in force from the refused write, without reading it', async () => {
    const deployment = unique();
    await instance().store.recordFailure(failure(deployment, { allowedFails: 1, cooldownMs: 3_600_000 }));
    const { store, calls } = instance();

    await store.recordFailure(failure(deployment, { allowedFails: 1 }));

    expect(calls).toEqual({ UpdateItemCommand: 2 });
  });

  it('fails with CounterStoreRejectedError, not unavailability, when the table does not exist', async () => {
    const { store } = instance('no-such-table');

    await expect(store.readCooldowns(NOW)).rejects.toMatchObject({ name: 'CounterStoreRejectedError', reason: 'ResourceNotFoundException' });
    await expect(store.recordFailure(failure(unique()))).rejects.toMatchObject({ name: 'CounterStoreRejectedError', reason: 'ResourceNotFoundException' });
  });

  it('fails with CooldownStoreUnavailableError when nothing answers at the endpoint', async () => {
    const client = localDynamoDbClient('http://127.0.0.1:1');
    clients.push(client);
    const store = createDynamoDbCooldownStore({ client, tableName: tables.names.counters });

    await expect(store.readCooldowns(NOW)).rejects.toBeInstanceOf(CooldownStoreUnavailableError);
  });
});
