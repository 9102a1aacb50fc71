/**
 * Bench child process: the real gateway (buildGateway + node:http upstream client +
 * local server), wired the way functions/local/main.ts wires it, with four priced models on the
 * bench upstream (BENCH_UPSTREAM_URL) and master key BENCH_MASTER_KEY: `bench`, an `openai/…`
 * deployment (chat completions; `/v1/messages` to it is translated), and `bench-claude`, an
 * `anthropic/…` deployment (`/v1/messages` to it is passed through to the upstream's Messages endpoint),
 * and for `/v1/responses` `bench-responses`, an `openai/…` deployment (relayed natively to the
 * upstream's Responses endpoint), and `bench-vllm`, a `hosted_vllm/…` deployment (an OpenAI-compatible
 * server that speaks chat only: translated onto the chat path, the upstream's chat endpoint).
 *
 * With BENCH_DYNAMODB_ENDPOINT (+ BENCH_TENANCY_TABLE, BENCH_COUNTERS_TABLE) it also serves
 * tenants and virtual keys over the DynamoDB adapters, and mounts the admin API behind the
 * master key as the local server does. It then counts the DynamoDB commands it sends (by
 * command name) and the chat requests made with anything but the master key; over IPC,
 * `{ type: 'reset' }` zeroes both and `{ type: 'report' }` answers `{ type: 'calls', calls, virtualKeyRequests }`.
 *
 * Sends `{ port }` over the IPC channel when listening; exits when the parent goes away.
 */
import { randomUUID } from 'node:crypto';
import { buildGateway } from '../functions/core/build-gateway.js';
import type { GatewayHandler } from '../functions/core/http/gateway-http.js';
import type { Logger } from '../functions/core/ports.js';
import { createEnvironmentSecretSource } from '../functions/platform/environment-secret-source.js';
import { localDynamoDbClient } from '../functions/platform/dynamodb/dynamodb-local.js';
import { createDynamoDbTenancy } from '../functions/platform/dynamodb/dynamodb-tenancy.js';
import { createNodeHttpUpstreamClient } from '../functions/platform/node-http-upstream-client.js';
import { createLocalAdminHandler } from '../functions/local/local-tenancy.js';
import { startLocalServer } from '../functions/local/local-server.js';

const upstreamUrl = required('BENCH_UPSTREAM_URL');
const masterKey = required('BENCH_MASTER_KEY');
const dynamoDbEndpoint = process.env['BENCH_DYNAMODB_ENDPOINT'];

// Priced explicitly (gpt-4.1-nano, Claude Sonnet 4.5 and gpt-5-mini list prices), so a virtual key's budget reservation and
// settlement do real arithmetic rather than depending on the built-in price table.
const configText = `
model_list:
  - model_name: bench
    litellm_params:
      model: openai/gpt-4.1-nano
      api_base: ${upstreamUrl}
      api_key: os.environ/BENCH_PROVIDER_KEY
      input_cost_per_token: 0.0000001
      output_cost_per_token: 0.0000004
  - model_name: bench-claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: ${upstreamUrl}
      api_key: os.environ/BENCH_PROVIDER_KEY
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
  - model_name: bench-responses
    litellm_params:
      model: openai/gpt-5-mini
      api_base: ${upstreamUrl}
      api_key: os.environ/BENCH_PROVIDER_KEY
      input_cost_per_token: 0.00000025
      output_cost_per_token: 0.000002
  - model_name: bench-vllm
    litellm_params:
      model: hosted_vllm/gpt-4.1-nano
      api_base: ${upstreamUrl}
      api_key: os.environ/BENCH_PROVIDER_KEY
      input_cost_per_token: 0.0000001
      output_cost_per_token: 0.0000004
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
const clock = { now: Date.now };

/** DynamoDB commands sent since the last reset, by command name. */
let calls: Record<string, number> = {};
/** Chat requests authenticated with anything but the master key since the last reset. */
let virtualKeyRequests = 0;

const tenancy = dynamoDbEndpoint === undefined ? undefined : createTenancy(dynamoDbEndpoint);

const gateway = await buildGateway({
  configText,
  secrets: createEnvironmentSecretSource({ BENCH_MASTER_KEY: masterKey, BENCH_PROVIDER_KEY: 'sk-bench-provider-key-0123456789' }),
  upstream: createNodeHttpUpstreamClient(),
  clock,
  ids: { next: randomUUID },
  logger,
  tenancy: tenancy && { store: tenancy.store, counters: tenancy.counters, cooldowns: tenancy.cooldowns },
  random: Math.random,
});

const masterAuthorization = `Bearer ${masterKey}`;
const handle: GatewayHandler =
  tenancy === undefined
    ? gateway.handle
    : (request) => {
        if (request.path === '/v1/chat/completions' && request.headers['authorization'] !== masterAuthorization) virtualKeyRequests++;
        return gateway.handle(request);
      };

const server = await startLocalServer({
  handle,
  // As npm start does: route and key checked from the headers before the body is read.
  preflight: gateway.preflight,
  adminHandle: tenancy && gateway.requireMasterKey(createLocalAdminHandler(tenancy, clock, logger)),
  maxRequestBytes: gateway.maxRequestBytes,
  host: '127.0.0.1',
  port: 0,
});
process.send?.({ port: Number(new URL(server.url).port) });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'reset') {
    calls = {};
    virtualKeyRequests = 0;
  } else if (message.type === 'report') {
    process.send?.({ type: 'calls', calls, virtualKeyRequests });
  }
});
// Exit normally (not by signal) so `--cpu-prof` can write its profile.
const stop = () => void server.close().then(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);

function createTenancy(endpoint: string) {
  const client = localDynamoDbClient(endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return createDynamoDbTenancy(client, { tenancy: required('BENCH_TENANCY_TABLE'), counters: required('BENCH_COUNTERS_TABLE') }, clock);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the bench runner sets it)`);
  return value;
}
