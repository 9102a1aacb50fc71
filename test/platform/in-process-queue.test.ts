import { describe, expect, it } from 'vitest';
import { createInProcessQueue, type QueueMessage } from '../../functions/platform/in-process-queue.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('in-process queue', () => {
  it('delivers messages in batches of at most batchSize', async () => {
    const batches: QueueMessage[][] = [];
    const queue = createInProcessQueue({ consume: async (batch) => (batches.push(batch), { batchItemFailures: [] }), batchSize: 10, logger: silent });

    for (let index = 0; index < 25; index++) queue.send(`m${index}`);
    await queue.drain();

    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('redelivers only the items a batch reports as failed', async () => {
    const received: string[] = [];
    let failedOnce = false;
    const queue = createInProcessQueue({
      consume: async (batch) => {
        received.push(...batch.map((message) => message.body));
        const failing = batch.find((message) => message.body === 'b');
        if (failing && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: failing.messageId }] };
        }
        return { batchItemFailures: [] };
      },
      visibilityTimeoutMs: 10,
      logger: silent,
    });

    queue.send('a');
    queue.send('b');
    queue.send('c');
    await queue.drain();

    expect(received).toEqual(['a', 'b', 'c', 'b']);
  });

  it('moves a message to the dead letters after maxReceiveCount failed receives, without blocking the others', async () => {
    const counted: string[] = [];
    const queue = createInProcessQueue({
      consume: async (batch) => {
        counted.push(...batch.filter((message) => message.body !== 'poison').map((message) => message.body));
        return { batchItemFailures: batch.filter((message) => message.body === 'poison').map((message) => ({ itemIdentifier: message.messageId })) };
      },
      maxReceiveCount: 3,
      visibilityTimeoutMs: 5,
      logger: silent,
    });

    queue.send('fine');
    queue.send('poison');
    await queue.drain();

    expect(queue.deadLetters.map((message) => message.body)).toEqual(['poison']);
    expect(counted).toEqual(['fine']);
  });

  it('treats a consumer that throws as a failure of its whole batch', async () => {
    let calls = 0;
    const queue = createInProcessQueue({
      consume: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { batchItemFailures: [] };
      },
      visibilityTimeoutMs: 5,
      logger: silent,
    });

    queue.send('x');
    await queue.drain();

    expect(calls).toBe(2);
    expect(queue.deadLetters).toEqual([]);
  });
});
