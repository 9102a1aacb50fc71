import {
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../core/ports.js';
import { sanitizeUsageRecord } from '../../core/usage/sanitize-usage-record.js';
import type { UsageRecord } from '../../core/usage/usage-record.js';
import type { UsageIngestOutcome, UsageStore } from '../../core/usage/usage-store.js';
import { rollupAmounts, rollupTargets, usageKeys, type RollupTarget } from '../../core/usage/usage-table-layout.js';
import { toItem } from './attribute-value-codec.js';
import { USAGE_TABLE_TTL_ATTRIBUTE } from './table-definitions.js';

export interface DynamoDbUsageStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a raw record is kept after its timestamp (TTL); roll-ups are kept for ever. @default 90 */
  readonly retentionDays?: number;
  /** Tries of one transaction that meets conflicts on roll-up items before giving up. @default 10 */
  readonly conflictAttempts?: number;
  /** Told when a record had to be sanitised to be stored (field names and reasons, never values). */
  readonly logger?: Logger;
}

/**
 * Usage in the usage table (layout: `functions/core/usage/usage-table-layout.ts`). Ingesting a
 * record is ONE TransactWriteItems: a put-if-absent of the raw record, keyed by the record
 * itself, and an ADD to each of its roll-ups. A redelivered record fails the put's condition,
 * which cancels the whole transaction, so no roll-up is ever counted twice.
 *
 * Roll-ups are shared by many records (the global ones by all of them), so concurrent
 * transactions conflict; nothing is applied then, and the transaction is tried again after a
 * jittered back-off, up to `conflictAttempts` times.
 *
 * Every record is first made storable (`sanitizeUsageRecord`: client-chosen values bounded,
 * unstorable metadata removed), whichever way it came (the aggregator, the gateway's direct
 * write, a replay): DynamoDB refusing one value would otherwise refuse the whole transaction,
 * and the request's cost would never be counted.
 */
export function createDynamoDbUsageStore(options: DynamoDbUsageStoreOptions): UsageStore {
  const { client } = options;
  const transaction = { tableName: options.tableName, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS };
  const conflictAttempts = options.conflictAttempts ?? DEFAULT_CONFLICT_ATTEMPTS;

  async function ingest(unchecked: UsageRecord): Promise<UsageIngestOutcome> {
    const { record, changes } = sanitizeUsageRecord(unchecked);
    if (changes.length > 0) {
      options.logger?.warn('usage_record_sanitized', {
        requestId: record.request_id,
        sanitized: changes.map((change) => `${change.field}: ${change.reason}`),
      });
    }
    const input = transactionOfStorable(record, transaction);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new TransactWriteItemsCommand(input));
        return 'counted';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        // The raw put is the first action: its condition fails only when the record is already in.
        if (codes[0] === 'ConditionalCheckFailed') return 'duplicate';
        const conflictOnly = codes.length > 0 && codes.every((code) => code === 'None' || code === 'TransactionConflict');
        if (!conflictOnly || attempt >= conflictAttempts) throw error;
        await pause(attempt);
      }
    }
  }

  return { ingest };
}

const DEFAULT_RETENTION_DAYS = 90;
const DEFAULT_CONFLICT_ATTEMPTS = 10;
const SECONDS_PER_DAY = 86_400;

/**
 * The one transaction that ingests a record: Put of the raw item (if absent) first, then one
 * Update per roll-up. Exported so the bench can send it with `ReturnConsumedCapacity`; the record
 * is made storable first, as `ingest` does.
 */
export function usageIngestTransaction(unchecked: UsageRecord, options: { tableName: string; retentionDays: number }): TransactWriteItemsCommandInput {
  return transactionOfStorable(sanitizeUsageRecord(unchecked).record, options);
}

/** The ingest transaction of a record already made storable (sanitizeUsageRecord). */
function transactionOfStorable(record: UsageRecord, options: { tableName: string; retentionDays: number }): TransactWriteItemsCommandInput {
  const rawKey = usageKeys.raw(record);
  const expiresAt = Math.floor(Date.parse(record.timestamp) / 1000) + options.retentionDays * SECONDS_PER_DAY;
  const put: TransactWriteItem = {
    Put: {
      TableName: options.tableName,
      Item: {
        ...toItem({ ...record }),
        pk: { S: rawKey.pk },
        sk: { S: rawKey.sk },
        [USAGE_TABLE_TTL_ATTRIBUTE]: { N: String(expiresAt) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const amounts = rollupAmounts(record);
  const updates = rollupTargets(record).map((target) => ({ Update: rollupUpdate(options.tableName, target, amounts) }));
  return { TransactItems: [put, ...updates] };
}

function rollupUpdate(tableName: string, target: RollupTarget, amounts: Readonly<Record<string, number | bigint>>): NonNullable<TransactWriteItem['Update']> {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const placeholders = (name: string, value: AttributeValue): [string, string] => {
    const index = Object.keys(names).length;
    names[`#n${index}`] = name;
    values[`:v${index}`] = value;
    return [`#n${index}`, `:v${index}`];
  };
  const add = Object.entries(amounts).map(([name, amount]) => placeholders(name, { N: String(amount) }).join(' '));
  const set = Object.entries(target.dimensions).map(([name, value]) => placeholders(name, { S: value }).join(' = '));
  return {
    TableName: tableName,
    Key: { pk: { S: target.pk }, sk: { S: target.sk } },
    UpdateExpression: [`ADD ${add.join(', ')}`, set.length > 0 ? `SET ${set.join(', ')}` : ''].filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Full jitter, growing from 10 ms to at most 500 ms: spreads out the transactions that just collided. */
function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(500, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
