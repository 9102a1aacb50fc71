/**
 * The cost of routing, on this machine.
 *
 * 1. One routing decision, in process: `router.pick(model)` over 1, 5 and 20 deployments of one
 *    model, per strategy (simple-shuffle with weights; cost-based with configured prices;
 *    latency-based with recorded latencies; usage-based's decision, which is simple-shuffle's
 *    pick: its counter-store write happens in `route`, not in `pick`). Warmed up, then
 *    N = 200,000 picks timed with process.hrtime.bigint(); ns per decision, median of 5 runs.
 *    The issue's goal: under 50 µs per decision at 20 deployments.
 * 2. The whole in-process routing overhead of one request: `router.route()` with an attempt that
 *    succeeds at once (cooldown refresh while the cache is fresh, the pick, the attempt's
 *    AbortController and timeout timer, the attempt record, the latency sample; for
 *    usage-based-routing also the in-memory limiter's count).
 * 3. The added latency of one failover on a fast-failing upstream: the real gateway and the
 *    fake upstream (test/support) on 127.0.0.1, model `failing` (`status:503`, answers at once)
 *    with `fallbacks: [healthy]` and num_retries 0, against `healthy` (`ok`) called directly.
 *    Cooldowns are disabled, else `failing` would cool down after allowed_fails and be skipped
 *    (no failover to measure). Requests alternate between the two, sequentially; the added
 *    latency is the difference of their percentiles. Gateway, upstream and client share this
 *    process's event loop, so absolute figures include the upstream's and the client's work;
 *    the difference is one extra upstream round trip plus the gateway's error handling and routing.
 *
 * `runRoutingBench()` returns the lines to print; `npx tsx bench/routing-bench.ts` prints them.
 */
import http from 'node:http';
import type { RouterSettings, RoutingStrategy } from '../functions/core/config/config-types.js';
import { DEFAULT_ROUTER_SETTINGS } from '../functions/core/config/parse-router-settings.js';
import type { Logger } from '../functions/core/ports.js';
import type { ResolvedDeployment } from '../functions/core/providers/provider.js';
import { createCooldownsFor, createInMemoryCooldownStore } from '../functions/core/routing/cooldowns.js';
import { createLocalDeploymentLimiter } from '../functions/core/routing/deployment-limiter.js';
import { ModelRouter, type Attempt, type RouteRequest } from '../functions/core/routing/model-router.js';
import { startFakeUpstream } from '../test/support/fake-upstream.js';
import { MASTER_KEY, startGateway } from '../test/support/start-gateway.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { isEntryPoint } from '../functions/platform/entry-point.js';

const PICKS = 200_000;
const PICK_WARMUP = 50_000;
const ROUTES = 100_000;
const ROUTE_WARMUP = 10_000;
const RUNS = 5;
const GROUP_SIZES = [1, 5, 20];
const STRATEGIES: RoutingStrategy[] = ['simple-shuffle', 'cost-based-routing', 'latency-based-routing', 'usage-based-routing'];
const GOAL_NS_AT_20 = 50_000;
const FAILOVER_WARMUP = 100;
const FAILOVER_REQUESTS = 500;
const REQUEST_TIMEOUT_MS = 10_000;

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const clock = { now: Date.now };

/** `count` deployments of model `bench`, with distinct weights, prices (cheapest not first) and generous rpm. */
function benchDeployments(count: number): ResolvedDeployment[] {
  return Array.from({ length: count }, (_, index) => {
    const rank = (index * 7 + 3) % count; // a permutation of 0..count-1 (7 is prime to 1, 5 and 20)
    return {
      path: `model_list[${index}]`,
      id: `bench-${index}`,
      modelName: 'bench',
      provider: 'openai',
      upstreamModel: 'gpt-4o-mini',
      apiBase: 'https://api.openai.com/v1',
      apiKey: 'sk-bench',
      timeoutMs: 600_000,
      streamTimeoutMs: 600_000,
      weight: index + 1,
      rpm: 1_000_000_000,
      inputCostPerToken: (rank + 1) * 1e-7,
      outputCostPerToken: (rank + 1) * 4e-7,
      extraHeaders: {},
      streamDelayMs: 0,
      modelInfo: {},
    };
  });
}

function benchRouter(strategy: RoutingStrategy, count: number): ModelRouter {
  const settings: RouterSettings = { ...DEFAULT_ROUTER_SETTINGS, routingStrategy: strategy };
  const router = new ModelRouter(benchDeployments(count), {
    settings,
    // A shared store behind the cache, as in production: `refresh` reads it at most once per cooldownCacheMs.
    cooldowns: createCooldownsFor(settings, { store: createInMemoryCooldownStore(), clock, logger: silentLogger }),
    limiter: createLocalDeploymentLimiter(),
    clock,
    random: seededRandom(42),
  });
  for (let index = 0; index < count; index++) router.latency.record(`bench-${index}`, 100 + ((index * 13) % count) * 10, clock.now());
  return router;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (q in 0..1). */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] ?? Number.NaN;
}

/** Median over RUNS of the ns per pick of `PICKS` picks. */
function timePicks(router: ModelRouter): number {
  let sink = 0;
  for (let index = 0; index < PICK_WARMUP; index++) sink += router.pick('bench')!.id.length;
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < PICKS; index++) sink += router.pick('bench')!.id.length;
    runs.push(Number(process.hrtime.bigint() - start) / PICKS);
  }
  if (sink === 0) throw new Error('no pick was made');
  return median(runs);
}

function routeRequest(index: number): RouteRequest {
  return {
    model: 'bench',
    requestId: `req-${index}`,
    stream: false,
    signal: new AbortController().signal,
    isModelAllowed: () => true,
    attempts: [],
    background: [],
  };
}

