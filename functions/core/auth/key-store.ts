import type { Tenant, VirtualKey } from '../tenancy/tenancy-types.js';

/** Who is calling: the operator (master key, no limits) or a tenant's virtual key. */
export type Principal = { kind: 'master' } | { kind: 'virtual'; key: VirtualKey; tenant: Tenant };

/**
 * The seam for per-tenant virtual keys: given the presented secret, who is it?
 * Implementations compare hashes, never raw keys.
 */
export interface KeyStore {
  authenticate(presentedKey: string): Promise<Principal | undefined>;
}
