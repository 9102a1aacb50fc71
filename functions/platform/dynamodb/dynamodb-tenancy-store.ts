/**
 * TenancyStore on one DynamoDB table with a string partition key `pk` and no sort key:
 *
 * | pk                   | kind       | attributes                                  |
 * | -------------------- | ---------- | ------------------------------------------- |
 * | `TENANT#<id>`        | `tenant`   | the Tenant's fields                         |
 * | `KEY#<id>`           | `key`      | the VirtualKey's fields, `key_hash` included |
 * | `KEYHASH#<key_hash>` | `key_hash` | `key_id`, `tenant_id`                       |
 *
 * Authentication costs two reads (the hash lookup, then the key and its tenant in one
 * BatchGetItem). The secret itself is never stored. Lists scan the whole table with a
 * filter on `kind`: fine for the admin API's occasional use, never on the request path.
 */
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { AlreadyExistsError, NotFoundError, type TenancyStore } from '../../core/tenancy/tenancy-store.js';
import type { KeyWithTenant, Tenant, VirtualKey } from '../../core/tenancy/tenancy-types.js';
import { fromItem, toItem, type Item } from './attribute-value-codec.js';

export interface DynamoDbTenancyStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

type Kind = 'tenant' | 'key' | 'key_hash';

const tenantPk = (id: string): string => `TENANT#${id}`;
const keyPk = (id: string): string => `KEY#${id}`;
const keyHashPk = (keyHash: string): string => `KEYHASH#${keyHash}`;

const BATCH_GET_ATTEMPTS = 5;

