/**
 * `npm run bench`: latency the gateway adds on top of an upstream, on this machine.
 *
 * The bench upstream and the gateway each run in their own child process and the load
 * generator runs here, so no two of them share an event loop (on one loop the figures
 * would mostly measure the scheduling between them). Every request goes once straight to
 * the upstream and once through the gateway; the difference is what the gateway adds.
 *
 * With the master key the gateway counts nothing. With a virtual key that has an RPM and
 * a TPM limit and a budget (all far above what the run uses, so nothing is refused) every
 * request pays the real admission and settlement against DynamoDB Local (in memory, started
 * here once; needs Java, else those rows are skipped with a note). The gateway child counts
 * the DynamoDB commands it sends, and the bench prints them per virtual-key request.
 *
 * Everything listens on 127.0.0.1; the children and DynamoDB Local are stopped at the end,
 * killed when this process goes away, and a deadline stops a hung run.
 *
 * Then `/v1/messages` (bench/messages-bench.ts): direct to the upstream's Anthropic endpoint vs the
 * gateway's passthrough (an `anthropic/…` deployment) vs its translation (an `openai/…` deployment),
 * master key; its rows join the table. Then `/v1/responses` (bench/responses-bench.ts): direct to the
 * upstream's Responses endpoint vs the gateway's native relay (an `openai/…` deployment) vs its
 * translation onto the chat path (a `hosted_vllm/…` deployment), master key; its rows join the table too.
 *
 * Then the usage aggregator (bench/aggregator-bench.ts), routing (bench/routing-bench.ts) and the functions' cold start
 * (bench/cold-start.ts: bundle sizes and import times) are measured.
 *
 * BENCH_PROFILE_DIR=/some/dir runs the gateway child with `--cpu-prof` into that folder.
 */
