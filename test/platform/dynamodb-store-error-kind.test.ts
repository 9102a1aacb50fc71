// DynamoDB is mocked here with aws-sdk-client-mock: DynamoDB Local cannot produce throttling,
// 5xx or a dropped connection on demand. The real ValidationException (a 3 KB scope key) is
// tested against DynamoDB Local in dynamodb-store-rejection.test.ts.
import {
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CounterStoreRejectedError, CounterStoreUnavailableError, type AdmitInput } from '../../functions/core/admission/counter-store.js';
import { CooldownStoreUnavailableError } from '../../functions/core/routing/cooldowns.js';
import { createCountingDeploymentLimiter } from '../../functions/core/routing/deployment-limiter.js';
import type { ResolvedDeployment } from '../../functions/core/providers/provider.js';
import { createDynamoDbCooldownStore } from '../../functions/platform/dynamodb/dynamodb-cooldown-store.js';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';

const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const dynamodb = mockClient(client);
afterEach(() => {
  dynamodb.reset();
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const counters = () => createDynamoDbCounterStore({ client, tableName: 'counters', transactionAttempts: 2 });
const cooldowns = () => createDynamoDbCooldownStore({ client, tableName: 'counters' });

function admission(scopes: AdmitInput['scopes'] = [{ scope: 'key:k', rpmLimit: 5, settles: false }]): AdmitInput {
  return { requestId: 'r1', nowMs: NOW, minute: Math.floor(NOW / 60_000), reservationExpiresAtMs: NOW + 60_000, scopes };
}

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const serviceError = (name: string, httpStatusCode: number) =>
  new DynamoDBServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message: `${name} happened`, ...metadata(httpStatusCode) });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code, $metadata: {} });
const timeoutError = () => Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError', $metadata: {} });

const unavailable: Array<[string, () => Error]> = [
  ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ message: 'throttled', ...metadata(400) })],
  ['ThrottlingException', () => new ThrottlingException({ message: 'throttled', ...metadata(400) })],
  ['RequestLimitExceeded', () => new RequestLimitExceeded({ message: 'account limit', ...metadata(400) })],
  ['InternalServerError', () => new InternalServerError({ message: 'oops', ...metadata(500) })],
  ['ServiceUnavailable (503)', () => serviceError('ServiceUnavailable', 503)],
  ['an unnamed 5xx', () => serviceError('UnknownError', 502)],
  ['ECONNRESET', () => networkError('ECONNRESET')],
  ['ECONNREFUSED', () => networkError('ECONNREFUSED')],
  ['a socket timeout', timeoutError],
];

const rejected: Array<[string, () => Error, string]> = [
  ['ValidationException', () => serviceError('ValidationException', 400), 'ValidationException'],
  ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'no table', ...metadata(400) }), 'ResourceNotFoundException'],
  ['AccessDeniedException', () => serviceError('AccessDeniedException', 400), 'AccessDeniedException'],
  ['UnrecognizedClientException', () => serviceError('UnrecognizedClientException', 400), 'UnrecognizedClientException'],
];

describe('DynamoDB counter store failures', () => {
  it.each(unavailable)('is CounterStoreUnavailableError when DynamoDB fails with %s', async (_name, error) => {
    dynamodb.on(UpdateItemCommand).rejects(error());

    const failure = await counters().admit(admission()).catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(CounterStoreUnavailableError);
  });

  it.each(rejected)('is CounterStoreRejectedError naming the error when DynamoDB answers %s', async (_name, error, reason) => {
    dynamodb.on(UpdateItemCommand).rejects(error());

    const failure = await counters().admit(admission()).catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(CounterStoreRejectedError);
    expect(failure).toMatchObject({ reason });
  });

  it('is CounterStoreRejectedError when a multi-scope transaction is cancelled for a ValidationError', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', CancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError', Message: 'key too large' }], ...metadata(400) }),
    );
    const scopes = [
      { scope: 'key:k', rpmLimit: 5, settles: false },
      { scope: 'tenant:t', rpmLimit: 5, settles: false },
    ];

    const failure = await counters().admit(admission(scopes)).catch((caught: unknown) => caught);

    expect(failure).toMatchObject({ name: 'CounterStoreRejectedError', reason: 'ValidationError' });
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it('is CounterStoreUnavailableError when a multi-scope transaction stays throttled', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }], ...metadata(400) }),
    );
    const scopes = [
      { scope: 'key:k', rpmLimit: 5, settles: false },
      { scope: 'tenant:t', rpmLimit: 5, settles: false },
    ];

    const failure = await counters().admit(admission(scopes)).catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(CounterStoreUnavailableError);
  });
});

