import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../core/ports.js';
import type { UsageRecord, UsageSink } from '../core/usage/usage-record.js';

/**
 * Usage records to SQS (the client's own retries apply). If SQS still fails, the
 * record is written straight into the usage table by `fallback` — the aggregator's
 * own idempotent ingest, so a record that reached SQS after all is not counted twice.
 * If that fails too, the whole record goes to the log as `usage.record_unsaved`, which
 * `npm run usage:replay` re-ingests. A record is never silently dropped.
 */
export function createSqsUsageSink(options: {
  client: SQSClient;
  queueUrl: string;
  fallback: (record: UsageRecord) => Promise<unknown>;
  logger: Logger;
}): UsageSink {
  return {
    async record(record: UsageRecord) {
      try {
        await options.client.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(record) }));
        return;
      } catch (error) {
        options.logger.warn('usage.sqs_failed', { requestId: record.request_id, error: error instanceof Error ? error.name : 'unknown' });
      }
      try {
        await options.fallback(record);
        options.logger.info('usage.written_directly', { requestId: record.request_id });
      } catch (error) {
        options.logger.error('usage.record_unsaved', { record, error: error instanceof Error ? error.name : 'unknown' });
      }
    },
  };
}

/** The local counterpart: records into the in-process queue that feeds the same aggregator. */
export function createQueueUsageSink(queue: { send(body: string): void }): UsageSink {
  return {
    async record(record: UsageRecord) {
      queue.send(JSON.stringify(record));
    },
  };
}
