import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withKeepAlive } from '../../../functions/core/streaming/with-keep-alive.js';

const COMMENT = ': keep-alive\n\n';
const INTERVAL_MS = 100;

/** Yields each value after waiting its delay (on the fake clock). */
async function* paced(steps: ReadonlyArray<readonly [delayMs: number, value: string]>): AsyncGenerator<string> {
  for (const [delayMs, value] of steps) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield value;
  }
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const values: string[] = [];
  for await (const value of source) values.push(value);
  return values;
}

/** Runs the stream to its end while the fake clock advances by `totalMs`. */
async function runFor(source: AsyncIterable<string>, totalMs: number): Promise<string[]> {
  const collected = collect(source);
  await vi.advanceTimersByTimeAsync(totalMs);
  return collected;
}

describe('withKeepAlive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('yields the comment once per interval of silence when the source pauses longer than the interval', async () => {
    const source = paced([
      [0, 'a'],
      [250, 'b'],
      [0, 'c'],
    ]);

    const values = await runFor(withKeepAlive(source, INTERVAL_MS, COMMENT), 1_000);

    expect(values).toEqual(['a', COMMENT, COMMENT, 'b', 'c']);
  });

  it('yields the comment before the first value when the source is silent from the start', async () => {
    const source = paced([[150, 'late']]);

    const values = await runFor(withKeepAlive(source, INTERVAL_MS, COMMENT), 1_000);

    expect(values).toEqual([COMMENT, 'late']);
  });

  it('passes every value through in order without comments when the source is faster than the interval', async () => {
    const source = paced([
      [10, 'one'],
      [90, 'two'],
      [50, 'three'],
      [99, 'four'],
    ]);

    const values = await runFor(withKeepAlive(source, INTERVAL_MS, COMMENT), 1_000);

    expect(values).toEqual(['one', 'two', 'three', 'four']);
  });

  it('passes values through without comments when the source yields synchronously', async () => {
    const source = (async function* () {
      yield* ['x', 'y', 'z'];
    })();

    const values = await runFor(withKeepAlive(source, INTERVAL_MS, COMMENT), 0);

    expect(values).toEqual(['x', 'y', 'z']);
  });

  it('rejects with the source error when the source fails', async () => {
    const source = (async function* () {
      yield 'before';
      throw new Error('upstream broke');
    })();

    const run = collect(withKeepAlive(source, INTERVAL_MS, COMMENT));

    await expect(run).rejects.toThrow('upstream broke');
  });

  // BUG (minor, harmless on the wire): with-keep-alive.ts re-arms its one timer when it yields a value, so
  // time the *consumer* spends before asking for the next value counts as source silence. A source that
  // always has its next value ready, read by a consumer slower than the interval (a back-pressured client),
  // gets a comment between every two values although it was never silent, contrary to the JSDoc
  // ("whenever `source` stays silent for `intervalMs`"). Expected 'b' next; actual ': keep-alive'.
  it('passes the next value through without a comment when the consumer was slow but the source is ready', async () => {
    const source = (async function* () {
      yield* ['a', 'b'];
    })();
    const stream = withKeepAlive(source, INTERVAL_MS, COMMENT);
    await stream.next();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 2.5);

    const second = await stream.next();

    expect(second.value).toBe('b');
  });

  it('returns the source iterator when the consumer stops while a read is in flight', async () => {
    const returned = vi.fn(async () => ({ done: true as const, value: undefined }));
    const source: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => undefined),
        return: returned,
      }),
    };
    const stream = withKeepAlive(source, INTERVAL_MS, COMMENT);
    const first = stream.next();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    await first;

    await stream.return(undefined);

    expect(returned).toHaveBeenCalledTimes(1);
  });
});

describe('withKeepAlive on the real clock', () => {
  it('yields the comment when the source pauses longer than a short interval', async () => {
    const source = (async function* () {
      yield 'a';
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield 'b';
    })();

    const values = await collect(withKeepAlive(source, 15, COMMENT));

    expect(values[0]).toBe('a');
    expect(values.at(-1)).toBe('b');
    expect(values.filter((value) => value === COMMENT).length).toBeGreaterThanOrEqual(1);
  });
});
