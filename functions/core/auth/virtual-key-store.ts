import { createHash } from 'node:crypto';
import { hasKeySecretShape } from '../admin/key-secret.js';
import { AuthenticationError, ServiceUnavailableError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { TenancyStore } from '../tenancy/tenancy-store.js';
import type { KeyWithTenant } from '../tenancy/tenancy-types.js';
import type { KeyStore, Principal } from './key-store.js';

export function hashVirtualKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Keys the store knows (active, revoked or expired alike), per instance. */
const MAX_CACHED_KEYS = 10_000;
/**
 * Well-shaped keys the store does not know. A separate map, so a flood of random tokens
 * evicts only other unknown tokens, never a real key; 10,000 hashes are about 1.5 MB.
 */
const MAX_CACHED_UNKNOWN_KEYS = 10_000;

/** Insertion-ordered map that forgets its oldest entry when full. */
class BoundedCache<Value> {
  private readonly entries = new Map<string, { value: Value; fetchedAt: number }>();
  constructor(private readonly capacity: number) {}

  get(key: string, now: number, ttlMs: number): Value | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && now - entry.fetchedAt < ttlMs ? entry.value : undefined;
  }

  set(key: string, value: Value, fetchedAt: number): void {
    // Re-inserted, so a refreshed entry counts as the newest.
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, fetchedAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Virtual keys looked up by hash, cached per instance for `cacheTtlMs`: a revocation
 * or an edit takes effect everywhere within that bound. A presented token that cannot be
 * a virtual key (see hasKeySecretShape) is unknown without a lookup. Well-shaped unknown
 * keys are remembered for the same bound in their own bounded cache, so a client retrying
 * a bad key costs one lookup per bound and random tokens cannot push known keys out.
 * Status and expiry are checked on every request, against the cached record.
 */
export function createVirtualKeyStore(options: { store: TenancyStore; clock: Clock; cacheTtlMs: number }): KeyStore {
  const known = new BoundedCache<KeyWithTenant>(MAX_CACHED_KEYS);
  const unknown = new BoundedCache<true>(MAX_CACHED_UNKNOWN_KEYS);
  const inFlight = new Map<string, Promise<KeyWithTenant | undefined>>();

  /** One lookup per key and bound: concurrent requests after an expiry share the in-flight read. */
  function lookUp(keyHash: string): Promise<KeyWithTenant | undefined> {
    const now = options.clock.now();
    const cached = known.get(keyHash, now, options.cacheTtlMs);
    if (cached !== undefined) return Promise.resolve(cached);
    if (unknown.get(keyHash, now, options.cacheTtlMs) !== undefined) return Promise.resolve(undefined);
    const pending = inFlight.get(keyHash);
    if (pending !== undefined) return pending;

    const found = fetch(keyHash);
    inFlight.set(keyHash, found);
    // A failed read is not remembered: the next request tries again.
    found.then(
      (record) => {
        inFlight.delete(keyHash);
        if (record === undefined) {
          known.delete(keyHash);
          unknown.set(keyHash, true, now);
        } else {
          unknown.delete(keyHash);
          known.set(keyHash, record, now);
        }
      },
      () => inFlight.delete(keyHash),
    );
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
      if (!hasKeySecretShape(presentedKey)) return undefined;
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