describe('DynamoDB counter store contention', () => {
  // Contention comes from the callers' own concurrency, not an outage: it must never reach limits_fail_open.
  it('answers 503 limits_contended, not unavailability, when a multi-scope transaction keeps conflicting', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }], ...metadata(400) }),
    );
    const scopes = [
      { scope: 'key:k', rpmLimit: 5, settles: false },
      { scope: 'tenant:t', rpmLimit: 5, settles: false },
    ];

    const failure = await counters().admit(admission(scopes)).catch((caught: unknown) => caught);

    expect(failure).not.toBeInstanceOf(CounterStoreUnavailableError);
    expect(failure).toMatchObject({ status: 503, code: 'limits_contended' });
  });

  it('answers 503 limits_contended when a single write meets another request\'s transaction', async () => {
    dynamodb.on(UpdateItemCommand).rejects(serviceError('TransactionConflictException', 400));

    const failure = await counters().admit(admission()).catch((caught: unknown) => caught);

    expect(failure).toMatchObject({ status: 503, code: 'limits_contended' });
  });
});

describe('DynamoDB cooldown store failures', () => {
  it.each(unavailable)('is CooldownStoreUnavailableError when DynamoDB fails with %s', async (_name, error) => {
    dynamodb.on(GetItemCommand).rejects(error());

    const failure = await cooldowns().readCooldowns(NOW).catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(CooldownStoreUnavailableError);
  });

  it.each(rejected)('is CounterStoreRejectedError when DynamoDB answers %s', async (_name, error, reason) => {
    dynamodb.on(UpdateItemCommand).rejects(error());

    const failure = await cooldowns()
      .recordFailure({ deploymentId: 'd1', nowMs: NOW, allowedFails: 1, cooldownMs: 1000 })
      .catch((caught: unknown) => caught);

    expect(failure).toMatchObject({ name: 'CounterStoreRejectedError', reason });
  });
});

describe('counting deployment limiter over DynamoDB', () => {
  const deployment = { id: 'openai-east', rpm: 10 } as ResolvedDeployment;
  function logger() {
    const lines: Array<{ level: string; event: string; fields?: Record<string, unknown> }> = [];
    return {
      lines,
      info: (event: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', event, fields }),
      warn: (event: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', event, fields }),
      error: (event: string, fields?: Record<string, unknown>) => lines.push({ level: 'error', event, fields }),
    };
  }

  it('tries the deployment anyway when the store is throttled', async () => {
    dynamodb.on(UpdateItemCommand).rejects(new ThrottlingException({ message: 'throttled', ...metadata(400) }));
    const log = logger();

    const acquired = await createCountingDeploymentLimiter(counters(), log, 60_000).tryAcquire(deployment, 'r1', NOW);

    expect(acquired).toBe(true);
    expect(log.lines.map((line) => line.event)).toEqual(['routing.deployment_limits_unavailable']);
  });

  it('fails the request with a 500 instead of skipping the limits when the store rejects the write', async () => {
    dynamodb.on(UpdateItemCommand).rejects(serviceError('ValidationException', 400));
    const log = logger();

    const failure = await createCountingDeploymentLimiter(counters(), log, 60_000)
      .tryAcquire(deployment, 'r1', NOW)
      .catch((caught: unknown) => caught);

    expect(failure).toMatchObject({ status: 500, code: 'internal_error' });
    expect(log.lines).toEqual([{ level: 'error', event: 'routing.deployment_limits_rejected', fields: { deployment: 'openai-east', error: 'ValidationException' } }]);
  });
});
