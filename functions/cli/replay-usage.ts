/**
 * `npm run usage:replay -- <file|directory|-> [--table <usage table>] [--endpoint <url>]`
 *
 * Re-ingests usage records that could reach neither SQS nor the usage table: the
 * gateway then logs each as a JSON line `{"event":"usage.record_unsaved","record":{…}}`.
 * The local server's queue writes its dead letters in the same shape
 * (`{"event":"usage.dead_lettered","record":{…}}`) to `.gateway-data/dead-letters/*.jsonl`;
 * given a directory, every `*.jsonl` file in it is read.
 * Feed it those log lines (or plain record lines); ingestion is idempotent per
 * request id, so replaying a line twice — or a record that did arrive — counts once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseUsageRecord } from '../core/usage/parse-usage-record.js';
import type { UsageStore } from '../core/usage/usage-store.js';
import { localDynamoDbClient } from '../platform/dynamodb/dynamodb-local.js';
import { createDynamoDbUsageStore } from '../platform/dynamodb/dynamodb-usage-store.js';

export interface ReplayCounts {
  counted: number;
  duplicate: number;
  skipped: number;
}

/** Ingests every record found in the lines; lines that hold none are skipped. */
export async function replayUsageLines(text: string, store: UsageStore): Promise<ReplayCounts> {
  const counts: ReplayCounts = { counted: 0, duplicate: 0, skipped: 0 };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      counts.skipped++;
      continue;
    }
    const candidate = typeof value === 'object' && value !== null && 'record' in value ? (value as { record: unknown }).record : value;
    const parsed = parseUsageRecord(candidate);
    if (!parsed.ok) {
      counts.skipped++;
      continue;
    }
    counts[await store.ingest(parsed.record)]++;
  }
  return counts;
}

/** The text of a file, of standard input (`-`), or of every `*.jsonl` file in a directory (in name order). */
export function readReplayInput(source: string): string {
  if (source === '-') return readFileSync(0, 'utf8');
  if (!statSync(source).isDirectory()) return readFileSync(source, 'utf8');
  const files = readdirSync(source)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  return files.map((name) => readFileSync(join(source, name), 'utf8')).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const file = argv.find((argument, index) => !argument.startsWith('--') && !argv[index - 1]?.startsWith('--'));
  const option = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const table = option('table') ?? process.env['USAGE_TABLE'];
  if (!file || !table) {
    process.stderr.write('Usage: npm run usage:replay -- <file|directory|-> --table <usage table> [--endpoint <url>]\n');
    return 1;
  }
  const endpoint = option('endpoint');
  // DynamoDB Local (the local server's, replaying its dead letters) takes any credentials; do not ask for real ones.
  const isLocal = endpoint !== undefined && /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?\/?$/.test(endpoint);
  const client = isLocal ? localDynamoDbClient(endpoint) : new DynamoDBClient(endpoint ? { endpoint } : {});
  const counts = await replayUsageLines(readReplayInput(file), createDynamoDbUsageStore({ client, tableName: table }));
  process.stdout.write(`counted ${counts.counted}, already counted ${counts.duplicate}, skipped ${counts.skipped} lines\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