import { runAggregatorBench } from './aggregator-bench.js';
import { runColdStartBench } from './cold-start.js';
import { messagesSetupLine, messagesVerdict, runMessagesBench } from './messages-bench.js';
import { responsesSetupLine, responsesVerdict, runResponsesBench } from './responses-bench.js';
import { runRoutingBench } from './routing-bench.js';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { DynamoDbLocalStartError, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../functions/platform/dynamodb/dynamodb-local.js';
import { ensureTables, type TableNames } from '../functions/platform/dynamodb/table-definitions.js';
import { runLoad, summarize, type Summary, type Target } from './load.js';

const WARMUP = 1000;
const LEVELS = [
  { concurrency: 1, count: 10_000 },
  { concurrency: 32, count: 20_000 },
];
/** Fewer requests with the virtual key: each one waits on two DynamoDB Local writes, and the run must stay short. */
const VIRTUAL_KEY_WARMUP = 200;
const VIRTUAL_KEY_COUNTS: Record<number, number> = { 1: 1_000, 32: 2_000 };
const SCENARIOS = [
  { name: 'non-streaming', stream: false, firstByte: false },
  { name: 'streaming TTFB', stream: true, firstByte: true },
];
const GOAL = { addedP50Ms: 1, addedP99Ms: 5 };
const DEADLINE_MS = 480_000;
const MASTER_KEY = 'sk-bench-master-key-0123456789';
/** The gateway child's provider key (BENCH_PROVIDER_KEY there); the fake upstream accepts any. */
const PROVIDER_KEY = 'sk-bench-provider-key-0123456789';
/** For the single requests (checks, /admin): a hang becomes an error naming the call. */
const FETCH_TIMEOUT_MS = 15_000;
const TABLES: TableNames = { tenancy: 'bench-tenancy', counters: 'bench-counters' };
/** Far above what the run can use: every request is admitted, yet every limit is checked and counted. */
const VIRTUAL_KEY_LIMITS = { rpm_limit: 1_000_000_000, tpm_limit: 1_000_000_000, max_budget: 1_000_000, budget_duration: '30d' };

const children: ChildProcess[] = [];
let dynamoDb: DynamoDbLocal | undefined;
// Whatever ends this process (error, deadline, Ctrl-C), the children must not outlive it
// (DynamoDB Local registers the same kill on exit itself).
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
/** What the bench is doing, for the deadline's message (BENCH_VERBOSE=1 also prints each step). */
let currentStep = 'starting';
const step = (label: string) => {
  currentStep = label;
  if (process.env['BENCH_VERBOSE']) process.stderr.write(`bench: ${label}\n`);
};
setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s (at: ${currentStep}), giving up\n`);
  process.exit(1);
}, DEADLINE_MS).unref();

interface Row {
  scenario: string;
  key: 'master' | 'virtual';
  concurrency: number;
  direct: Summary;
  through: Summary;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  step('starting the upstream and DynamoDB Local');
  // Both settle before either failure is thrown, so `finally` knows of everything to stop.
  const [upstream, tables] = await Promise.allSettled([startChild('fake-upstream-server.ts', {}), startTenancyTables()]);
  if (upstream.status === 'rejected') throw upstream.reason;
  if (tables.status === 'rejected') throw tables.reason;
  const upstreamPort = upstream.value.port;
  const dynamoDbSkipped = tables.value;
  const upstreamBase = `http://127.0.0.1:${upstreamPort}/v1`;
  const tenancyEnv: Record<string, string> = dynamoDb
    ? { BENCH_DYNAMODB_ENDPOINT: dynamoDb.endpoint, BENCH_TENANCY_TABLE: TABLES.tenancy, BENCH_COUNTERS_TABLE: TABLES.counters }
    : {};
  step('starting the gateway');
  const gatewayChild = await startChild(
    'gateway-server.ts',
    { BENCH_UPSTREAM_URL: upstreamBase, BENCH_MASTER_KEY: MASTER_KEY, ...tenancyEnv },
    profileArgs(),
  );
  const gatewayBase = `http://127.0.0.1:${gatewayChild.port}`;

  const direct: Target = { url: `${upstreamBase}/chat/completions`, headers: { authorization: `Bearer ${PROVIDER_KEY}` } };
  const gateway: Target = { url: `${gatewayBase}/v1/chat/completions`, headers: { authorization: `Bearer ${MASTER_KEY}` } };
  step('checking the gateway with the master key');
  await checkGatewayAnswers(gateway);

  let virtualKey: { target: Target; keyId: string } | undefined;
  if (dynamoDb) {
    step('creating the tenant and the virtual key through /admin');
    const { secret, keyId } = await createVirtualKey(gatewayBase);
    virtualKey = { target: { url: gateway.url, headers: { authorization: `Bearer ${secret}` } }, keyId };
    // Counted from here: the admin calls above are not requests; the first key lookup (a cache miss) is.
    gatewayChild.child.send({ type: 'reset' });
    step('checking the gateway with the virtual key');
    await checkGatewayAnswers(virtualKey.target, VIRTUAL_KEY_LIMITS.rpm_limit);
  }

  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const body = JSON.stringify({
      model: 'bench',
      messages: [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }],
      ...(scenario.stream ? { stream: true } : {}),
    });
    for (const { concurrency, count } of LEVELS) {
      const load = (target: Target, warmup = WARMUP, total = count) =>
        runLoad({ target, body, warmup, count: total, concurrency, firstByte: scenario.firstByte });
      step(`${scenario.name} at c=${concurrency}, direct`);
      const straight = summarize(await load(direct));
      step(`${scenario.name} at c=${concurrency}, master key`);
      rows.push({ scenario: scenario.name, key: 'master', concurrency, direct: straight, through: summarize(await load(gateway)) });
      if (virtualKey) {
        step(`${scenario.name} at c=${concurrency}, virtual key`);
        const through = summarize(await load(virtualKey.target, VIRTUAL_KEY_WARMUP, VIRTUAL_KEY_COUNTS[concurrency] ?? count));
        rows.push({ scenario: scenario.name, key: 'virtual', concurrency, direct: straight, through });
      }
    }
  }

  const messagesRows = await runMessagesBench({ upstreamBase, gatewayBase, masterKey: MASTER_KEY, providerKey: PROVIDER_KEY, step });
  const responsesRows = await runResponsesBench({ upstreamBase, gatewayBase, masterKey: MASTER_KEY, providerKey: PROVIDER_KEY, step });
  const tableRows: Row[] = [
    ...rows,
    ...[...messagesRows, ...responsesRows].map((row) => ({
      scenario: `${row.scenario}, ${row.path}`,
      key: 'master' as const,
      concurrency: row.concurrency,
      direct: row.direct,
      through: row.through,
    })),
  ];

  step('collecting the DynamoDB call counts and the key usage');
  const tenancyLines = virtualKey
    ? [callsPerRequestLine(await reportCalls(gatewayChild.child)), await keyUsageLine(gatewayBase, virtualKey.keyId)]
    : [`virtual-key rows skipped: ${dynamoDbSkipped ?? 'DynamoDB Local not started'}`];

  const cpus = os.cpus();
  const lines = [
    `Node ${process.version} · ${cpus[0]?.model ?? 'unknown CPU'} · ${cpus.length} cores · ${os.platform()} ${os.arch()}`,
    `requests per run: ${WARMUP} warm-up (untimed), then ${LEVELS.map((level) => `${level.count} at c=${level.concurrency}`).join(', ')}; ` +
      `streams: 30 SSE chunks + [DONE]; latencies in ms`,
    virtualKey
      ? `virtual key (rpm_limit ${VIRTUAL_KEY_LIMITS.rpm_limit}, tpm_limit ${VIRTUAL_KEY_LIMITS.tpm_limit}, max_budget $${VIRTUAL_KEY_LIMITS.max_budget}) ` +
        `against DynamoDB Local in memory: fewer requests per run, ${VIRTUAL_KEY_WARMUP} warm-up, then ` +
        `${LEVELS.map((level) => `${VIRTUAL_KEY_COUNTS[level.concurrency] ?? level.count} at c=${level.concurrency}`).join(', ')}; ` +
        `its direct columns repeat the master-key row's`
      : 'virtual key: not measured (see below)',
    messagesSetupLine(),
    responsesSetupLine(),
    '',
    '| scenario | key | concurrency | direct p50 | direct p99 | gateway p50 | gateway p99 | added p50 | added p99 | gateway req/s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...tableRows.map(
      (row) =>
        `| ${row.scenario} | ${row.key} | ${row.concurrency} | ${ms(row.direct.p50)} | ${ms(row.direct.p99)} | ${ms(row.through.p50)} | ${ms(row.through.p99)} | ` +
        `${ms(row.through.p50 - row.direct.p50)} | ${ms(row.through.p99 - row.direct.p99)} | ${Math.round(row.through.requestsPerSecond)} |`,
    ),
    '',
    verdict(rows.filter((row) => row.key === 'master' && row.concurrency === 1)),
    messagesVerdict(messagesRows),
    responsesVerdict(responsesRows),
    ...tenancyLines,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // The usage aggregator: records/s into DynamoDB Local and write units per record.
  process.stdout.write(`\nusage aggregator\n${await runAggregatorBench()}\n`);
  // Routing: the in-process decision, the whole route() overhead, and one failover on a fast-failing upstream.
  step('measuring routing (decision cost, one failover)');
  process.stdout.write(`\nrouting (npx tsx bench/routing-bench.ts)\n${(await runRoutingBench()).join('\n')}\n`);

  // Cold start: each function bundled as the stack bundles it; sizes and import time in fresh processes.
  step('measuring cold start (bundle sizes, import times)');
  process.stdout.write(`\ncold start (npx tsx bench/cold-start.ts)\n${await runColdStartBench()}\n`);
  process.stdout.write(`bench took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

/**
 * Starts DynamoDB Local in memory and creates the gateway's tables in it. Resolves with the
 * reason when it cannot be started (no Java, no emulator package), so the bench runs without it.
 */
async function startTenancyTables(): Promise<string | undefined> {
  try {
    dynamoDb = await startDynamoDbLocal({ inMemory: true });
  } catch (error) {
    if (!(error instanceof DynamoDbLocalStartError)) throw error;
    return error.message.split('\n')[0];
  }
  const client = localDynamoDbClient(dynamoDb.endpoint);
  try {
    await withTimeout(ensureTables(client, TABLES), 60_000, 'creating the tables in DynamoDB Local');
  } finally {
    client.destroy();
  }
  return undefined;
}

/** Creates, through /admin with the master key, a tenant (no limits of its own) and a key with RPM, TPM and a budget. */
async function createVirtualKey(gatewayBase: string): Promise<{ secret: string; keyId: string }> {
  await admin(gatewayBase, 'POST', '/admin/tenants', { id: 'bench', name: 'bench' });
  const created = await admin<{ id: string; key: string }>(gatewayBase, 'POST', '/admin/keys', { tenant_id: 'bench', ...VIRTUAL_KEY_LIMITS });
  return { secret: created.key, keyId: created.id };
}

async function admin<T = Record<string, unknown>>(gatewayBase: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${gatewayBase}${path}`, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    method,
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Asks the gateway child for the DynamoDB commands it sent and the virtual-key requests it served since the reset. */
async function reportCalls(child: ChildProcess): Promise<{ calls: Record<string, number>; virtualKeyRequests: number }> {
  let onMessage: ((message: unknown) => void) | undefined;
  const reply = new Promise<{ calls: Record<string, number>; virtualKeyRequests: number }>((resolve) => {
    onMessage = (message) => {
      const candidate = message as { type?: string; calls: Record<string, number>; virtualKeyRequests: number };
      if (candidate.type === 'calls') resolve(candidate);
    };
    child.on('message', onMessage);
  });
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the gateway child did not report its DynamoDB calls within 5 s')), 5_000);
  });
  try {
    child.send({ type: 'report' });
    return await Promise.race([reply, tooSlow]);
  } finally {
    clearTimeout(timer);
    if (onMessage) child.off('message', onMessage);
  }
}

