import { AlreadyExistsError, NotFoundError, type TenancyStore } from '../../../functions/core/tenancy/tenancy-store.js';
import type { Tenant, VirtualKey } from '../../../functions/core/tenancy/tenancy-types.js';

/**
 * A TenancyStore in two Maps, for the admin layer's tests (HTTP and validation, not storage).
 * Values are cloned in and out, as a real store would serialise them.
 */
export function createInMemoryTenancyStore(): TenancyStore & { readonly keysByHash: ReadonlyMap<string, string> } {
  const tenants = new Map<string, Tenant>();
  const keys = new Map<string, VirtualKey>();
  const keysByHash = new Map<string, string>();

  return {
    keysByHash,
    async findKeyByHash(keyHash) {
      const keyId = keysByHash.get(keyHash);
      const key = keyId === undefined ? undefined : keys.get(keyId);
      const tenant = key === undefined ? undefined : tenants.get(key.tenant_id);
      return key && tenant ? { key: structuredClone(key), tenant: structuredClone(tenant) } : undefined;
    },
    async createTenant(tenant) {
      if (tenants.has(tenant.id)) throw new AlreadyExistsError(`Tenant ${tenant.id}`);
      tenants.set(tenant.id, structuredClone(tenant));
    },
    async getTenant(id) {
      const tenant = tenants.get(id);
      return tenant && structuredClone(tenant);
    },
    async listTenants() {
      return [...tenants.values()].map((tenant) => structuredClone(tenant));
    },
    async putTenant(tenant) {
      if (!tenants.has(tenant.id)) throw new NotFoundError(`Tenant ${tenant.id}`);
      tenants.set(tenant.id, structuredClone(tenant));
    },
    async deleteTenant(id) {
      if (!tenants.delete(id)) throw new NotFoundError(`Tenant ${id}`);
    },
    async createKey(key) {
      if (keys.has(key.id) || keysByHash.has(key.key_hash)) throw new AlreadyExistsError(`Key ${key.id}`);
      keys.set(key.id, structuredClone(key));
      keysByHash.set(key.key_hash, key.id);
    },
    async getKey(id) {
      const key = keys.get(id);
      return key && structuredClone(key);
    },
    async listKeys(tenantId) {
      return [...keys.values()]
        .filter((key) => tenantId === undefined || key.tenant_id === tenantId)
        .map((key) => structuredClone(key));
    },
    async putKey(key) {
      const stored = keys.get(key.id);
      if (!stored) throw new NotFoundError(`Key ${key.id}`);
      if (stored.key_hash !== key.key_hash) {
        if (keysByHash.has(key.key_hash)) throw new AlreadyExistsError(`Key hash of ${key.id}`);
        keysByHash.delete(stored.key_hash);
        keysByHash.set(key.key_hash, key.id);
      }
      keys.set(key.id, structuredClone(key));
    },
  };
}
