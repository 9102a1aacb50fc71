import { createHash, randomBytes } from 'node:crypto';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, type TenancyStore } from '../../functions/core/tenancy/tenancy-store.js';
import type { Tenant, VirtualKey } from '../../functions/core/tenancy/tenancy-types.js';
import { createDynamoDbTenancyStore } from '../../functions/platform/dynamodb/dynamodb-tenancy-store.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';
import { everyTenantLimit } from '../support/tenant-fixtures.js';

const tables = useTestTables();
let store: TenancyStore;

beforeAll(() => {
  store = createDynamoDbTenancyStore({ client: tables.client, tableName: tables.names.tenancy });
});

let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

function tenant(overrides: Partial<Tenant> = {}): Tenant {
  return { id: unique('tenant'), name: 'Acme', metadata: {}, created_at: '2026-01-01T00:00:00.000Z', ...overrides };
}

function newSecret(): string {
  return `sk-gw-${randomBytes(32).toString('base64url')}`;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function key(tenantId: string, secret: string, overrides: Partial<VirtualKey> = {}): VirtualKey {
  return {
    id: unique('key'),
    tenant_id: tenantId,
    key_hash: sha256Hex(secret),
    key_prefix: secret.slice(0, 10),
    status: 'active',
    metadata: {},
    created_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

async function scanWholeTable(): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await tables.client.send(new ScanCommand({ TableName: tables.names.tenancy, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

describe('DynamoDB tenancy store: tenants', () => {
  it('returns the tenant it stored when a tenant is created', async () => {
    const created = tenant({ ...everyTenantLimit(), metadata: { team: 'ml', nested: { list: [1, 'two', null], flag: true } } });

    await store.createTenant(created);

    expect(await store.getTenant(created.id)).toEqual(created);
  });

  it('stores no attribute for an optional field when it is absent', async () => {
    const created = tenant();

    await store.createTenant(created);

    const [item] = (await scanWholeTable()).filter((candidate) => candidate.pk?.S === `TENANT#${created.id}`);
    expect(Object.keys(item ?? {}).sort()).toEqual(['created_at', 'id', 'kind', 'metadata', 'name', 'pk']);
  });

  it('fails with AlreadyExistsError when the tenant id is taken', async () => {
    const created = tenant();
    await store.createTenant(created);

    await expect(store.createTenant({ ...created, name: 'Other' })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('returns undefined when the tenant does not exist', async () => {
    expect(await store.getTenant(unique('missing'))).toBeUndefined();
  });

  it('lists the stored tenants and no keys when tenants are listed', async () => {
    const first = tenant();
    const second = tenant();
    await store.createTenant(first);
    await store.createTenant(second);
    await store.createKey(key(first.id, newSecret()));

    const listed = await store.listTenants();

    expect(listed).toEqual(expect.arrayContaining([first, second]));
    expect(listed.every((candidate) => !('tenant_id' in candidate) && !('kind' in candidate) && !('pk' in candidate))).toBe(true);
  });

  it('replaces the tenant when it is put', async () => {
    const created = tenant({ rpm_limit: 60 });
    await store.createTenant(created);
    const { rpm_limit: _removed, ...withoutLimit } = created;

    await store.putTenant({ ...withoutLimit, name: 'Renamed' });

    expect(await store.getTenant(created.id)).toEqual({ ...withoutLimit, name: 'Renamed' });
  });

  it('fails with NotFoundError when a missing tenant is put', async () => {
    await expect(store.putTenant(tenant())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('removes the tenant when it is deleted', async () => {
    const created = tenant();
    await store.createTenant(created);

    await store.deleteTenant(created.id);

    expect(await store.getTenant(created.id)).toBeUndefined();
  });

  it('fails with NotFoundError when a missing tenant is deleted', async () => {
    await expect(store.deleteTenant(unique('missing'))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('DynamoDB tenancy store: keys', () => {
  let owner: Tenant;

  beforeAll(async () => {
    owner = tenant({ rpm_limit: 600 });
    await store.createTenant(owner);
  });

  it('finds the key and its tenant by hash when a key is created', async () => {
    const secret = newSecret();
    const created = key(owner.id, secret, { name: 'ci', models: ['demo'], max_budget: 50, budget_duration: '30d', expires_at: '2030-01-01T00:00:00.000Z' });

    await store.createKey(created);

    expect(await store.findKeyByHash(sha256Hex(secret))).toEqual({ key: created, tenant: owner });
  });

  it('returns undefined when no key has the hash', async () => {
    expect(await store.findKeyByHash(sha256Hex(newSecret()))).toBeUndefined();
  });

  it('returns the key by id when it is asked for', async () => {
    const created = key(owner.id, newSecret());
    await store.createKey(created);

    expect(await store.getKey(created.id)).toEqual(created);
  });

  it('fails with AlreadyExistsError when the key id is taken', async () => {
    const created = key(owner.id, newSecret());
    await store.createKey(created);

    await expect(store.createKey({ ...created, key_hash: sha256Hex(newSecret()) })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('fails with AlreadyExistsError and stores nothing when the hash is taken', async () => {
    const secret = newSecret();
    await store.createKey(key(owner.id, secret));
    const duplicate = key(owner.id, secret);

    await expect(store.createKey(duplicate)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store.getKey(duplicate.id)).toBeUndefined();
  });

  it('lists only the tenant\'s keys when a tenant id is given', async () => {
    const other = tenant();
    await store.createTenant(other);
    const mine = key(other.id, newSecret());
    await store.createKey(mine);
    await store.createKey(key(owner.id, newSecret()));

    expect(await store.listKeys(other.id)).toEqual([mine]);
  });

  it('lists keys of every tenant and no hash lookups when no tenant id is given', async () => {
    const created = key(owner.id, newSecret());
    await store.createKey(created);

    const listed = await store.listKeys();

    expect(listed).toContainEqual(created);
    expect(listed.every((candidate) => typeof candidate.id === 'string' && typeof candidate.key_hash === 'string')).toBe(true);
  });

  it('keeps the hash working when a key is put with the same hash', async () => {
    const secret = newSecret();
    const created = key(owner.id, secret, { rpm_limit: 10 });
    await store.createKey(created);

    await store.putKey({ ...created, rpm_limit: 20, status: 'revoked' });

    expect((await store.findKeyByHash(sha256Hex(secret)))?.key).toEqual({ ...created, rpm_limit: 20, status: 'revoked' });
  });

  it('makes the old hash unknown and the new one known when a key is rotated', async () => {
    const oldSecret = newSecret();
    const newSecretValue = newSecret();
    const created = key(owner.id, oldSecret);
    await store.createKey(created);

    await store.putKey({ ...created, key_hash: sha256Hex(newSecretValue), key_prefix: newSecretValue.slice(0, 10) });

    expect(await store.findKeyByHash(sha256Hex(oldSecret))).toBeUndefined();
    expect((await store.findKeyByHash(sha256Hex(newSecretValue)))?.key.id).toBe(created.id);
  });

  it('fails with AlreadyExistsError and keeps the old hash when a rotation takes a hash in use', async () => {
    const takenSecret = newSecret();
    await store.createKey(key(owner.id, takenSecret));
    const oldSecret = newSecret();
    const created = key(owner.id, oldSecret);
    await store.createKey(created);

    await expect(store.putKey({ ...created, key_hash: sha256Hex(takenSecret) })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.findKeyByHash(sha256Hex(oldSecret)))?.key.id).toBe(created.id);
  });

  it('fails with NotFoundError when a missing key is put', async () => {
    await expect(store.putKey(key(owner.id, newSecret()))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('holds no plaintext secret anywhere in the table when keys are created and rotated', async () => {
    const first = newSecret();
    const rotated = newSecret();
    const created = key(owner.id, first);
    await store.createKey(created);
    await store.putKey({ ...created, key_hash: sha256Hex(rotated), key_prefix: rotated.slice(0, 10) });

    const table = JSON.stringify(await scanWholeTable());

    expect(table).not.toContain(first);
    expect(table).not.toContain(rotated);
    expect(table).not.toContain(first.slice(6));
    expect(table).not.toContain(rotated.slice(6));
  });
});
