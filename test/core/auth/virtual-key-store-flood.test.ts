import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../functions/core/auth/authenticate.js';
import { createVirtualKeyStore, hashVirtualKey } from '../../../functions/core/auth/virtual-key-store.js';
import type { TenancyStore } from '../../../functions/core/tenancy/tenancy-store.js';
import type { KeyWithTenant } from '../../../functions/core/tenancy/tenancy-types.js';

const KNOWN_SECRET = `sk-gw-${'K'.repeat(43)}`;
const known: KeyWithTenant = {
  key: { id: 'key_1', tenant_id: 't', key_hash: hashVirtualKey(KNOWN_SECRET), key_prefix: 'sk-gw-KKKK', status: 'active', metadata: {}, created_at: '2026-01-01T00:00:00Z' },
  tenant: { id: 't', name: 'T', metadata: {}, created_at: '2026-01-01T00:00:00Z' },
};

/** A store that knows one key and counts every read. */
function countingStore() {
  const store = {
    reads: 0,
    findKeyByHash: async (keyHash: string) => {
      store.reads++;
      return keyHash === known.key.key_hash ? known : undefined;
    },
  };
  return store as unknown as TenancyStore & { reads: number };
}

/** A token with a virtual key's shape that no store knows. */
const randomWellShapedKey = () => `sk-gw-${randomBytes(32).toString('base64url')}`;

describe('virtual key store under a flood of unknown keys', () => {
  it('keeps a known key cached when 10,000 well-shaped unknown keys are presented after it', async () => {
    const store = countingStore();
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });
    await keys.authenticate(KNOWN_SECRET);
    for (let index = 0; index < 10_000; index++) await keys.authenticate(randomWellShapedKey());
    const readsBefore = store.reads;

    const principal = await keys.authenticate(KNOWN_SECRET);

    expect(principal).toMatchObject({ kind: 'virtual', key: { id: 'key_1' } });
    expect(store.reads).toBe(readsBefore);
  });

  it('reads an unknown well-shaped key once when it is presented again within the cache bound', async () => {
    const store = countingStore();
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });
    const stranger = randomWellShapedKey();

    await keys.authenticate(stranger);
    await keys.authenticate(stranger);

    expect(store.reads).toBe(1);
  });

  it('forgets the oldest unknown key when 10,000 newer unknown keys have been remembered', async () => {
    const store = countingStore();
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });
    const first = randomWellShapedKey();
    await keys.authenticate(first);
    for (let index = 0; index < 10_000; index++) await keys.authenticate(randomWellShapedKey());
    const readsBefore = store.reads;

    await keys.authenticate(first);

    expect(store.reads).toBe(readsBefore + 1);
  });

  it('reads a key the store did not know once the cache bound has passed, so a new key starts working', async () => {
    const store = countingStore();
    let now = 0;
    const keys = createVirtualKeyStore({ store, clock: { now: () => now }, cacheTtlMs: 30_000 });
    const stranger = randomWellShapedKey();
    await keys.authenticate(stranger);

    now = 30_000;
    await keys.authenticate(stranger);

    expect(store.reads).toBe(2);
  });

  it.each([
    ['a token without the sk-gw- prefix', `sk-${'A'.repeat(46)}`],
    ['a token one character short', `sk-gw-${'A'.repeat(42)}`],
    ['a token one character long', `sk-gw-${'A'.repeat(44)}`],
    ['a token with a character outside base64url', `sk-gw-${'A'.repeat(42)}+`],
    ['a 15 KB token', `sk-gw-${'A'.repeat(15_000)}`],
    ['the word "null"', 'null'],
  ])('reads nothing from the store when %s is presented', async (_name, token) => {
    const store = countingStore();
    const keys = createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 });

    const principal = await keys.authenticate(token);

    expect(principal).toBeUndefined();
    expect(store.reads).toBe(0);
  });

  it('answers a malformed bearer token with 401 invalid_api_key and no store read', async () => {
    const store = countingStore();
    const authenticate = createAuthenticator('sk-master', createVirtualKeyStore({ store, clock: { now: () => 0 }, cacheTtlMs: 30_000 }));

    await expect(authenticate({ authorization: 'Bearer not-a-gateway-key' })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });

    expect(store.reads).toBe(0);
  });
});
