/**
 * Lambda entry for the admin API behind its own function URL (auth type AWS_IAM, so
 * callers are authenticated by SigV4 before this runs). Buffered, not streaming.
 * The stores are built once per container from `TENANCY_TABLE`, `COUNTERS_TABLE` (a key's
 * `usage` in `GET /admin/keys/{id}`, omitted without it) and, for the cost queries
 * (`/admin/usage…`, 501 without it), `USAGE_TABLE`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { createAdminHandler, type AdminHandler } from '../core/admin/admin-handler.js';
import type { GatewayHttpResponse } from '../core/http/gateway-http.js';
import { createDynamoDbAdminCounterReader } from '../platform/dynamodb/dynamodb-admin-counter-reader.js';
import { createDynamoDbTenancyStore } from '../platform/dynamodb/dynamodb-tenancy-store.js';
import { createDynamoDbUsageQueryStore } from '../platform/dynamodb/dynamodb-usage-query-store.js';
import { createJsonLogger } from '../platform/json-logger.js';
import {
  toAdminRequest,
  toAdminResult,
  type AdminFunctionUrlEvent,
  type AdminFunctionUrlResult,
} from './admin-event-adapter.js';

const logger = createJsonLogger({ component: 'admin' });
let admin: AdminHandler | undefined;

function getAdmin(env: NodeJS.ProcessEnv): AdminHandler | undefined {
  if (admin) return admin;
  const tableName = env.TENANCY_TABLE;
  if (!tableName) return undefined;
  const client = new DynamoDBClient({});
  const countersTable = env.COUNTERS_TABLE;
  const usageTable = env.USAGE_TABLE;
  const clock = { now: Date.now };
  admin = createAdminHandler({
    store: createDynamoDbTenancyStore({ client, tableName }),
    ...(countersTable ? { counters: createDynamoDbAdminCounterReader({ client, tableName: countersTable, clock }) } : {}),
    ...(usageTable ? { usage: createDynamoDbUsageQueryStore({ client, tableName: usageTable }) } : {}),
    clock,
    ids: { next: () => randomUUID() },
    randomSecret: () => randomBytes(32).toString('base64url'),
    logger,
  });
  return admin;
}

async function handleEvent(event: AdminFunctionUrlEvent): Promise<AdminFunctionUrlResult> {
  const handle = getAdmin(process.env);
  if (!handle) {
    logger.error('admin_misconfigured', { missing: 'TENANCY_TABLE' });
    return toAdminResult(errorResponse('The admin API is misconfigured; see its logs.', 'admin_misconfigured'));
  }
  try {
    return await toAdminResult(await handle(toAdminRequest(event, new AbortController().signal)));
  } catch (error) {
    // The core renders its own errors; reaching here is a bug, so answer 500 without details.
    logger.error('admin_unhandled_error', error instanceof Error ? { errorName: error.name } : {});
    return toAdminResult(errorResponse('The admin API failed to handle this request.', 'internal_error'));
  }
}

function errorResponse(message: string, code: string): GatewayHttpResponse {
  return {
    status: 500,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { message, type: 'server_error', param: null, code } }),
  };
}

/** Lambda calls it as `(event, context)` and gets `{ statusCode, headers, body }` back. */
export const handler = middy<AdminFunctionUrlEvent, AdminFunctionUrlResult>(handleEvent);
