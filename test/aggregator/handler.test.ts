import { usageRecord } from '../support/usage-records.js';
import { describe, expect, it, vi } from 'vitest';
import { useAwsSdkOnDynamoDbLocal, useTestUsageTable } from '../support/dynamodb-test-tables.js';

type AggregatorLambda = (event: unknown, context: object) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

/** The fields Lambda's SQS event source sends, for one message. */
function sqsMessage(messageId: string, body: string) {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795435205000', SenderId: 'AROAEXAMPLE', ApproximateFirstReceiveTimestamp: '1795435205100' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:usage',
    awsRegion: 'eu-west-1',
  };
}

const VALID_RECORD = usageRecord({ request_id: 'handler-request-1' });

/** The handler module builds its store once per module instance, so each test loads a fresh one. */
async function loadHandler(): Promise<AggregatorLambda> {
  vi.resetModules();
  const module = await import('../../functions/aggregator/handler.js');
  return module.handler as unknown as AggregatorLambda;
}

describe('aggregator handler', () => {
  const usage = useTestUsageTable();
  useAwsSdkOnDynamoDbLocal();

  it('returns the malformed record alone in batchItemFailures when a batch holds one', async () => {
    vi.stubEnv('USAGE_TABLE', usage.tableName);
    const handler = await loadHandler();
    const event = { Records: [sqsMessage('message-valid', JSON.stringify(VALID_RECORD)), sqsMessage('message-malformed', '{"v":1,')] };

    const result = await handler(event, {});

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-malformed' }] });
  });

  it('returns every message in batchItemFailures when USAGE_TABLE is not set', async () => {
    vi.stubEnv('USAGE_TABLE', undefined);
    const handler = await loadHandler();
    const event = { Records: [sqsMessage('message-1', JSON.stringify(VALID_RECORD)), sqsMessage('message-2', JSON.stringify(VALID_RECORD))] };

    const result = await handler(event, {});

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-1' }, { itemIdentifier: 'message-2' }] });
  });
});
