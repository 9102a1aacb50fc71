/**
 * Lambda entry for the usage aggregator: an SQS event source delivers batches of usage
 * records, and the function answers with the ones to deliver again (ReportBatchItemFailures).
 * The store is built once per container from `USAGE_TABLE`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { aggregateUsageBatch, type UsageBatchResult } from '../core/usage/aggregate-usage-batch.js';
import type { UsageStore } from '../core/usage/usage-store.js';
import { createDynamoDbUsageStore } from '../platform/dynamodb/dynamodb-usage-store.js';
import { createJsonLogger } from '../platform/json-logger.js';

/** The fields of Lambda's SQS event this function reads. */
export interface SqsEvent {
  Records: Array<{ messageId: string; body: string }>;
}

const logger = createJsonLogger({ component: 'aggregator' });
let store: UsageStore | undefined;

function getStore(env: NodeJS.ProcessEnv): UsageStore | undefined {
  if (store) return store;
  const tableName = env.USAGE_TABLE;
  if (!tableName) return undefined;
  store = createDynamoDbUsageStore({ client: new DynamoDBClient({}), tableName, logger });
  return store;
}

async function handleEvent(event: SqsEvent): Promise<UsageBatchResult> {
  const messages = event.Records.map(({ messageId, body }) => ({ messageId, body }));
  const usageStore = getStore(process.env);
  if (!usageStore) {
    // Every message goes back to the queue (and, if this persists, to the dead-letter queue): none is lost.
    logger.error('aggregator_misconfigured', { missing: 'USAGE_TABLE' });
    return { batchItemFailures: messages.map((message) => ({ itemIdentifier: message.messageId })) };
  }
  return aggregateUsageBatch(messages, usageStore, logger);
}

/** Lambda calls it as `(event, context)` with an SQS event and gets `{ batchItemFailures }` back. */
export const handler = middy<SqsEvent, UsageBatchResult>(handleEvent);
