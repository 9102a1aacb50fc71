/**
 * Closed-loop load generator on node:http: `concurrency` workers, each sending its next
 * request as soon as the previous one finished, over a keep-alive agent with exactly
 * `concurrency` sockets (so connection set-up is paid once, in the warm-up).
 */
import http from 'node:http';

/** A request silent for this long fails the run (rather than hanging it until the deadline). */
const REQUEST_IDLE_TIMEOUT_MS = 30_000;

export interface Target {
  /** e.g. http://127.0.0.1:4000/v1/chat/completions */
  url: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds per request, in completion order. */
  latencies: Float64Array;
  /** Requests completed per second of wall time. */
  requestsPerSecond: number;
}

/**
 * Sends `warmup` untimed POSTs of `body` (opening the sockets, warming the JIT on both
 * sides), then `count` timed ones on the same sockets, each timed with hrtime until the
 * whole body was read, or with `firstByte` until the first body byte after the headers
 * (the rest is still read, so the connection stays reusable). Rejects on any status but 200.
 */
export async function runLoad(options: {
  target: Target;
  body: string;
  warmup: number;
  count: number;
  concurrency: number;
  firstByte: boolean;
}): Promise<LoadResult> {
  const { target, count, concurrency, firstByte } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const body = Buffer.from(options.body);
  const headers = { ...target.headers, 'content-type': 'application/json', 'content-length': String(body.byteLength) };

  const once = () =>
    new Promise<number>((resolve, reject) => {
      const begin = process.hrtime.bigint();
      let firstByteAt: bigint | undefined;
      const request = http.request(target.url, { method: 'POST', headers, agent }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`${target.url} answered ${response.statusCode}`));
          return;
        }
        response.on('data', () => {
          firstByteAt ??= process.hrtime.bigint();
        });
        response.on('end', () => {
          const end = firstByte && firstByteAt !== undefined ? firstByteAt : process.hrtime.bigint();
          resolve(Number(end - begin) / 1e6);
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      request.setTimeout(REQUEST_IDLE_TIMEOUT_MS, () =>
        request.destroy(new Error(`${target.url} sent nothing for ${REQUEST_IDLE_TIMEOUT_MS / 1000} s`)),
      );
      request.end(body);
    });

  /** Runs `total` requests over `concurrency` workers; returns the latencies and the wall time in seconds. */
  const phase = async (total: number) => {
    const latencies = new Float64Array(total);
    let started = 0;
    let finished = 0;
    const worker = async () => {
      while (started < total) {
        started++;
        latencies[finished++] = await once();
      }
    };
    const begin = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { latencies, seconds: Number(process.hrtime.bigint() - begin) / 1e9 };
  };

  try {
    await phase(options.warmup);
    const { latencies, seconds } = await phase(count);
    return { latencies, requestsPerSecond: count / seconds };
  } finally {
    agent.destroy();
  }
}

/** Nearest-rank percentile (q in 0..1) of the values, in their unit. */
export function percentile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface Summary {
  p50: number;
  p99: number;
  requestsPerSecond: number;
}

export function summarize(result: LoadResult): Summary {
  return { p50: percentile(result.latencies, 0.5), p99: percentile(result.latencies, 0.99), requestsPerSecond: result.requestsPerSecond };
}
