/**
 * Bench child process: the real gateway (buildGateway + node:http upstream client +
 * local server), wired the way functions/local/main.ts wires it, with one model `bench`
 * pointing at the bench upstream (BENCH_UPSTREAM_URL) and master key BENCH_MASTER_KEY.
 * Sends `{ port }` over the IPC channel when listening; exits when the parent goes away.
 */
import { randomUUID } from 'node:crypto';
import { buildGateway } from '../functions/core/build-gateway.js';
import type { Logger } from '../functions/core/ports.js';
import { createEnvironmentSecretSource } from '../functions/platform/environment-secret-source.js';
import { createNodeHttpUpstreamClient } from '../functions/platform/node-http-upstream-client.js';
import { startLocalServer } from '../functions/local/local-server.js';

const upstreamUrl = required('BENCH_UPSTREAM_URL');
const masterKey = required('BENCH_MASTER_KEY');

const configText = `
model_list:
  - model_name: bench
    litellm_params:
      model: openai/gpt-4.1-nano
      api_base: ${upstreamUrl}
      api_key: os.environ/BENCH_PROVIDER_KEY
general_settings:
  master_key: os.environ/BENCH_MASTER_KEY
`;

// Per-request info lines are dropped: writing them to a pipe would measure the pipe.
// Warnings and errors mean the bench is not measuring what it should; show a few.
let shown = 0;
const show = (level: string) => (event: string, fields?: Record<string, unknown>) => {
  if (shown++ < 20) process.stderr.write(`gateway ${level}: ${event} ${JSON.stringify(fields ?? {})}\n`);
};
const logger: Logger = { info: () => undefined, warn: show('warn'), error: show('error') };

const gateway = await buildGateway({
  configText,
  secrets: createEnvironmentSecretSource({ BENCH_MASTER_KEY: masterKey, BENCH_PROVIDER_KEY: 'sk-bench-provider-key-0123456789' }),
  upstream: createNodeHttpUpstreamClient(),
  clock: { now: Date.now },
  ids: { next: randomUUID },
  logger,
});
const server = await startLocalServer({ handle: gateway.handle, maxRequestBytes: gateway.maxRequestBytes, port: 0 });
process.send?.({ port: Number(new URL(server.url).port) });
// Exit normally (not by signal) so `--cpu-prof` can write its profile.
const stop = () => void server.close().then(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the bench runner sets it)`);
  return value;
}
