/** Who is calling. Virtual keys (per tenant) join `master` in a later issue. */
export type Principal = { kind: 'master' } | { kind: 'virtual'; keyId: string; tenantId: string };

/**
 * The seam for per-tenant virtual keys: given the presented secret, who is it?
 * Implementations compare hashes, never raw keys.
 */
export interface KeyStore {
  authenticate(presentedKey: string): Promise<Principal | undefined>;
}
