/**
 * The usage aggregator against DynamoDB Local (in memory, started here; needs Java): how many
 * records per second `aggregateUsageBatch` + the DynamoDB usage store ingest, and what one
 * ingest costs in DynamoDB write units.
 *
 * DynamoDB Local's speed says little about DynamoDB's (it runs on SQLite, serialises
 * transactions and shares this machine's cores with the bench), so the records/s figures
 * compare changes to the aggregator on one machine; they are not a capacity plan. The write
 * units are computed from the item sizes by DynamoDB's published rules and, when DynamoDB
 * Local reports consumed capacity, shown next to its figure.
 *
 * `runAggregatorBench()` returns the lines to print; `bench/run.ts` decides when to run it.
 * BENCH_AGGREGATOR_RECORDS, BENCH_AGGREGATOR_BATCH_CONCURRENCY and
 * BENCH_AGGREGATOR_RECORD_CONCURRENCY override the defaults below.
 */
import {
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItemsCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '../functions/core/ports.js';
import { aggregateUsageBatch, type UsageMessage } from '../functions/core/usage/aggregate-usage-batch.js';
import type { UsageRecord } from '../functions/core/usage/usage-record.js';
import { rollupAmounts, rollupTargets } from '../functions/core/usage/usage-table-layout.js';
import { localDynamoDbClient, startDynamoDbLocal } from '../functions/platform/dynamodb/dynamodb-local.js';
import { createDynamoDbUsageStore, usageIngestTransaction } from '../functions/platform/dynamodb/dynamodb-usage-store.js';
import { ensureTables } from '../functions/platform/dynamodb/table-definitions.js';

const RECORDS = positiveIntegerFromEnvironment('BENCH_AGGREGATOR_RECORDS', 2_000);
const WARMUP_RECORDS = 500;
const BATCH_SIZE = 100;
/** Batches in flight at once, like as many aggregator instances. */
const BATCH_CONCURRENCIES = [positiveIntegerFromEnvironment('BENCH_AGGREGATOR_BATCH_CONCURRENCY', 1), 4];
const RECORD_CONCURRENCY = positiveIntegerFromEnvironment('BENCH_AGGREGATOR_RECORD_CONCURRENCY', 5);
const TABLES = { tenancy: 'bench-aggregator-tenancy', counters: 'bench-aggregator-counters', usage: 'bench-aggregator-usage' };
const RETENTION_DAYS = 90;

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Printable lines: throughput at each batch concurrency, then the write units of one ingest. */
export async function runAggregatorBench(): Promise<string> {
  const dynamoDb = await startDynamoDbLocal({ inMemory: true });
  const client = localDynamoDbClient(dynamoDb.endpoint);
  try {
    await ensureTables(client, TABLES);
    const lines = ['usage aggregator → DynamoDB Local (in memory)'];

    // Warm up the JIT, the SDK client and DynamoDB Local's SQLite on other records than those measured.
    await ingestAll(client, syntheticRecords(WARMUP_RECORDS, 'warmup'), 1);

    for (const batchConcurrency of [...new Set(BATCH_CONCURRENCIES)]) {
      const records = syntheticRecords(RECORDS, `run-${batchConcurrency}`);
      const result = await ingestAll(client, records, batchConcurrency);
      lines.push(
        `  ${RECORDS} records, batches of ${BATCH_SIZE}, ${batchConcurrency} batch(es) × ${RECORD_CONCURRENCY} records in flight: `
        + `${Math.round(RECORDS / (result.elapsedMs / 1000))} records/s (${Math.round(result.elapsedMs)} ms), `
        + `${result.conflicts} transaction conflicts retried (${(result.conflicts / RECORDS).toFixed(2)} per record), `
        + `${result.failed} records failed`,
      );
    }

    lines.push(...(await writeUnitsOfOneIngest(client)));
    return lines.join('\n');
  } finally {
    client.destroy();
    await dynamoDb.stop();
  }
}

async function ingestAll(
  client: DynamoDBClient,
  records: UsageRecord[],
  batchConcurrency: number,
): Promise<{ elapsedMs: number; conflicts: number; failed: number }> {
  let conflicts = 0;
  // Counts the cancelled attempts the store retries; the store sees the client unchanged.
  const countingClient = {
    send: async (command: TransactWriteItemsCommand) => {
      try {
        return await client.send(command);
      } catch (error) {
        if (error instanceof TransactionCanceledException
          && error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict')) conflicts++;
        throw error;
      }
    },
  } as unknown as DynamoDBClient;
  const store = createDynamoDbUsageStore({ client: countingClient, tableName: TABLES.usage, retentionDays: RETENTION_DAYS });
  const batches: UsageMessage[][] = [];
  for (let start = 0; start < records.length; start += BATCH_SIZE) {
    batches.push(records.slice(start, start + BATCH_SIZE).map((record, index) => ({
      messageId: `${record.request_id}-${index}`,
      body: JSON.stringify(record),
    })));
  }

  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: batchConcurrency }, async () => {
    while (next < batches.length) {
      const result = await aggregateUsageBatch(batches[next++]!, store, silentLogger, { concurrency: RECORD_CONCURRENCY });
      failed += result.batchItemFailures.length;
    }
  }));
  return { elapsedMs: performance.now() - started, conflicts, failed };
}

