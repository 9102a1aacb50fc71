import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResponseStore, StoredResponse } from '../../core/storage/response-store.js';
import { COUNTERS_TABLE_TTL_ATTRIBUTE, TENANCY_TABLE_KEY } from './table-definitions.js';

/**
 * Stored Responses API responses, as items in the counters table (it has a TTL; no new table):
 *
 *   pk = RESPONSE#<encoded tenant id>#<response id>
 *     record      S  the StoredResponse as JSON (at most MAX_STORED_RESPONSE_BYTES, checked by the caller)
 *     expires_at  N  epoch seconds (TTL); DynamoDB deletes late, so reads check it too
 *
 * The tenant is part of the key, so a read with another tenant's id finds nothing. Writes are
 * UpdateItem and reads GetItem: the gateway's existing grants on the table, which deliberately exclude
 * DeleteItem and PutItem. A delete is an UpdateItem that removes `record` and lets the key-only item expire.
 */
export function createDynamoDbResponseStore(options: { client: DynamoDBClient; tableName: string }): ResponseStore {
  const { client, tableName } = options;
  const keyOf = (tenantId: string, id: string) => ({ [TENANCY_TABLE_KEY]: { S: `RESPONSE#${encodeURIComponent(tenantId)}#${id}` } });
  return {
    async put(record: StoredResponse, json: string, expiresAtSeconds: number): Promise<void> {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(record.tenantId, record.id),
          UpdateExpression: 'SET #record = :record, #expires = :expires',
          ExpressionAttributeNames: { '#record': 'record', '#expires': COUNTERS_TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':record': { S: json }, ':expires': { N: String(expiresAtSeconds) } },
        }),
      );
    },
    async get(tenantId: string, id: string, nowSeconds: number): Promise<StoredResponse | undefined> {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(tenantId, id), ConsistentRead: true }));
      const text = Item?.['record']?.S;
      const expiresAt = Number(Item?.[COUNTERS_TABLE_TTL_ATTRIBUTE]?.N ?? 0);
      if (text === undefined || expiresAt <= nowSeconds) return undefined;
      const record = JSON.parse(text) as StoredResponse;
      return record.tenantId === tenantId && record.id === id ? record : undefined;
    },
    async delete(tenantId: string, id: string): Promise<boolean> {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(tenantId, id),
            UpdateExpression: 'REMOVE #record SET #expires = :now',
            ConditionExpression: 'attribute_exists(#record)',
            ExpressionAttributeNames: { '#record': 'record', '#expires': COUNTERS_TABLE_TTL_ATTRIBUTE },
            // Now: the emptied item is already expired for reads, and DynamoDB's TTL removes it.
            ExpressionAttributeValues: { ':now': { N: String(Math.floor(Date.now() / 1000)) } },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
