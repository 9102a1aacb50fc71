import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CounterStore } from '../../core/admission/counter-store.js';
import type { AdminCounterReader } from '../../core/admin/admin-counter-reader.js';
import type { Clock, Logger } from '../../core/ports.js';
import type { CooldownStore } from '../../core/routing/cooldown-store.js';
import type { TenancyStore } from '../../core/tenancy/tenancy-store.js';
import type { UsageQueryStore } from '../../core/usage/usage-query-store.js';
import type { UsageStore } from '../../core/usage/usage-store.js';
import { createDynamoDbAdminCounterReader } from './dynamodb-admin-counter-reader.js';
import { createDynamoDbCooldownStore } from './dynamodb-cooldown-store.js';
import { createDynamoDbCounterStore } from './dynamodb-counter-store.js';
import { createDynamoDbTenancyStore } from './dynamodb-tenancy-store.js';
import { createDynamoDbUsageQueryStore } from './dynamodb-usage-query-store.js';
import { createDynamoDbUsageStore } from './dynamodb-usage-store.js';
import type { TableNames } from './table-definitions.js';

export interface DynamoDbTenancy {
  store: TenancyStore;
  counters: CounterStore;
  /** Deployment cooldowns shared by every instance (items in the counters table). */
  cooldowns: CooldownStore;
  usageReader: AdminCounterReader;
  /** With a usage table: the aggregator's idempotent ingest, and the cost queries. */
  usage?: { store: UsageStore; queries: UsageQueryStore };
}

/** The DynamoDB adapters over one client, the same on Lambda and on the local server (DynamoDB Local). */
export function createDynamoDbTenancy(client: DynamoDBClient, names: TableNames, clock: Clock, options: { usageRetentionDays?: number; logger?: Logger } = {}): DynamoDbTenancy {
  return {
    store: createDynamoDbTenancyStore({ client, tableName: names.tenancy }),
    counters: createDynamoDbCounterStore({ client, tableName: names.counters }),
    cooldowns: createDynamoDbCooldownStore({ client, tableName: names.counters }),
    usageReader: createDynamoDbAdminCounterReader({ client, tableName: names.counters, clock }),
    usage:
      names.usage === undefined
        ? undefined
        : {
            store: createDynamoDbUsageStore({ client, tableName: names.usage, retentionDays: options.usageRetentionDays, logger: options.logger }),
            queries: createDynamoDbUsageQueryStore({ client, tableName: names.usage }),
          },
  };
}
