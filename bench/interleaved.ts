/**
 * The measuring shared by the `/v1/messages` and `/v1/responses` rows of `npm run bench`
 * (messages-bench.ts, responses-bench.ts): the direct call and the gateway's paths run in rounds,
 * in a rotating order, and each way's rounds are pooled, so a drift of the machine's load over
 * the run touches all of them alike.
 */
import { runLoad, summarize, type LoadResult, type Summary, type Target } from './load.js';

/** Rounds per way and level. */
export const ROUNDS = 3;
/** Untimed requests per round and socket: each round opens its sockets anew. */
const WARMUP_PER_SOCKET: Record<number, number> = { 1: 100, 32: 10 };

/** What a bench of direct-vs-gateway paths is given by the runner (run.ts). */
export interface PathBenchOptions {
  /** The bench upstream, e.g. http://127.0.0.1:1234/v1 (its endpoints are below it: `${upstreamBase}/messages`, `${upstreamBase}/responses`). */
  upstreamBase: string;
  gatewayBase: string;
  masterKey: string;
  providerKey: string;
  /** Names what is being measured (for the runner's deadline message). */
  step: (label: string) => void;
}

/** Where a request goes and the model it names. */
export interface Way {
  target: Target;
  model: string;
}

export interface Scenario {
  name: string;
  stream: boolean;
  firstByte: boolean;
}

/** One path's row at one scenario and level: the direct calls (shared by every path's row) and the gateway's. */
export interface PathRow<P extends string> {
  scenario: string;
  path: P;
  concurrency: number;
  /** The direct calls to the upstream's endpoint, shared by every path's rows. */
  direct: Summary;
  through: Summary;
}

/**
 * Every scenario at every level: the direct way and each of `paths` (in their key order), measured
 * by measureInterleaved; a row per path, each sharing that scenario and level's direct Summary.
 */
export async function measurePaths<P extends string>(options: {
  direct: Way;
  paths: Record<P, Way>;
  scenarios: readonly Scenario[];
  levels: readonly { concurrency: number; count: number }[];
  requestBody: (model: string, stream: boolean) => string;
  /** Names what is being measured (for the runner's deadline message). */
  step: (label: string) => void;
}): Promise<PathRow<P>[]> {
  const names = Object.keys(options.paths) as P[];
  const rows: PathRow<P>[] = [];
  for (const scenario of options.scenarios) {
    for (const { concurrency, count } of options.levels) {
      options.step(`${scenario.name} at c=${concurrency}: direct, ${names.join(', ')}`);
      const ways = [options.direct, ...names.map((name) => options.paths[name])];
      const [straight, ...throughs] = await measureInterleaved({ ways, scenario, concurrency, count, requestBody: options.requestBody });
      names.forEach((path, index) => rows.push({ scenario: scenario.name, path, concurrency, direct: straight!, through: throughs[index]! }));
    }
  }
  return rows;
}

/**
 * `count` requests per way at `concurrency`, split over ROUNDS interleaved rounds (each round
 * starting with the next way), each way's rounds pooled: one Summary per way, in the order given.
 */
export async function measureInterleaved(options: {
  ways: readonly Way[];
  scenario: Scenario;
  concurrency: number;
  count: number;
  requestBody: (model: string, stream: boolean) => string;
}): Promise<Summary[]> {
  const { ways, scenario, concurrency, count } = options;
  const results: LoadResult[][] = ways.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let turn = 0; turn < ways.length; turn++) {
      const index = (round + turn) % ways.length;
      const way = ways[index]!;
      const result = await runLoad({
        target: way.target,
        body: options.requestBody(way.model, scenario.stream),
        warmup: (WARMUP_PER_SOCKET[concurrency] ?? 10) * concurrency,
        count: Math.ceil(count / ROUNDS),
        concurrency,
        firstByte: scenario.firstByte,
      });
      results[index]!.push(result);
    }
  }
  return results.map((rounds) => summarize(pool(rounds)));
}

/** The rounds of one path as one run: every latency, and the requests over the summed wall time. */
export function pool(rounds: readonly LoadResult[]): LoadResult {
  const latencies = new Float64Array(rounds.reduce((sum, round) => sum + round.latencies.length, 0));
  let offset = 0;
  let seconds = 0;
  for (const round of rounds) {
    latencies.set(round.latencies, offset);
    offset += round.latencies.length;
    seconds += round.latencies.length / round.requestsPerSecond;
  }
  return { latencies, requestsPerSecond: latencies.length / seconds };
}
