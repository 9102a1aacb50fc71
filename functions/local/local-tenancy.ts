import { randomBytes, randomUUID } from 'node:crypto';
import { createAdminHandler } from '../core/admin/admin-handler.js';
import type { GatewayHandler } from '../core/http/gateway-http.js';
import type { Clock, Logger } from '../core/ports.js';
import { createDynamoDbTenancy, type DynamoDbTenancy } from '../platform/dynamodb/dynamodb-tenancy.js';
import { localDynamoDbClient, startDynamoDbLocal } from '../platform/dynamodb/dynamodb-local.js';
import { ensureTables } from '../platform/dynamodb/table-definitions.js';

/** The table names the local server creates in DynamoDB Local. */
export const LOCAL_TABLE_NAMES = { tenancy: 'llm-gateway-tenancy', counters: 'llm-gateway-counters' } as const;

export interface LocalTenancy {
  tenancy: DynamoDbTenancy;
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
export async function startLocalTenancy(setting: string | undefined, clock: Clock): Promise<LocalTenancy | undefined> {
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
  return { tenancy: createDynamoDbTenancy(client, LOCAL_TABLE_NAMES, clock), description, stop };
}

/** The admin API over the local tables (the local server guards it with the master key). */
export function createLocalAdminHandler(tenancy: DynamoDbTenancy, clock: Clock, logger: Logger): GatewayHandler {
  return createAdminHandler({
    store: tenancy.store,
    counters: tenancy.usageReader,
    clock,
    ids: { next: () => randomUUID().replaceAll('-', '').slice(0, 20) },
    randomSecret: () => randomBytes(32).toString('base64url'),
    logger,
  });
}
