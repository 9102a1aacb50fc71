import type { KeyWithTenant, Tenant, VirtualKey } from './tenancy-types.js';

/** Thrown by a TenancyStore when a create would overwrite (HTTP 409). */
export class AlreadyExistsError extends Error {
  constructor(what: string) {
    super(`${what} already exists.`);
    this.name = 'AlreadyExistsError';
  }
}

/** Thrown by a TenancyStore when an update or delete names nothing (HTTP 404). */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} does not exist.`);
    this.name = 'NotFoundError';
  }
}

/**
 * Tenants and virtual keys. The DynamoDB adapter serves Lambda and the local server alike.
 * Authentication reads through `findKeyByHash`; everything else is the admin API's.
 */
export interface TenancyStore {
  /** The key whose secret hashes to `keyHash`, with its tenant; undefined when there is none. */
  findKeyByHash(keyHash: string): Promise<KeyWithTenant | undefined>;

  /** Fails with AlreadyExistsError when the id is taken. */
  createTenant(tenant: Tenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /** Replaces the stored tenant (same id); NotFoundError when absent. */
  putTenant(tenant: Tenant): Promise<void>;
  /** NotFoundError when absent. Fails with AlreadyExistsError-free semantics: deleting a tenant with keys is refused by the admin layer, not here. */
  deleteTenant(id: string): Promise<void>;

  /** Stores the key and its hash lookup together (one transaction); AlreadyExistsError when the id or hash is taken. */
  createKey(key: VirtualKey): Promise<void>;
  getKey(id: string): Promise<VirtualKey | undefined>;
  /** All keys, or one tenant's. */
  listKeys(tenantId?: string): Promise<VirtualKey[]>;
  /**
   * Replaces the stored key (same id). When `key.key_hash` differs from the stored one (rotation),
   * the old hash stops authenticating in the same transaction. NotFoundError when absent.
   */
  putKey(key: VirtualKey): Promise<void>;
}
