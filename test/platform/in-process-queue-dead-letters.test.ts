import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readReplayInput, replayUsageLines } from '../../functions/cli/replay-usage.js';
import type { Logger } from '../../functions/core/ports.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { createInProcessQueue, type InProcessQueueOptions } from '../../functions/platform/in-process-queue.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';
import { MIB, settledMemoryBytes } from '../support/settled-heap.js';
import { usageRecord } from '../support/usage-records.js';

const usage = useTestUsageTable();

interface LogLine {
  event: string;
  fields?: Record<string, unknown>;
}

function capturingLogger(lines: LogLine[]): Logger {
  const push = (event: string, fields?: Record<string, unknown>) => void lines.push({ event, fields });
  return { info: push, warn: push, error: push };
}

/** A queue whose consumer refuses everything on the first receive, so each message is dead-lettered at once. */
function refusingQueue(options: Partial<InProcessQueueOptions> & Pick<InProcessQueueOptions, 'logger'>) {
  return createInProcessQueue({
    consume: async (batch) => ({ batchItemFailures: batch.map((message) => ({ itemIdentifier: message.messageId })) }),
    maxReceiveCount: 1,
    ...options,
  });
}

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'dead-letters-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('in-process queue dead letters', () => {
  it('keeps memory within the bound when 30 large records are dead-lettered', async () => {
    const lines: LogLine[] = [];
    const queue = refusingQueue({ logger: capturingLogger(lines), deadLetterDirectory: directory, batchWindowMs: 1 });
    const before = settledMemoryBytes();

    for (let index = 0; index < 30; index++) {
      queue.send(JSON.stringify(usageRecord({ metadata: { padding: `${index}`.padEnd(3 * MIB, 'x') } })));
      await queue.drain();
    }
    const grown = settledMemoryBytes() - before;

    // 30 × 3 MiB = 90 MiB were all kept before the bound; the window keeps at most 1 MiB.
    expect(grown).toBeLessThan(30 * MIB);
    expect(lines.filter((line) => line.event === 'usage.dead_lettered')).toHaveLength(30);
  });

  it('keeps only the most recent dead letters in memory when more than maxDeadLetters fail', async () => {
    const queue = refusingQueue({ logger: capturingLogger([]), maxDeadLetters: 2, deadLetterDirectory: directory });

    for (const body of ['"a"', '"b"', '"c"']) queue.send(body);
    await queue.drain();

    expect(queue.deadLetters.map((message) => message.body)).toEqual(['"b"', '"c"']);
  });

  it('appends every dead letter to the spill file as one JSON line when a directory is given', async () => {
    const queue = refusingQueue({ logger: capturingLogger([]), maxDeadLetters: 1, deadLetterDirectory: directory });

    for (const record of [usageRecord(), usageRecord(), usageRecord()]) queue.send(JSON.stringify(record));
    await queue.drain();

    const lines = readFileSync(join(directory, 'dead-letters.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(['usage.dead_lettered', 'usage.dead_lettered', 'usage.dead_lettered']);
  });

  it('makes spilled records replayable into the usage table when they are read back from the directory', async () => {
    const tenant = `tenant-replay-${Date.now()}`;
    const records = [usageRecord({ tenant_id: tenant }), usageRecord({ tenant_id: tenant })];
    const queue = refusingQueue({ logger: capturingLogger([]), deadLetterDirectory: directory });
    for (const record of records) queue.send(JSON.stringify(record));
    await queue.drain();

    const counts = await replayUsageLines(readReplayInput(directory), createDynamoDbUsageStore(usage));

    expect(counts).toEqual({ counted: 2, duplicate: 0, skipped: 0 });
  });

  it('puts the whole record into the error log line when no directory is given', async () => {
    const lines: LogLine[] = [];
    const record = usageRecord();
    const queue = refusingQueue({ logger: capturingLogger(lines) });

    queue.send(JSON.stringify(record));
    await queue.drain();

    const deadLettered = lines.find((line) => line.event === 'usage.dead_lettered');
    expect(deadLettered?.fields?.['record']).toEqual(record);
  });

  it('falls back to the error log line with the record when the spill file cannot be written', async () => {
    const lines: LogLine[] = [];
    const record = usageRecord();
    // A file where the directory should be: mkdir fails.
    writeFileSync(join(directory, 'blocker'), '');
    const queue = refusingQueue({ logger: capturingLogger(lines), deadLetterDirectory: join(directory, 'blocker', 'dead-letters') });

    queue.send(JSON.stringify(record));
    await queue.drain();

    const deadLettered = lines.find((line) => line.event === 'usage.dead_lettered');
    expect(deadLettered?.fields?.['record']).toEqual(record);
  });
});
