// 10,000 usage records, 10% of them delivered twice, in shuffled order, through the aggregator's
// batch function and the DynamoDB usage store, against the run's DynamoDB Local: every roll-up
// must come out as the exact sum over the distinct records, however the transactions collided. Costs
// are integer pico-dollars, some of them large enough that a day's sum passes 2^53 (a double would
// round it), and a report over the whole range must show the exact total.
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { aggregateUsageBatch, type UsageMessage } from '../../functions/core/usage/aggregate-usage-batch.js';
import type { Logger } from '../../functions/core/ports.js';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { rollupAmounts, rollupTargets } from '../../functions/core/usage/usage-table-layout.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { createDynamoDbUsageQueryStore } from '../../functions/platform/dynamodb/dynamodb-usage-query-store.js';
import { wholeNumberOf } from '../../functions/core/usage/usage-query-store.js';
import { queryUsageReport } from '../../functions/core/usage/usage-queries.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';
import { seededRandom } from '../support/seeded-random.js';

const RECORDS = 10_000;
const DUPLICATE_SHARE = 0.1;
const BATCH_SIZE = 100;
/** Batches in flight at once, like as many aggregator instances; each ingests 5 records at a time. */
const BATCH_CONCURRENCY = 4;
/** SQS delivers failed messages again; a test round stands for one redelivery. */
const MAX_DELIVERY_ROUNDS = 5;

const TENANTS = 6;
const KEYS_PER_TENANT = 4;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'llama-3.1-8b', 'mistral-small', 'text-embedding-3-small'];
const END_USERS = 40;
const RUN_IDS = 4;
const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24'];

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function syntheticRecords(random: () => number): UsageRecord[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const integer = (maximum: number) => Math.floor(random() * (maximum + 1));
  return Array.from({ length: RECORDS }, (_, index): UsageRecord => {
    const tenant = integer(TENANTS - 1);
    const hour = String(integer(23)).padStart(2, '0');
    const minute = String(integer(59)).padStart(2, '0');
    const status = random() < 0.9 ? 200 : pick([400, 429, 502, 504]);
    const served = status === 200;
    const endUser = random() < 0.7 ? `user-${integer(END_USERS - 1)}` : undefined;
    const runId = random() < 0.05 ? `run-${integer(RUN_IDS - 1)}` : undefined;
    // Mostly cents and fractions of a cent (a 10-token embedding at $0.02/M is 200,000); 1% of requests near $9,000.
    const costPicos = random() < 0.01 ? Number.MAX_SAFE_INTEGER - integer(1_000_000_000) : integer(50_000_000_000);
    return {
      v: 2,
      request_id: `request-${index}`,
      timestamp: `${pick(DAYS)}T${hour}:${minute}:${String(integer(59)).padStart(2, '0')}.${String(integer(999)).padStart(3, '0')}Z`,
      tenant_id: `tenant-${tenant}`,
      key_id: `key-${tenant}-${integer(KEYS_PER_TENANT - 1)}`,
      ...(endUser === undefined ? {} : { end_user: endUser }),
      model: pick(MODELS),
      provider: 'openai',
      upstream_model: 'upstream',
      deployment: 'model_list[0]',
      operation: 'chat',
      status,
      ...(served ? {} : { error_code: 'upstream_error' }),
      stream: random() < 0.5,
      prompt_tokens: integer(4000),
      completion_tokens: served ? integer(2000) : 0,
      cache_read_tokens: integer(1000),
      cache_write_tokens: integer(500),
      cache_write_1h_tokens: integer(100),
      reasoning_tokens: integer(300),
      cost_picos: costPicos,
      cost_usd: costPicos / 1e12,
      ...(random() < 0.05 ? { unpriced: true } : {}),
      estimated: false,
      latency_ms: integer(5000),
      attempts: 1,
      fallback: false,
      tags: [],
      ...(runId === undefined ? {} : { run_id: runId }),
    };
  });
}