export function createDynamoDbTenancyStore(options: DynamoDbTenancyStoreOptions): TenancyStore {
  const { client, tableName } = options;

  const keyOf = (pk: string): Item => ({ pk: { S: pk } });

  async function getItem(pk: string): Promise<Item | undefined> {
    const output = await client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(pk), ConsistentRead: true }));
    return output.Item;
  }

  /** The items under `pks` that exist, retrying unprocessed keys with a short back-off. */
  async function batchGet(pks: readonly string[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let pending: Item[] = pks.map(keyOf);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === BATCH_GET_ATTEMPTS) throw new Error('DynamoDB left keys unprocessed after several BatchGetItem attempts.');
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const output = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of output.Responses?.[tableName] ?? []) {
        if (item.pk?.S !== undefined) found.set(item.pk.S, item);
      }
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  }

  async function scan(kind: Kind, tenantId?: string): Promise<Item[]> {
    const items: Item[] = [];
    const values: Record<string, AttributeValue> = { ':kind': { S: kind } };
    let filter = '#kind = :kind';
    if (tenantId !== undefined) {
      values[':tenant_id'] = { S: tenantId };
      filter += ' AND tenant_id = :tenant_id';
    }
    let startKey: Item | undefined;
    do {
      const output = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: filter,
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  function tenantItem(tenant: Tenant): Item {
    return { ...toItem({ ...tenant }), pk: { S: tenantPk(tenant.id) }, kind: { S: 'tenant' } };
  }

  function keyItem(key: VirtualKey): Item {
    return { ...toItem({ ...key }), pk: { S: keyPk(key.id) }, kind: { S: 'key' } };
  }

  function keyHashItem(key: VirtualKey): Item {
    return {
      pk: { S: keyHashPk(key.key_hash) },
      kind: { S: 'key_hash' },
      key_id: { S: key.id },
      tenant_id: { S: key.tenant_id },
    };
  }

  /** Sends a conditional write; when its condition fails, throws what `onConditionFailed` gives instead. */
  async function sendConditional(
    command: PutItemCommand | DeleteItemCommand,
    onConditionFailed: () => Error | Promise<Error>,
  ): Promise<void> {
    try {
      await client.send(command as PutItemCommand);
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw await onConditionFailed();
      throw error;
    }
  }

  /** A conditional write on a key failed: gone (404), or changed under us (a plain error, 500). */
  async function keyWriteConflict(id: string): Promise<Error> {
    if ((await getItem(keyPk(id))) === undefined) return new NotFoundError(`Key ${id}`);
    return new Error(`Key ${id} was changed by another request while being updated; retry.`);
  }

  return {
    async findKeyByHash(keyHash) {
      const lookup = await getItem(keyHashPk(keyHash));
      if (!lookup) return undefined;
      const { key_id: keyId, tenant_id: tenantId } = fromItem(lookup);
      if (typeof keyId !== 'string' || typeof tenantId !== 'string') return undefined;
      const items = await batchGet([keyPk(keyId), tenantPk(tenantId)]);
      const keyRecord = items.get(keyPk(keyId));
      const tenantRecord = items.get(tenantPk(tenantId));
      if (!keyRecord || !tenantRecord) return undefined;
      const key = toVirtualKey(keyRecord);
      // The lookup and the key are written together; this only guards a half-finished manual edit.
      if (key.key_hash !== keyHash) return undefined;
      return { key, tenant: toTenant(tenantRecord) } satisfies KeyWithTenant;
    },

    async createTenant(tenant) {
      await sendConditional(
        new PutItemCommand({ TableName: tableName, Item: tenantItem(tenant), ConditionExpression: 'attribute_not_exists(pk)' }),
        () => new AlreadyExistsError(`Tenant ${tenant.id}`),
      );
    },

    async getTenant(id) {
      const item = await getItem(tenantPk(id));
      return item ? toTenant(item) : undefined;
    },

    async listTenants() {
      return (await scan('tenant')).map(toTenant);
    },

    async putTenant(tenant) {
      await sendConditional(
        new PutItemCommand({ TableName: tableName, Item: tenantItem(tenant), ConditionExpression: 'attribute_exists(pk)' }),
        () => new NotFoundError(`Tenant ${tenant.id}`),
      );
    },

    async deleteTenant(id) {
      await sendConditional(
        new DeleteItemCommand({ TableName: tableName, Key: keyOf(tenantPk(id)), ConditionExpression: 'attribute_exists(pk)' }),
        () => new NotFoundError(`Tenant ${id}`),
      );
    },

    async createKey(key) {
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: keyItem(key), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: keyHashItem(key), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
      } catch (error) {
        // Other reasons (a concurrent transaction on the same items, throttling) pass through.
        if (isTransactionCanceled(error) && cancellationCodes(error).includes('ConditionalCheckFailed')) {
          throw new AlreadyExistsError(`Key ${key.id} or its hash`);
        }
        throw error;
      }
    },

    async getKey(id) {
      const item = await getItem(keyPk(id));
      return item ? toVirtualKey(item) : undefined;
    },

    async listKeys(tenantId) {
      return (await scan('key', tenantId)).map(toVirtualKey);
    },

    async putKey(key) {
      const storedItem = await getItem(keyPk(key.id));
      if (!storedItem) throw new NotFoundError(`Key ${key.id}`);
      const stored = toVirtualKey(storedItem);
      // Every write is conditional on the hash read here, so a concurrent rotation is never undone.
      const putKey = {
        TableName: tableName,
        Item: keyItem(key),
        ConditionExpression: 'key_hash = :stored_hash',
        ExpressionAttributeValues: { ':stored_hash': { S: stored.key_hash } },
      };

      if (stored.key_hash === key.key_hash && stored.tenant_id === key.tenant_id) {
        await sendConditional(new PutItemCommand(putKey), () => keyWriteConflict(key.id));
        return;
      }

      const lookupWrites: TransactWriteItem[] =
        stored.key_hash === key.key_hash
          ? [
              {
                Put: {
                  TableName: tableName,
                  Item: keyHashItem(key),
                  ConditionExpression: 'key_id = :key_id',
                  ExpressionAttributeValues: { ':key_id': { S: key.id } },
                },
              },
            ]
          : [
              { Delete: { TableName: tableName, Key: keyOf(keyHashPk(stored.key_hash)) } },
              { Put: { TableName: tableName, Item: keyHashItem(key), ConditionExpression: 'attribute_not_exists(pk)' } },
            ];
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: putKey }, ...lookupWrites] }));
      } catch (error) {
        if (!isTransactionCanceled(error)) throw error;
        const reasons = cancellationCodes(error);
        if (reasons[0] === 'ConditionalCheckFailed') throw await keyWriteConflict(key.id);
        if (stored.key_hash !== key.key_hash && reasons[2] === 'ConditionalCheckFailed') {
          throw new AlreadyExistsError(`The new hash of key ${key.id}`);
        }
        throw error;
      }
    },
  };
}

function toTenant(item: Item): Tenant {
  const { pk: _pk, kind: _kind, ...tenant } = fromItem(item);
  return tenant as unknown as Tenant;
}

function toVirtualKey(item: Item): VirtualKey {
  const { pk: _pk, kind: _kind, ...key } = fromItem(item);
  return key as unknown as VirtualKey;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function isTransactionCanceled(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

/** `CancellationReasons[i].Code` per transaction item (`None`, `ConditionalCheckFailed`, …). */
function cancellationCodes(error: unknown): (string | undefined)[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
