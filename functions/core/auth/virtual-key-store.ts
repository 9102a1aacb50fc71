import { createHash } from 'node:crypto';
import { AuthenticationError, ServiceUnavailableError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { TenancyStore } from '../tenancy/tenancy-store.js';
import type { KeyWithTenant } from '../tenancy/tenancy-types.js';
import type { KeyStore, Principal } from './key-store.js';

export function hashVirtualKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const MAX_CACHED_KEYS = 10_000;

/**
 * Virtual keys looked up by hash, cached per instance for `cacheTtlMs`: a revocation
 * or an edit takes effect everywhere within that bound. Unknown keys are cached too
 * (for the same bound), so a client retrying a bad key does not cost a lookup each time.
 * Status and expiry are checked on every request, against the cached record.
 */
export function createVirtualKeyStore(options: { store: TenancyStore; clock: Clock; cacheTtlMs: number }): KeyStore {
  const cache = new Map<string, { found: Promise<KeyWithTenant | undefined>; fetchedAt: number }>();

  /** One lookup per key and bound: concurrent requests after an expiry share the in-flight read. */
  function lookUp(keyHash: string): Promise<KeyWithTenant | undefined> {
    const now = options.clock.now();
    const cached = cache.get(keyHash);
    if (cached && now - cached.fetchedAt < options.cacheTtlMs) return cached.found;
    const found = fetch(keyHash);
    if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { found, fetchedAt: now });
    // A failed read is not remembered: the next request tries again.
    found.catch(() => cache.get(keyHash)?.found === found && cache.delete(keyHash));
    return found;
  }

  async function fetch(keyHash: string): Promise<KeyWithTenant | undefined> {
    try {
      return await options.store.findKeyByHash(keyHash);
    } catch {
      // Unknown is not the same as unverifiable: never turn a store outage into a 401 or a pass.
      throw new ServiceUnavailableError('API keys cannot be verified right now. Retry shortly.', 'key_store_unavailable');
    }
  }

  return {
    async authenticate(presentedKey: string): Promise<Principal | undefined> {
      const found = await lookUp(hashVirtualKey(presentedKey));
      if (!found) return undefined;
      if (found.key.status !== 'active') throw new AuthenticationError(`API key ${found.key.id} has been revoked.`);
      if (found.key.expires_at !== undefined && Date.parse(found.key.expires_at) <= options.clock.now()) {
        throw new AuthenticationError(`API key ${found.key.id} expired at ${found.key.expires_at}.`);
      }
      return { kind: 'virtual', key: found.key, tenant: found.tenant };
    },
  };
}
