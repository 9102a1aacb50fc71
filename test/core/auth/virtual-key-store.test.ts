import { describe, expect, it } from 'vitest';
import { createVirtualKeyStore, hashVirtualKey } from '../../../functions/core/auth/virtual-key-store.js';
import type { TenancyStore } from '../../../functions/core/tenancy/tenancy-store.js';
import type { KeyWithTenant } from '../../../functions/core/tenancy/tenancy-types.js';

const SECRET = `sk-gw-${'T'.repeat(43)}`;
const found: KeyWithTenant = {
  key: { id: 'key_1', tenant_id: 't', key_hash: hashVirtualKey(SECRET), key_prefix: 'sk-gw-test', status: 'active', metadata: {}, created_at: '2026-01-01T00:00:00Z' },
  tenant: { id: 't', name: 'T', metadata: {}, created_at: '2026-01-01T00:00:00Z' },
};

function countingStore(answer: () => Promise<KeyWithTenant | undefined>) {
  const store = { lookups: 0, findKeyByHash: async () => (store.lookups++, answer()) };
  return store as unknown as TenancyStore & { lookups: number };
}

describe('virtual key store', () => {
  it('looks a key up once for concurrent requests that miss the cache together', async () => {
    const store = countingStore(() => new Promise((resolve) => setTimeout(() => resolve(found), 10)));
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });

    await Promise.all(Array.from({ length: 32 }, () => keys.authenticate(SECRET)));

    expect(store.lookups).toBe(1);
  });

  it('looks the key up again once the cache bound has passed', async () => {
    const store = countingStore(async () => found);
    let now = 0;
    const keys = createVirtualKeyStore({ store, clock: { now: () => now }, cacheTtlMs: 30_000 });
    await keys.authenticate(SECRET);

    now = 30_000;
    await keys.authenticate(SECRET);

    expect(store.lookups).toBe(2);
  });

  it('answers 503 when the store fails, and tries again on the next request', async () => {
    let failing = true;
    const store = countingStore(async () => {
      if (failing) throw new Error('throttled');
      return found;
    });
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });

    await expect(keys.authenticate(SECRET)).rejects.toMatchObject({ status: 503, code: 'key_store_unavailable' });
    failing = false;

    await expect(keys.authenticate(SECRET)).resolves.toMatchObject({ kind: 'virtual' });
  });
});