/** One typical record (an end user, no run id: 10 items) sent with ReturnConsumedCapacity, next to the computed figure. */
async function writeUnitsOfOneIngest(client: DynamoDBClient): Promise<string[]> {
  const record = syntheticRecords(1, 'capacity')[0]!;
  const input = usageIngestTransaction(record, { tableName: TABLES.usage, retentionDays: RETENTION_DAYS });
  const output: TransactWriteItemsCommandOutput = await client.send(new TransactWriteItemsCommand({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
  const reported = output.ConsumedCapacity?.find((capacity) => capacity.TableName === TABLES.usage)?.CapacityUnits;

  const items = input.TransactItems ?? [];
  const rawSize = itemSize(items[0]!.Put!.Item!);
  const amounts = Object.fromEntries(Object.entries(rollupAmounts(record)).map(([name, amount]) => [name, { N: String(amount) }]));
  // An Update is charged for the larger of the item before and after; after is the larger here.
  const rollupSizes = rollupTargets(record).map((target) => itemSize({
    pk: { S: target.pk },
    sk: { S: target.sk },
    ...Object.fromEntries(Object.entries(target.dimensions).map(([name, value]) => [name, { S: value }])),
    ...amounts,
  }));
  // Transactional writes: 2 write units per started KB, per item.
  const units = (size: number) => 2 * Math.ceil(size / 1024);
  const computed = units(rawSize) + rollupSizes.reduce((sum, size) => sum + units(size), 0);
  return [
    `  one ingest = 1 TransactWriteItems of ${items.length} items: raw record ${rawSize} B + ${rollupSizes.length} roll-ups of ${Math.min(...rollupSizes)}–${Math.max(...rollupSizes)} B`,
    `  write units of one ingest, computed from item sizes (transactional: 2 WCU per started KB per item): ${computed} WCU`
    + ` (${computed} million write request units per million records on demand)`,
    reported === undefined
      ? '  DynamoDB Local reported no consumed capacity for the transaction (ReturnConsumedCapacity TOTAL): the figure above is computed'
      : `  DynamoDB Local reported ${reported} capacity units for the transaction (ReturnConsumedCapacity TOTAL); `
        + (reported === computed
          ? 'the same as computed'
          : 'it does not sum the items of a transaction the way DynamoDB bills them, so the computed figure is the one to plan with'),
  ];
}

/**
 * An item's size by DynamoDB's rules: each attribute's name (UTF-8 bytes) plus its value —
 * strings their UTF-8 bytes, numbers 1 byte per two significant digits + 1, booleans and nulls 1,
 * lists and maps 3 bytes + 1 per element + their elements (map keys counted like names).
 */
function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueSize(element), 0);
  throw new TypeError('The bench sizes S, N, BOOL, NULL, L and M attributes only.');
}

function numberSize(number: string): number {
  const digits = number.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function syntheticRecords(count: number, prefix: string): UsageRecord[] {
  return Array.from({ length: count }, (_, index): UsageRecord => ({
    v: 2,
    request_id: `${prefix}-${index}-0123456789abcdef`,
    timestamp: `2026-11-23T${String(index % 24).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:07.123Z`,
    tenant_id: `tenant-${index % 5}`,
    key_id: `key-${index % 20}`,
    end_user: `user-${index % 50}`,
    model: ['gpt-4o-mini', 'gpt-4o', 'llama-3.1-8b', 'mistral-small'][index % 4]!,
    provider: 'openai',
    upstream_model: 'gpt-4o-mini-2024-07-18',
    deployment: 'model_list[0]',
    operation: 'chat',
    status: 200,
    stream: true,
    prompt_tokens: 1200 + (index % 300),
    completion_tokens: 350 + (index % 100),
    cache_read_tokens: 512,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    cost_picos: 390_000_000 + (index % 50),
    cost_usd: (390_000_000 + (index % 50)) / 1e12,
    estimated: false,
    latency_ms: 2140,
    ttft_ms: 310,
    attempts: 1,
    fallback: false,
    tags: ['bench', 'aggregator'],
    metadata: { feature: 'summarise' },
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  }));
}

function positiveIntegerFromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
