import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTestUsageTable } from '../support/dynamodb-test-tables.js';

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

const VALID_RECORD = {
  v: 1,
  request_id: 'handler-request-1',
  timestamp: '2026-11-23T12:00:05.000Z',
  tenant_id: 'acme',
  key_id: 'key-1',
  model: 'gpt-4o-mini',
  provider: 'openai',
  upstream_model: 'gpt-4o-mini',
  deployment: 'model_list[0]',
  operation: 'chat',
  status: 200,
  stream: false,
  prompt_tokens: 10,
  completion_tokens: 20,
  cached_prompt_tokens: 0,
  reasoning_tokens: 0,
  cost_micros: 150,
  estimated: false,
  latency_ms: 420,
  attempts: 1,
  fallback: false,
  tags: [],
};

/** The handler module builds its store once per module instance, so each test loads a fresh one. */
async function loadHandler(): Promise<AggregatorLambda> {
  vi.resetModules();
  const module = await import('../../functions/aggregator/handler.js');
  return module.handler as unknown as AggregatorLambda;
}

describe('aggregator handler', () => {
  let usageTable: string;

  beforeAll(async () => {
    const endpoint = inject('dynamoDbEndpoint');
    const { client, tableName } = await createTestUsageTable(endpoint);
    client.destroy();
    usageTable = tableName;
    // `new DynamoDBClient({})` in the handler reads these, as it reads the Lambda environment on AWS.
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('returns the malformed record alone in batchItemFailures when a batch holds one', async () => {
    vi.stubEnv('USAGE_TABLE', usageTable);
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
