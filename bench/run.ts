/**
 * `npm run bench`: latency the gateway adds on top of an upstream, on this machine.
 *
 * The bench upstream and the gateway each run in their own child process and the load
 * generator runs here, so no two of them share an event loop (on one loop the figures
 * would mostly measure the scheduling between them). Every request goes once straight to
 * the upstream and once through the gateway; the difference is what the gateway adds.
 * Everything listens on 127.0.0.1; the children exit when this process goes away, and a
 * deadline stops a hung run.
 *
 * BENCH_PROFILE_DIR=/some/dir runs the gateway child with `--cpu-prof` into that folder.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { percentile, runLoad, type LoadResult, type Target } from './load.js';

const WARMUP = 1000;
const LEVELS = [
  { concurrency: 1, count: 10_000 },
  { concurrency: 32, count: 20_000 },
];
const SCENARIOS = [
  { name: 'non-streaming', stream: false, firstByte: false },
  { name: 'streaming TTFB', stream: true, firstByte: true },
];
const GOAL = { addedP50Ms: 1, addedP99Ms: 5 };
const DEADLINE_MS = 150_000;
const MASTER_KEY = 'sk-bench-master-key-0123456789';

const children: ChildProcess[] = [];
// Whatever ends this process (error, deadline, Ctrl-C), the children must not outlive it.
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
process.on('SIGINT', () => process.exit(130));
setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s, giving up\n`);
  process.exit(1);
}, DEADLINE_MS).unref();

async function main(): Promise<void> {
  const startedAt = Date.now();
  const upstreamPort = await startChild('fake-upstream-server.ts', {});
  const upstreamBase = `http://127.0.0.1:${upstreamPort}/v1`;
  const gatewayPort = await startChild('gateway-server.ts', { BENCH_UPSTREAM_URL: upstreamBase, BENCH_MASTER_KEY: MASTER_KEY }, profileArgs());

  const direct: Target = { url: `${upstreamBase}/chat/completions`, headers: { authorization: 'Bearer sk-bench-provider-key-0123456789' } };
  const gateway: Target = { url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, headers: { authorization: `Bearer ${MASTER_KEY}` } };
  await checkGatewayAnswers(gateway);

  const rows: string[] = [];
  const atConcurrency1: Array<{ name: string; addedP50: number; addedP99: number }> = [];
  for (const scenario of SCENARIOS) {
    const body = JSON.stringify({
      model: 'bench',
      messages: [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }],
      ...(scenario.stream ? { stream: true } : {}),
    });
    for (const { concurrency, count } of LEVELS) {
      const load = (target: Target) => runLoad({ target, body, warmup: WARMUP, count, concurrency, firstByte: scenario.firstByte });
      const straight = summarize(await load(direct));
      const through = summarize(await load(gateway));
      const addedP50 = through.p50 - straight.p50;
      const addedP99 = through.p99 - straight.p99;
      if (concurrency === 1) atConcurrency1.push({ name: scenario.name, addedP50, addedP99 });
      rows.push(
        `| ${scenario.name} | ${concurrency} | ${ms(straight.p50)} | ${ms(straight.p99)} | ${ms(through.p50)} | ${ms(through.p99)} | ` +
          `${ms(addedP50)} | ${ms(addedP99)} | ${Math.round(through.requestsPerSecond)} |`,
      );
    }
  }

  const cpus = os.cpus();
  const lines = [
    `Node ${process.version} · ${cpus[0]?.model ?? 'unknown CPU'} · ${cpus.length} cores · ${os.platform()} ${os.arch()}`,
    `requests per run: ${WARMUP} warm-up (untimed), then ${LEVELS.map((level) => `${level.count} at c=${level.concurrency}`).join(', ')}; ` +
      `streams: 30 SSE chunks + [DONE]; latencies in ms`,
    '',
    '| scenario | concurrency | direct p50 | direct p99 | gateway p50 | gateway p99 | added p50 | added p99 | gateway req/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    verdict(atConcurrency1),
    `bench took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Forks a bench child under tsx and resolves with the port it reports over IPC. */
async function startChild(file: string, env: Record<string, string>, extraArgs: string[] = []): Promise<number> {
  const child = fork(new URL(file, import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...extraArgs],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const reported = once(child, 'message').then(([message]) => (message as { port: number }).port);
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`${file} exited with ${code} before listening`)));
  const tooSlow = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${file} did not listen within 20 s`)), 20_000).unref());
  return Promise.race([reported, exited, tooSlow]);
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

/** Fast 401s or 404s would make a fine-looking table; check one real answer of each kind first. */
async function checkGatewayAnswers(gateway: Target): Promise<void> {
  for (const stream of [false, true]) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { ...gateway.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream }),
    });
    const text = await response.text();
    const expected = stream ? 'data: [DONE]' : '"chat.completion"';
    if (response.status !== 200 || !text.includes(expected)) {
      throw new Error(`gateway check (stream: ${stream}) failed: ${response.status} ${text.slice(0, 300)}`);
    }
  }
}

function summarize(result: LoadResult): { p50: number; p99: number; requestsPerSecond: number } {
  return { p50: percentile(result.latencies, 0.5), p99: percentile(result.latencies, 0.99), requestsPerSecond: result.requestsPerSecond };
}

function ms(value: number): string {
  return value.toFixed(3);
}

function verdict(rows: Array<{ name: string; addedP50: number; addedP99: number }>): string {
  const met = rows.every((row) => row.addedP50 < GOAL.addedP50Ms && row.addedP99 < GOAL.addedP99Ms);
  const detail = rows.map((row) => `${row.name} +${ms(row.addedP50)} / +${ms(row.addedP99)} ms`).join('; ');
  return `verdict: goal (at c=1 the gateway adds < ${GOAL.addedP50Ms} ms at p50 and < ${GOAL.addedP99Ms} ms at p99) ${met ? 'MET' : 'MISSED'}: ${detail}`;
}

try {
  await main();
} finally {
  await stopChildren();
}