function shuffle<T>(values: T[], random: () => number): T[] {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [values[index], values[other]] = [values[other]!, values[index]!];
  }
  return values;
}

type Sums = Record<string, bigint>;

/** pk → sk → the sums every roll-up item should hold, over the distinct records. */
function expectedRollups(records: UsageRecord[]): Map<string, Map<string, Sums>> {
  const partitions = new Map<string, Map<string, Sums>>();
  for (const record of records) {
    const amounts = rollupAmounts(record);
    for (const target of rollupTargets(record)) {
      const items = partitions.get(target.pk) ?? new Map<string, Sums>();
      partitions.set(target.pk, items);
      const sums = items.get(target.sk) ?? Object.fromEntries(Object.keys(amounts).map((name) => [name, 0n]));
      for (const [name, amount] of Object.entries(amounts)) sums[name] = sums[name]! + BigInt(amount);
      items.set(target.sk, sums);
    }
  }
  return partitions;
}

async function storedPartition(client: DynamoDBClient, tableName: string, pk: string, names: string[]): Promise<Map<string, Sums>> {
  const items = new Map<string, Sums>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    for (const item of page.Items ?? []) {
      items.set(item['sk']!.S!, Object.fromEntries(names.map((name) => [name, wholeNumberOf(item[name]?.N) ?? -1n])));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function deliver(messages: UsageMessage[], ingest: (batch: UsageMessage[]) => Promise<string[]>): Promise<number> {
  let pending = messages;
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_DELIVERY_ROUNDS) throw new Error(`${pending.length} messages still failing after ${MAX_DELIVERY_ROUNDS} deliveries`);
    const batches: UsageMessage[][] = [];
    for (let start = 0; start < pending.length; start += BATCH_SIZE) batches.push(pending.slice(start, start + BATCH_SIZE));
    const failed: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, async () => {
      while (next < batches.length) failed.push(...(await ingest(batches[next++]!)));
    }));
    const failedIds = new Set(failed);
    pending = pending.filter((message) => failedIds.has(message.messageId));
    if (pending.length === 0) return round;
  }
  return 1;
}

describe('usage roll-ups', () => {
  const usage = useTestUsageTable();

  it('equal the exact sums over the distinct records when 10,000 records arrive shuffled with 10% delivered twice', async () => {
    const random = seededRandom(20261123);
    const records = syntheticRecords(random);
    const redelivered = records.filter(() => random() < DUPLICATE_SHARE);
    const messages = shuffle([...records, ...redelivered], random)
      .map((record, index): UsageMessage => ({ messageId: `message-${index}`, body: JSON.stringify(record) }));
    const store = createDynamoDbUsageStore(usage);
    const expected = expectedRollups(records);
    const names = Object.keys(rollupAmounts(records[0]!));

    const started = performance.now();
    const rounds = await deliver(messages, async (batch) =>
      (await aggregateUsageBatch(batch, store, silentLogger)).batchItemFailures.map((failure) => failure.itemIdentifier));
    const elapsedMs = performance.now() - started;

    const stored = new Map<string, Map<string, Sums>>();
    for (const pk of expected.keys()) stored.set(pk, await storedPartition(usage.client, usage.tableName, pk, names));
    console.info(`usage roll-ups: ${messages.length} deliveries in ${Math.round(elapsedMs)} ms (${Math.round(messages.length / (elapsedMs / 1000))}/s), ${rounds} round(s), ${expected.size} partitions`);
    expect(redelivered.length).toBeGreaterThan(RECORDS * DUPLICATE_SHARE * 0.9);
    expect(stored).toEqual(expected);
    const report = await queryUsageReport(createDynamoDbUsageQueryStore(usage), { kind: 'range', filters: {}, groupBy: 'day', from: DAYS[0]!, to: DAYS.at(-1)! });
    const exactTotal = records.reduce((sum, record) => sum + BigInt(record.cost_picos), 0n);
    expect(exactTotal).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(report.totals.cost_picos).toBe(exactTotal.toString());
  }, 180_000);
});