function callsPerRequestLine({ calls, virtualKeyRequests }: { calls: Record<string, number>; virtualKeyRequests: number }): string {
  const perCommand = Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name.replace(/Command$/, '')} ${(count / virtualKeyRequests).toFixed(virtualKeyRequests >= 1000 ? 5 : 3)} (${count})`)
    .join(', ');
  const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
  return `DynamoDB calls per virtual-key request (${virtualKeyRequests} requests incl. warm-up): ${perCommand || 'none'}; total ${(total / virtualKeyRequests).toFixed(3)}`;
}

/** The key's usage after the run: the budget was really reserved and settled (nothing left reserved). */
async function keyUsageLine(gatewayBase: string, keyId: string): Promise<string> {
  const key = await admin<{ usage?: { spend_usd: number; reserved_usd: number; tokens_this_minute: number } }>(gatewayBase, 'GET', `/admin/keys/${keyId}`);
  const usage = key.usage;
  if (!usage) return 'virtual key usage: not reported';
  if (!(usage.spend_usd > 0) || usage.reserved_usd !== 0) {
    throw new Error(`the virtual key's budget was not settled as expected: ${JSON.stringify(usage)}`);
  }
  return `virtual key after the run: spend $${usage.spend_usd.toFixed(6)} settled, $${usage.reserved_usd} still reserved, ${usage.tokens_this_minute} tokens this minute`;
}

