import { describe, expect, it } from 'vitest';
import { createInMemoryResponseStore, type StoredResponse } from '../../../functions/core/storage/response-store.js';

const NOW = 1_800_000_000;

function record(id: string, tenantId = 'acme'): StoredResponse {
  return { id, tenantId, keyId: 'key-1', deploymentId: 'model_list[0]', model: 'demo', mode: 'translated', createdAtSeconds: NOW };
}

describe('createInMemoryResponseStore', () => {
  it('forgets the oldest response once it holds its maximum, so memory stays bounded', async () => {
    const store = createInMemoryResponseStore({ maxResponses: 2 });

    await store.put(record('resp_1'), JSON.stringify(record('resp_1')), NOW + 60);
    await store.put(record('resp_2'), JSON.stringify(record('resp_2')), NOW + 60);
    await store.put(record('resp_3'), JSON.stringify(record('resp_3')), NOW + 60);

    expect(await store.get('acme', 'resp_1', NOW)).toBeUndefined();
    expect(await store.get('acme', 'resp_3', NOW)).toMatchObject({ id: 'resp_3' });
  });

  it('forgets the oldest responses once their size passes the budget', async () => {
    const store = createInMemoryResponseStore({ maxCharacters: 300 });

    for (const id of ['resp_1', 'resp_2', 'resp_3']) await store.put(record(id), 'x'.repeat(120), NOW + 60);

    expect(await store.get('acme', 'resp_1', NOW)).toBeUndefined();
    expect(await store.get('acme', 'resp_2', NOW)).toMatchObject({ id: 'resp_2' });
  });

  it("answers nothing for another tenant's response", async () => {
    const store = createInMemoryResponseStore();

    await store.put(record('resp_1', 'acme'), JSON.stringify(record('resp_1', 'acme')), NOW + 60);

    expect(await store.get('globex', 'resp_1', NOW)).toBeUndefined();
  });
});
