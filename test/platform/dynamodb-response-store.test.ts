import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StoredResponse } from '../../functions/core/storage/response-store.js';
import { createDynamoDbResponseStore } from '../../functions/platform/dynamodb/dynamodb-response-store.js';
import { createTestTables, type TestTables } from '../support/dynamodb-test-tables.js';

const NOW = 1_790_000_000;

let tables: TestTables;
let store: ReturnType<typeof createDynamoDbResponseStore>;
beforeAll(async () => {
  tables = await createTestTables(inject('dynamoDbEndpoint'));
  store = createDynamoDbResponseStore({ client: tables.client, tableName: tables.names.counters });
});
afterAll(() => tables?.client.destroy());

function record(overrides: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id: `resp_${Math.random().toString(36).slice(2)}`,
    tenantId: 'acme',
    keyId: 'key-1',
    deploymentId: 'model_list[0]',
    model: 'demo',
    mode: 'translated',
    createdAtSeconds: NOW,
    conversation: [{ type: 'message', role: 'user', content: 'hi' }],
    inputItems: [{ type: 'message', role: 'user', content: 'hi' }],
    response: { id: 'resp_1', object: 'response' },
    ...overrides,
  };
}

describe('createDynamoDbResponseStore', () => {
  it('gives back the record when its tenant reads it before it expires', async () => {
    const stored = record();
    await store.put(stored, JSON.stringify(stored), NOW + 60);

    expect(await store.get('acme', stored.id, NOW)).toEqual(stored);
  });

  it('finds nothing when another tenant reads the id', async () => {
    const stored = record();
    await store.put(stored, JSON.stringify(stored), NOW + 60);

    expect(await store.get('globex', stored.id, NOW)).toBeUndefined();
  });

  it('finds nothing when the record has expired but DynamoDB has not yet removed it', async () => {
    const stored = record();
    await store.put(stored, JSON.stringify(stored), NOW + 60);

    expect(await store.get('acme', stored.id, NOW + 60)).toBeUndefined();
  });

  it('removes the record when its tenant deletes it, and says whether there was one', async () => {
    const stored = record();
    await store.put(stored, JSON.stringify(stored), NOW + 60);

    expect(await store.delete('globex', stored.id)).toBe(false);
    expect(await store.delete('acme', stored.id)).toBe(true);
    expect(await store.get('acme', stored.id, NOW)).toBeUndefined();
    expect(await store.delete('acme', stored.id)).toBe(false);
  });
});
