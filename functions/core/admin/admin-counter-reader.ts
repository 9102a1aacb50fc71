import type { Tenant, VirtualKey } from '../tenancy/tenancy-types.js';

/**
 * Reads what a key has used so far (spend in the current budget period, requests and
 * tokens in the current minute, …) for `GET /admin/keys/{id}`. The admin API shows the
 * returned object as the key's `usage` field, unchanged; without a reader the field is
 * omitted. Implementations must not return secrets.
 */
export interface AdminCounterReader {
  readKeyUsage(key: VirtualKey, tenant: Tenant): Promise<Record<string, unknown>>;
}