/**
 * Median over RUNS of the ns per `router.route()` with an attempt that succeeds at once. Each
 * request (with its own AbortSignal, as the server gives it) is built in the loop, as in
 * production: building all of them first would keep them alive into the old generation and
 * measure the garbage collector instead (a signal keeps the attempt's abort listener).
 */
async function timeRoutes(router: ModelRouter): Promise<number> {
  const attempt: Attempt<string> = async (deployment) => deployment.id;
  let sink = 0;
  for (let index = 0; index < ROUTE_WARMUP; index++) sink += (await router.route(routeRequest(index), attempt)).value.length;
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < ROUTES; index++) sink += (await router.route(routeRequest(index), attempt)).value.length;
    runs.push(Number(process.hrtime.bigint() - start) / ROUTES);
  }
  if (sink === 0) throw new Error('no route was made');
  return median(runs);
}

const pad = (text: string, width: number) => text.padEnd(width);
const ns = (value: number) => `${value.toFixed(0)} ns`;

function decisionLines(): string[] {
  const lines = [`Routing decision, router.pick() (ns per decision, median of ${RUNS} runs of ${PICKS.toLocaleString('en-US')}):`];
  lines.push(`  ${pad('strategy', 24)}${GROUP_SIZES.map((size) => pad(`${size} deployment${size === 1 ? '' : 's'}`, 16)).join('')}`);
  let worstAt20 = 0;
  for (const strategy of STRATEGIES) {
    const cells = GROUP_SIZES.map((size) => {
      const result = timePicks(benchRouter(strategy, size));
      if (size === 20) worstAt20 = Math.max(worstAt20, result);
      return pad(ns(result), 16);
    });
    lines.push(`  ${pad(strategy === 'usage-based-routing' ? 'usage-based (decision)' : strategy, 24)}${cells.join('')}`);
  }
  lines.push(`  goal: < ${GOAL_NS_AT_20 / 1000} µs per decision at 20 deployments: ${worstAt20 < GOAL_NS_AT_20 ? 'met' : 'NOT met'} (slowest ${ns(worstAt20)})`);
  return lines;
}

async function routeLines(): Promise<string[]> {
  const lines = [`Whole in-process routing per request, router.route() with an attempt that succeeds at once, 20 deployments, request object included (median of ${RUNS} runs of ${ROUTES.toLocaleString('en-US')}):`];
  for (const strategy of STRATEGIES) {
    const label = strategy === 'usage-based-routing' ? 'usage-based (in-memory limiter)' : strategy;
    lines.push(`  ${pad(label, 34)}${(await timeRoutes(benchRouter(strategy, 20)) / 1000).toFixed(2)} µs`);
  }
  return lines;
}

interface Timed {
  ms: number;
  status: number;
  attempts: string | undefined;
  body: string;
}

function post(agent: http.Agent, url: URL, payload: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const outgoing = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            ms: Number(process.hrtime.bigint() - start) / 1e6,
            status: incoming.statusCode ?? 0,
            attempts: incoming.headers['x-gateway-attempts'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function failoverLines(): Promise<string[]> {
  const upstream = await startFakeUpstream();
  const deployment = (name: string, model: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${upstream.baseUrl}
      api_key: sk-bench-provider-key-0000`;
  const gateway = await startGateway(`
model_list:${deployment('failing', 'status:503')}${deployment('healthy', 'ok:healthy')}
router_settings:
  num_retries: 0
  disable_cooldowns: true
  fallbacks:
    - failing: [healthy]
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/v1/chat/completions', gateway.url);
  const body = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hi.' }] });
  const failing = body('failing');
  const healthy = body('healthy');
  const check = (result: Timed, attempts: string) => {
    if (result.status !== 200 || !result.body.includes('served by healthy') || result.attempts !== attempts) {
      throw new Error(`unexpected answer (status ${result.status}, attempts ${result.attempts}): ${result.body.slice(0, 200)}`);
    }
  };
  try {
    for (let index = 0; index < FAILOVER_WARMUP; index++) {
      check(await post(agent, url, failing), '2');
      check(await post(agent, url, healthy), '1');
    }
    const viaFailover: number[] = [];
    const direct: number[] = [];
    for (let index = 0; index < FAILOVER_REQUESTS; index++) {
      // Alternate which goes first, so that neither always follows the other.
      const order = index % 2 === 0 ? [failing, healthy] : [healthy, failing];
      for (const payload of order) {
        const result = await post(agent, url, payload);
        check(result, payload === failing ? '2' : '1');
        (payload === failing ? viaFailover : direct).push(result.ms);
      }
    }
    const row = (label: string, values: number[]) => `  ${pad(label, 44)}p50 ${percentile(values, 0.5).toFixed(3)} ms   p99 ${percentile(values, 0.99).toFixed(3)} ms`;
    return [
      `One failover on a fast-failing upstream (real gateway + fake upstream on 127.0.0.1, one process, ${FAILOVER_REQUESTS} sequential requests each, non-streaming):`,
      row('healthy, called directly', direct),
      row('failing (503 at once) -> fallback healthy', viaFailover),
      `  added by the failover: p50 ${(percentile(viaFailover, 0.5) - percentile(direct, 0.5)).toFixed(3)} ms, p99 ${(percentile(viaFailover, 0.99) - percentile(direct, 0.99)).toFixed(3)} ms`,
    ];
  } finally {
    agent.destroy();
    await gateway.close();
    await upstream.close();
  }
}

export async function runRoutingBench(): Promise<string[]> {
  return [...decisionLines(), '', ...(await routeLines()), '', ...(await failoverLines())];
}

if (isEntryPoint(import.meta.url)) {
  for (const line of await runRoutingBench()) console.log(line);
}
