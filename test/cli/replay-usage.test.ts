import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readReplayInput } from '../../functions/cli/replay-usage.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'replay-input-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('readReplayInput', () => {
  it('reads every .jsonl file of a directory in name order and nothing else when given a directory', () => {
    writeFileSync(join(directory, 'b.jsonl'), '{"n":2}\n');
    writeFileSync(join(directory, 'a.jsonl'), '{"n":1}\n');
    writeFileSync(join(directory, 'notes.txt'), 'not a record\n');

    const text = readReplayInput(directory);

    expect(text.split('\n').filter((line) => line !== '')).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('reads the file itself when given a file', () => {
    const file = join(directory, 'gateway.log');
    writeFileSync(file, '{"n":3}\n');

    const text = readReplayInput(file);

    expect(text).toBe('{"n":3}\n');
  });
});
