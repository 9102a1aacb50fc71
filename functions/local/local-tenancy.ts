import { randomBytes, randomUUID } from 'node:crypto';
import type { ResponseStore } from '../core/storage/response-store.js';
import { createDynamoDbResponseStore } from '../platform/dynamodb/dynamodb-response-store.js';
import { createAdminHandler } from '../core/admin/admin-handler.js';
import type { GatewayHandler } from '../core/http/gateway-http.js';
import type { Clock, Logger } from '../core/ports.js';
import type { UsageQueryStore } from '../core/usage/usage-query-store.js';
import { createDynamoDbTenancy, type DynamoDbTenancy } from '../platform/dynamodb/dynamodb-tenancy.js';
import { localDynamoDbClient, startDynamoDbLocal } from '../platform/dynamodb/dynamodb-local.js';
import { ensureTables } from '../platform/dynamodb/table-definitions.js';
import { createInProcessQueue, type InProcessQueue } from '../platform/in-process-queue.js';
import { createQueueUsageSink } from '../platform/sqs-usage-sink.js';
import { aggregateUsageBatch } from '../core/usage/aggregate-usage-batch.js';
import type { UsageSink } from '../core/usage/usage-record.js';

/** The table names the local server creates in DynamoDB Local. */
export const LOCAL_TABLE_NAMES = { tenancy: 'llm-gateway-tenancy', counters: 'llm-gateway-counters', usage: 'llm-gateway-usage' } as const;

export interface LocalTenancy {
  tenancy: DynamoDbTenancy;
  /** Stored Responses API responses, in the counters table as on AWS. */
  responseStore: ResponseStore;
  /** Usage records into the in-process queue that feeds the aggregator, as SQS does on AWS. */
  usageSink: UsageSink;
  /** Resolves once every record sent so far has been aggregated (tests, shutdown). */
  drainUsage(): Promise<void>;
  /** Where the data lives, for the start-up banner. */
  description: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB for `npm start`, chosen by GATEWAY_DYNAMODB:
 *   (unset)      start DynamoDB Local, data kept in .gateway-data/dynamodb between runs
 *   memory       start DynamoDB Local in memory
 *   http://…     use a DynamoDB (Local) already running there
 *   off          no tenants or virtual keys: master key only
 * The very same DynamoDB adapters as on Lambda are used; there is no in-memory stand-in.
 */
export async function startLocalTenancy(setting: string | undefined, clock: Clock, logger: Logger): Promise<LocalTenancy | undefined> {
  if (setting === 'off') return undefined;
  let endpoint: string;
  let stop: () => Promise<void> = async () => undefined;
  let description: string;
  if (setting?.startsWith('http://') || setting?.startsWith('https://')) {
    endpoint = setting;
    description = `DynamoDB at ${setting}`;
  } else {
    const inMemory = setting === 'memory';
    const dataDirectory = '.gateway-data/dynamodb';
    const local = await startDynamoDbLocal(inMemory ? { inMemory: true } : { dataDirectory });
    endpoint = local.endpoint;
    stop = local.stop;
    description = `DynamoDB Local at ${endpoint} (${inMemory ? 'in memory' : `data in ${dataDirectory}`})`;
  }
  const client = localDynamoDbClient(endpoint);
  await ensureTables(client, LOCAL_TABLE_NAMES);
  const tenancy = createDynamoDbTenancy(client, LOCAL_TABLE_NAMES, clock);
  const queue = createLocalUsageQueue(tenancy, logger, LOCAL_DEAD_LETTER_DIRECTORY);
  return {
    tenancy,
    responseStore: createDynamoDbResponseStore({ client, tableName: LOCAL_TABLE_NAMES.counters }),
    usageSink: createQueueUsageSink(queue),
    drainUsage: () => queue.drain(),
    description,
    stop: async () => {
      await queue.stop();
      await stop();
    },
  };
}

/** Where `npm start` spills usage records the aggregator refused three times (`npm run usage:replay -- <this directory>`). */
export const LOCAL_DEAD_LETTER_DIRECTORY = '.gateway-data/dead-letters';

/**
 * The in-process queue in front of the very same aggregator the SQS-triggered Lambda runs.
 * Dead letters go to `deadLetterDirectory` when given, else whole into the error log.
 */
export function createLocalUsageQueue(tenancy: DynamoDbTenancy, logger: Logger, deadLetterDirectory?: string): InProcessQueue {
  const usageStore = tenancy.usage?.store;
  if (!usageStore) throw new Error('The local tenancy has no usage table.');
  return createInProcessQueue({ consume: (messages) => aggregateUsageBatch(messages, usageStore, logger), batchSize: 10, logger, deadLetterDirectory });
}

/**
 * The admin API over the local tables (the local server guards it with the master key).
 * With `usage` (e.g. `createDynamoDbUsageQueryStore` over the local usage table) it also serves
 * `/admin/usage` and `/admin/usage/requests`; without it those answer 501.
 */
export function createLocalAdminHandler(
  tenancy: DynamoDbTenancy,
  clock: Clock,
  logger: Logger,
  usage: UsageQueryStore | undefined = tenancy.usage?.queries,
): GatewayHandler {
  return createAdminHandler({
    store: tenancy.store,
    counters: tenancy.usageReader,
    ...(usage === undefined ? {} : { usage }),
    clock,
    ids: { next: () => randomUUID().replaceAll('-', '').slice(0, 20) },
    randomSecret: () => randomBytes(32).toString('base64url'),
    logger,
  });
}
