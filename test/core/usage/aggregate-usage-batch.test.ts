import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../functions/core/ports.js';
import { aggregateUsageBatch, type UsageMessage } from '../../../functions/core/usage/aggregate-usage-batch.js';
import type { UsageRecord } from '../../../functions/core/usage/usage-record.js';
import { usageRecord as baseUsageRecord } from '../../support/usage-records.js';
import type { UsageIngestOutcome, UsageStore } from '../../../functions/core/usage/usage-store.js';


function message(messageId: string, body: unknown): UsageMessage {
  return { messageId, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Counts request ids in memory, like the real store: once each, then 'duplicate'; throws for the ids it is told to. */
function memoryStore(failingRequestIds: string[] = []): UsageStore & { counted: string[] } {
  const counted: string[] = [];
  return {
    counted,
    async ingest(record: UsageRecord): Promise<UsageIngestOutcome> {
      await Promise.resolve();
      if (failingRequestIds.includes(record.request_id)) throw new Error('ProvisionedThroughputExceededException');
      if (counted.includes(record.request_id)) return 'duplicate';
      counted.push(record.request_id);
      return 'counted';
    },
  };
}

function usageRecord(requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return baseUsageRecord({ request_id: requestId, end_user: 'alice@example.com', ...overrides });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (event: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ event, ...fields }));
  return { lines, info: log, warn: log, error: log };
}

describe('aggregateUsageBatch', () => {
  it('fails only the malformed message and counts the others when one body is not a usage record', async () => {
    const store = memoryStore();
    const messages = [
      message('m1', usageRecord('r1')),
      message('m2', { ...usageRecord('r2'), prompt_tokens: -3 }),
      message('m3', usageRecord('r3')),
    ];

    const result = await aggregateUsageBatch(messages, store, recordingLogger());

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(store.counted.sort()).toEqual(['r1', 'r3']);
  });

  it('fails only the message whose record the store could not count when the store throws for it', async () => {
    const store = memoryStore(['r2']);
    const messages = [message('m1', usageRecord('r1')), message('m2', usageRecord('r2')), message('m3', usageRecord('r3'))];

    const result = await aggregateUsageBatch(messages, store, recordingLogger());

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(store.counted.sort()).toEqual(['r1', 'r3']);
  });

  it('reports no failure when a record was counted before', async () => {
    const store = memoryStore();
    await store.ingest(usageRecord('r1'));

    const result = await aggregateUsageBatch([message('m1', usageRecord('r1'))], store, recordingLogger());

    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('fails a message whose body is not JSON', async () => {
    const result = await aggregateUsageBatch([message('m1', '{"v":1,"end_user":"alice@exa')], memoryStore(), recordingLogger());

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('logs a malformed message by its id without quoting its content', async () => {
    const logger = recordingLogger();
    const bodies = ['{"v":1,"end_user":"alice@exa', JSON.stringify({ ...usageRecord('r1'), status: 'secret-status', tags: ['private-tag', 7] })];

    await aggregateUsageBatch(bodies.map((body, index) => message(`m${index}`, body)), memoryStore(), logger);

    const output = logger.lines.join('\n');
    expect(output).toContain('"messageId":"m0"');
    expect(output).toContain('"messageId":"m1"');
    expect(output).not.toMatch(/alice|secret-status|private-tag/);
  });

  it('ingests no more than the given number of records at a time', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const store: UsageStore = {
      async ingest() {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return 'counted';
      },
    };
    const messages = Array.from({ length: 20 }, (_, index) => message(`m${index}`, usageRecord(`r${index}`)));

    await aggregateUsageBatch(messages, store, recordingLogger(), { concurrency: 3 });

    expect(mostInFlight).toBe(3);
  });

  it('counts the record and logs which fields were bounded, without their values, when the client chose over-long ones', async () => {
    const store = memoryStore();
    const logger = recordingLogger();
    const runId = `run-${'r'.repeat(2_100)}`;

    const result = await aggregateUsageBatch([message('m1', usageRecord('r1', { run_id: runId, metadata: { tags: 'x', deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }))], store, logger);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(store.counted).toEqual(['r1']);
    const sanitized = logger.lines.map((line) => JSON.parse(line)).find((line) => line.event === 'usage_record_sanitized');
    expect(sanitized).toEqual({ event: 'usage_record_sanitized', messageId: 'm1', requestId: 'r1', sanitized: [expect.stringMatching(/^run_id: /), expect.stringMatching(/^metadata: deeper than/)] });
    expect(logger.lines.join('\n')).not.toContain('rrrrrrrr');
  });
});
