import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
  /**
   * The dead-letter list keeps only the most recent messages within this many and
   * `maxDeadLetterBytes` of bodies; older ones leave memory (they are already on disk or in the log).
   * @default 100
   */
  maxDeadLetters?: number;
  /** @default 1 MiB */
  maxDeadLetterBytes?: number;
  /**
   * Every dead letter is appended here as one JSON line `{"event":"usage.dead_lettered","messageId","record"}`
   * (file `dead-letters.jsonl`), which `npm run usage:replay` reads. Without it (or when the write
   * fails) the error log line carries the whole record instead, in the same shape.
   */
  deadLetterDirectory?: string;
  logger: Logger;
}

export interface InProcessQueue {
  send(body: string): void;
  /** Resolves when every message sent so far has been consumed or dead-lettered. */
  drain(): Promise<void>;
  /** The most recent messages that failed `maxReceiveCount` times (bounded; every one is also on disk or in the log). */
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
  const deadLetters = createDeadLetters(options);
  const visible: Array<QueueMessage & { receives: number }> = [];
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
      for (const message of batch.filter((each) => failed.has(each.messageId))) {
        if (message.receives >= maxReceiveCount) {
          await deadLetters.add({ messageId: message.messageId, body: message.body }, message.receives);
        } else {
          inFlight += 1;
          setTimeout(() => {
            inFlight -= 1;
            visible.push(message);
            schedule(0);
          }, visibilityTimeoutMs);
        }
      }
      // Only now: drain() must not resolve while a dead letter is still being written.
      inFlight -= batch.length;
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
    get deadLetters() {
      return deadLetters.recent;
    },
    async stop() {
      await (outstanding() === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

const DEAD_LETTER_FILE = 'dead-letters.jsonl';

/**
 * Dead letters must survive and stay replayable without growing memory: each goes to the
 * spill file (or, failing that, into the error log line whole), and memory keeps only a
 * bounded window of the most recent ones for inspection.
 */
function createDeadLetters(options: InProcessQueueOptions) {
  const maxCount = options.maxDeadLetters ?? 100;
  const maxBytes = options.maxDeadLetterBytes ?? 1024 * 1024;
  const recent: QueueMessage[] = [];
  let recentBytes = 0;

  function remember(message: QueueMessage): void {
    recent.push(message);
    recentBytes += Buffer.byteLength(message.body);
    while (recent.length > maxCount || (recentBytes > maxBytes && recent.length > 0)) {
      recentBytes -= Buffer.byteLength(recent.shift()!.body);
    }
  }

  /** The replay format: the record itself when the body is JSON, else the body as text. */
  function line(message: QueueMessage): string {
    try {
      return `{"event":"usage.dead_lettered","messageId":${JSON.stringify(message.messageId)},"record":${JSON.stringify(JSON.parse(message.body))}}\n`;
    } catch {
      return `${JSON.stringify({ event: 'usage.dead_lettered', messageId: message.messageId, body: message.body })}\n`;
    }
  }

  async function spill(message: QueueMessage): Promise<string | undefined> {
    if (options.deadLetterDirectory === undefined) return undefined;
    const file = join(options.deadLetterDirectory, DEAD_LETTER_FILE);
    try {
      await mkdir(options.deadLetterDirectory, { recursive: true });
      await appendFile(file, line(message));
      return file;
    } catch (error) {
      options.logger.warn('usage.dead_letter_spill_failed', { file, error: error instanceof Error ? error.message : 'unknown' });
      return undefined;
    }
  }

  return {
    recent: recent as readonly QueueMessage[],
    async add(message: QueueMessage, receives: number): Promise<void> {
      const file = await spill(message);
      if (file !== undefined) {
        options.logger.error('usage.dead_lettered', { messageId: message.messageId, receives, file });
      } else {
        options.logger.error('usage.dead_lettered', { messageId: message.messageId, receives, ...recordOrBody(message.body) });
      }
      remember(message);
    },
  };
}

function recordOrBody(body: string): { record: unknown } | { body: string } {
  try {
    return { record: JSON.parse(body) as unknown };
  } catch {
    return { body };
  }
}
