import { inject } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbTenancy, type DynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { randomUUID } from 'node:crypto';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { ensureTables } from '../../functions/platform/dynamodb/table-definitions.js';
import type { InProcessQueue } from '../../functions/platform/in-process-queue.js';
import { createQueueUsageSink } from '../../functions/platform/sqs-usage-sink.js';
import { createLocalUsageQueue } from '../../functions/local/local-tenancy.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

/** A clock the test moves by hand; starts 5 s into a minute so a test never straddles a window by accident. */
export function manualClock(start = Date.UTC(2026, 10, 23, 12, 0, 5)) {
  return {
    nowMs: start,
    now() {
      return this.nowMs;
    },
    advance(milliseconds: number) {
      this.nowMs += milliseconds;
    },
  };
}

export const TENANCY_CONFIG = `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
  - model_name: metered              # $0.001 per output token, nothing for input: 5 output tokens = $0.005
    litellm_params:
      model: demo/echo
      input_cost_per_token: 0
      output_cost_per_token: 0.001
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  key_cache_ttl_seconds: 30
`;

export interface TenancyEnvironment {
  gateway: RunningGateway;
  tenancy: DynamoDbTenancy;
  client: DynamoDBClient;
  tables: { tenancy: string; counters: string; usage: string };
  clock: ReturnType<typeof manualClock>;
  /** DynamoDB commands sent since the last `calls.length = 0`, by name. */
  calls: string[];
  /** The in-process queue feeding the aggregator; `drain()` waits for records to be counted. */
  usageQueue: InProcessQueue;
}

/** A gateway over fresh DynamoDB Local tables, with a manual clock and a count of DynamoDB calls. */
export async function startTenancyEnvironment(config = TENANCY_CONFIG): Promise<TenancyEnvironment> {
  const suffix = randomUUID().slice(0, 8);
  const names = { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}`, usage: `usage-${suffix}` };
  const client = localDynamoDbClient(inject('dynamoDbEndpoint'));
  await ensureTables(client, names);
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const clock = manualClock();
  // The aggregator gets its own client, so `calls` counts only the request path (auth, admission, settlement).
  const tenancy = { ...createDynamoDbTenancy(client, { tenancy: names.tenancy, counters: names.counters }, clock), usage: createDynamoDbTenancy(localDynamoDbClient(inject('dynamoDbEndpoint')), names, clock).usage };
  const queue = createLocalUsageQueue(tenancy, { info: () => undefined, warn: () => undefined, error: () => undefined });
  const gateway = await startGateway(config, { tenancy, clock, usageSink: createQueueUsageSink(queue) });
  return { gateway, tenancy, client, tables: names, clock, calls, usageQueue: queue };
}

/** Retries `check` until it passes: settlement runs after the response, so counters catch up a moment later. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Resolves once no DynamoDB call has been made for `quietMs` (the last settlement has landed). */
export async function quiescent(environment: TenancyEnvironment, quietMs = 150): Promise<void> {
  let seen = -1;
  while (seen !== environment.calls.length) {
    seen = environment.calls.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

export async function admin<T = Record<string, unknown>>(environment: TenancyEnvironment, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${environment.gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`admin ${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Creates a tenant and one key for it; returns the key's secret and id. */
export async function tenantWithKey(
  environment: TenancyEnvironment,
  tenant: Record<string, unknown>,
  key: Record<string, unknown> = {},
): Promise<{ secret: string; keyId: string }> {
  await admin(environment, 'POST', '/admin/tenants', { name: String(tenant['id']), ...tenant });
  const created = await admin<{ id: string; key: string }>(environment, 'POST', '/admin/keys', { tenant_id: tenant['id'], ...key });
  return { secret: created.key, keyId: created.id };
}

export async function chat(environment: TenancyEnvironment, secret: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${environment.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, any> };
}
