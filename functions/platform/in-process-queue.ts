import type { Logger } from '../core/ports.js';

export interface QueueMessage {
  messageId: string;
  body: string;
}

/** The consumer's answer, as a Lambda with `ReportBatchItemFailures` gives it. */
export interface BatchResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface InProcessQueueOptions {
  /** Handles one batch; failed items come back after the visibility timeout. */
  consume: (messages: QueueMessage[]) => Promise<BatchResult>;
  batchSize?: number;
  /** How long messages gather before a batch is delivered (SQS's batching window). */
  batchWindowMs?: number;
  /** How long a failed message stays invisible before it is delivered again. */
  visibilityTimeoutMs?: number;
  /** Receives after which a message moves to the dead-letter list instead. */
  maxReceiveCount?: number;
  logger: Logger;
}

export interface InProcessQueue {
  send(body: string): void;
  /** Resolves when every message sent so far has been consumed or dead-lettered. */
  drain(): Promise<void>;
  /** Messages that failed `maxReceiveCount` times. */
  readonly deadLetters: readonly QueueMessage[];
  stop(): Promise<void>;
}

/**
 * A queue with the SQS semantics the aggregator relies on — batches, redelivery of
 * the items a batch reports as failed, a dead-letter list after N receives — so the
 * local server feeds the very same aggregator handler that consumes SQS on AWS.
 */
export function createInProcessQueue(options: InProcessQueueOptions): InProcessQueue {
  const batchSize = options.batchSize ?? 10;
  const batchWindowMs = options.batchWindowMs ?? 50;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 500;
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const visible: Array<QueueMessage & { receives: number }> = [];
  const deadLetters: QueueMessage[] = [];
  let inFlight = 0;
  let nextId = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delivering = Promise.resolve();
  const idleWaiters: Array<() => void> = [];
  let stopped = false;

  const outstanding = () => visible.length + inFlight;
  const notifyIdle = () => {
    if (outstanding() === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  function schedule(delayMs: number): void {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      delivering = delivering.then(deliver);
    }, delayMs);
  }

  async function deliver(): Promise<void> {
    while (visible.length > 0) {
      const batch = visible.splice(0, batchSize);
      inFlight += batch.length;
      for (const message of batch) message.receives++;
      let failed: Set<string>;
      try {
        const result = await options.consume(batch.map(({ messageId, body }) => ({ messageId, body })));
        failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));
      } catch {
        failed = new Set(batch.map((message) => message.messageId)); // the whole batch failed
      }
      inFlight -= batch.length;
      for (const message of batch.filter((each) => failed.has(each.messageId))) {
        if (message.receives >= maxReceiveCount) {
          deadLetters.push({ messageId: message.messageId, body: message.body });
          options.logger.error('usage.dead_lettered', { messageId: message.messageId, receives: message.receives });
        } else {
          inFlight += 1;
          setTimeout(() => {
            inFlight -= 1;
            visible.push(message);
            schedule(0);
          }, visibilityTimeoutMs);
        }
      }
    }
    notifyIdle();
  }

  return {
    send(body: string) {
      visible.push({ messageId: `local-${++nextId}`, body, receives: 0 });
      if (visible.length >= batchSize) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        schedule(0);
      } else {
        schedule(batchWindowMs);
      }
    },
    drain: () =>
      new Promise<void>((resolve) => {
        if (outstanding() === 0) return resolve();
        idleWaiters.push(resolve);
      }),
    deadLetters,
    async stop() {
      await (outstanding() === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
