import type { Logger } from '../core/ports.js';

type Level = 'info' | 'warn' | 'error';

export interface JsonLoggerOptions {
  /** Receives each finished line (newline included). Defaults to stdout, which Lambda ships to CloudWatch as is. */
  readonly write?: (line: string) => void;
  /** Milliseconds since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * A Logger writing one JSON object per line: `{"level","event","time",...base,...fields}`.
 * `level`, `event` and `time` cannot be overridden by fields; Error values become
 * `{ name, message }` (no stack), bigints become strings.
 */
export function createJsonLogger(base: Record<string, unknown> = {}, options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? Date.now;

  const log = (level: Level, event: string, fields: Record<string, unknown> = {}): void => {
    const time = new Date(now()).toISOString();
    const record: Record<string, unknown> = { level, event, time, ...base, ...fields };
    record.level = level;
    record.event = event;
    record.time = time;
    write(`${serialise(record)}\n`);
  };

  return {
    info: (event, fields) => log('info', event, fields),
    warn: (event, fields) => log('warn', event, fields),
    error: (event, fields) => log('error', event, fields),
  };
}

function serialise(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, replaceUnserialisable);
  } catch {
    // Circular fields: keep the line, lose the fields.
    return JSON.stringify({ level: record.level, event: record.event, time: record.time, logError: 'unserialisable fields' });
  }
}

function replaceUnserialisable(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