/** Forks a bench child under tsx and resolves with it and the port it reports over IPC. */
async function startChild(file: string, env: Record<string, string>, extraArgs: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(file, import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...extraArgs],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const reported = once(child, 'message').then(([message]) => (message as { port: number }).port);
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`${file} exited with ${code} before listening`)));
  const tooSlow = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${file} did not listen within 20 s`)), 20_000).unref());
  return { child, port: await Promise.race([reported, exited, tooSlow]) };
}

/** Closing the IPC channel makes a child exit normally (so a CPU profile gets written); SIGKILL if it lingers. */
async function stopChildren(): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function profileArgs(): string[] {
  const dir = process.env['BENCH_PROFILE_DIR'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Fast 401s or 404s would make a fine-looking table; check one real answer of each kind first.
 * With `rpmLimit`, also check that the request was counted against it (the x-ratelimit headers).
 */
async function checkGatewayAnswers(gateway: Target, rpmLimit?: number): Promise<void> {
  for (const stream of [false, true]) {
    const response = await fetch(gateway.url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      method: 'POST',
      headers: { ...gateway.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream }),
    });
    const text = await response.text();
    const expected = stream ? 'data: [DONE]' : '"chat.completion"';
    if (response.status !== 200 || !text.includes(expected)) {
      throw new Error(`gateway check (stream: ${stream}) failed: ${response.status} ${text.slice(0, 300)}`);
    }
    const limit = response.headers.get('x-ratelimit-limit-requests');
    if (rpmLimit !== undefined && limit !== String(rpmLimit)) {
      throw new Error(`gateway check (stream: ${stream}): expected x-ratelimit-limit-requests ${rpmLimit}, got ${limit}`);
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, tooSlow]);
  } finally {
    clearTimeout(timer);
  }
}

function ms(value: number): string {
  return value.toFixed(3);
}

function verdict(rows: Row[]): string {
  const added = rows.map((row) => ({ name: row.scenario, addedP50: row.through.p50 - row.direct.p50, addedP99: row.through.p99 - row.direct.p99 }));
  const met = added.every((row) => row.addedP50 < GOAL.addedP50Ms && row.addedP99 < GOAL.addedP99Ms);
  const detail = added.map((row) => `${row.name} +${ms(row.addedP50)} / +${ms(row.addedP99)} ms`).join('; ');
  return `verdict: goal (at c=1 the gateway adds < ${GOAL.addedP50Ms} ms at p50 and < ${GOAL.addedP99Ms} ms at p99, master key) ${met ? 'MET' : 'MISSED'}: ${detail}`;
}

try {
  await main();
} finally {
  await stopChildren();
  await dynamoDb?.stop();
}
