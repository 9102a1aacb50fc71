import type { Logger } from '../ports.js';
import { parseUsageRecord } from './parse-usage-record.js';
import type { UsageStore } from './usage-store.js';

/** One queued message: SQS's message id and its body, a UsageRecord as JSON. */
export interface UsageMessage {
  messageId: string;
  body: string;
}

/** SQS's partial batch response: the messages to deliver again (and, after maxReceiveCount, to dead-letter). */
export interface UsageBatchResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface AggregateUsageBatchOptions {
  /** Records ingested at the same time. @default 5 */
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 5;

/**
 * Counts a batch of queued usage records. Each message stands alone: a malformed one (only the
 * gateway's own fields can make it so: client-chosen values are bounded, not refused), or one
 * the store failed to count, is reported in `batchItemFailures` (so SQS delivers it again,
 * and dead-letters it after maxReceiveCount) while the others are counted. A redelivered record
 * the store already counted is a success. Logs carry message ids, request ids and problems,
 * never a message's content.
 */
export async function aggregateUsageBatch(
  messages: ReadonlyArray<UsageMessage>,
  store: UsageStore,
  logger: Logger,
  options: AggregateUsageBatchOptions = {},
): Promise<UsageBatchResult> {
  const tally = { counted: 0, duplicate: 0, malformed: 0, failed: 0, sanitized: 0 };
  const failures = new Set<string>();

  const handle = async (message: UsageMessage): Promise<void> => {
    const json = parseJson(message.body);
    const parsed = json.ok ? parseUsageRecord(json.value) : { ok: false as const, problem: 'the body is not JSON' };
    if (!parsed.ok) {
      tally.malformed++;
      failures.add(message.messageId);
      logger.warn('usage_message_malformed', { messageId: message.messageId, problem: parsed.problem });
      return;
    }
    if (parsed.sanitized !== undefined) {
      // Counted all the same; the line says which client-chosen values were bounded or removed, and why.
      tally.sanitized++;
      logger.warn('usage_record_sanitized', {
        messageId: message.messageId,
        requestId: parsed.record.request_id,
        sanitized: parsed.sanitized.map((change) => `${change.field}: ${change.reason}`),
      });
    }
    try {
      tally[await store.ingest(parsed.record)]++;
    } catch (error) {
      tally.failed++;
      failures.add(message.messageId);
      logger.error('usage_ingest_failed', {
        messageId: message.messageId,
        requestId: parsed.record.request_id,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
  };

  await forEachWithConcurrency(messages, options.concurrency ?? DEFAULT_CONCURRENCY, handle);

  logger.info('usage_batch_aggregated', { messages: messages.length, ...tally });
  return {
    batchItemFailures: messages
      .filter((message) => failures.has(message.messageId))
      .map((message) => ({ itemIdentifier: message.messageId })),
  };
}

/** JSON.parse's own message quotes the body, so only the fact that it failed is kept. */
function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

async function forEachWithConcurrency<T>(items: ReadonlyArray<T>, concurrency: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await action(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
