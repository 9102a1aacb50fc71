/**
 * Lambda entry for the gateway behind a function URL in RESPONSE_STREAM mode.
 * Thin on purpose: it wires dependencies once per container and hands each event
 * to the core through the function-URL adapter.
 */
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildGateway, type BuildGatewayOptions, type BuiltGateway } from '../core/build-gateway.js';
import { createDynamoDbTenancy } from '../platform/dynamodb/dynamodb-tenancy.js';
import { createDynamoDbResponseStore } from '../platform/dynamodb/dynamodb-response-store.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsUsageSink } from '../platform/sqs-usage-sink.js';
import { withEmfMetrics } from '../platform/emf-usage-metrics.js';
import { createSigV4RequestSigner } from '../platform/sigv4-request-signer.js';
import { DEFAULT_CONFIG_YAML } from '../core/config/default-config.js';
import { ConfigError } from '../core/config/parse-config.js';
import type { GatewayHttpResponse } from '../core/http/gateway-http.js';
import type { Logger, SecretSource } from '../core/ports.js';
import type { PriceCatalog } from '../core/pricing/price-catalog.js';
import { createEnvironmentSecretSource } from '../platform/environment-secret-source.js';
import { createInlinedPriceCatalog, parseInlinedPrices } from '../platform/genai-price-catalog.js';
import { createJsonLogger } from '../platform/json-logger.js';
import { createNodeHttpUpstreamClient } from '../platform/node-http-upstream-client.js';
import { createSecretsManagerSecretSource } from '../platform/secrets-manager-secret-source.js';
import {
  toGatewayRequest,
  toStreamingResult,
  type FunctionUrlEvent,
  type FunctionUrlStreamingResult,
} from './function-url-adapter.js';
import { createOriginCheck, originForbiddenResponse, withoutOriginHeader, type OriginCheck } from './origin-verification.js';

/** The config YAML, inlined by esbuild's `define` at deploy time; undeclared when running unbundled. */
declare const __GATEWAY_CONFIG_YAML__: string | undefined;
/** The configured deployments' prices (InlinedPrices JSON), resolved and inlined at synth; undeclared unbundled. */
declare const __GATEWAY_PRICES_JSON__: string | undefined;

const logger = createJsonLogger({ component: 'gateway' });
/** Read once per container; unbundled (no define) there is no inlined catalog and buildGateway falls back to the built-in table. */
const priceCatalog: PriceCatalog | undefined =
  typeof __GATEWAY_PRICES_JSON__ === 'string' ? createInlinedPriceCatalog(parseInlinedPrices(__GATEWAY_PRICES_JSON__)) : undefined;
let gateway: Promise<BuiltGateway> | undefined;
let originCheck: Promise<OriginCheck | undefined> | undefined;

function bundledConfigText(): string {
  return typeof __GATEWAY_CONFIG_YAML__ === 'string' ? __GATEWAY_CONFIG_YAML__ : DEFAULT_CONFIG_YAML;
}

function createSecretSource(env: NodeJS.ProcessEnv): SecretSource {
  const environment = createEnvironmentSecretSource(env);
  const secretId = env.PROVIDER_KEYS_SECRET_ARN;
  // No ARN (tests, local runs): no Secrets Manager client at all.
  if (!secretId) return environment;
  return createSecretsManagerSecretSource({ client: new SecretsManagerClient({}), secretId, fallback: environment });
}

/**
 * Tenants, virtual keys, counters and usage from the stack's tables; without them, the master key only.
 * Usage records go to SQS, and each is also written as CloudWatch metrics (EMF) on the way.
 */
function createTenancy(env: NodeJS.ProcessEnv, log: Logger): Pick<BuildGatewayOptions, 'tenancy' | 'usageSink' | 'responseStore'> {
  const tenancyTable = env.TENANCY_TABLE;
  const countersTable = env.COUNTERS_TABLE;
  if (!tenancyTable || !countersTable) return {};
  const names = { tenancy: tenancyTable, counters: countersTable, ...(env.USAGE_TABLE ? { usage: env.USAGE_TABLE } : {}) };
  const client = new DynamoDBClient({});
  const { store, counters, cooldowns, usage } = createDynamoDbTenancy(client, names, { now: Date.now }, { logger: log });
  const queueUrl = env.USAGE_QUEUE_URL;
  // Each record also becomes CloudWatch metrics: one EMF line on stdout, in METRICS_NAMESPACE.
  const usageSink =
    queueUrl && usage
      ? withEmfMetrics(
          createSqsUsageSink({ client: new SQSClient({}), queueUrl, fallback: (record) => usage.store.ingest(record), logger: log }),
          (line) => void process.stdout.write(line),
          { namespace: env.METRICS_NAMESPACE },
        )
      : undefined;
  // Stored Responses API responses live in the counters table (its TTL expires them), shared by every instance.
  return { tenancy: { store, counters, cooldowns }, usageSink, responseStore: createDynamoDbResponseStore({ client, tableName: countersTable }) };
}

/**
 * Built on the first invoke and kept for the container's life. An invalid config stays
 * failed (a bad deployment stays visibly bad); any other failure, such as a passing
 * Secrets Manager error at cold start, is retried by the next invoke.
 */
function getGateway(log: Logger): Promise<BuiltGateway> {
  gateway ??= buildGateway({
    configText: bundledConfigText(),
    secrets: createSecretSource(process.env),
    upstream: createNodeHttpUpstreamClient(),
    clock: { now: Date.now },
    ids: { next: () => randomUUID() },
    random: Math.random,
    logger: log,
    ...createTenancy(process.env, log),
    signer: createSigV4RequestSigner(),
    ...(priceCatalog === undefined ? {} : { prices: priceCatalog }),
  }).then(
    (built) => {
      log.info('gateway_ready', {
        models: built.modelNames,
        masterKeyOrigin: built.masterKeyOrigin,
        priceSource: priceCatalog?.source ?? 'not inlined',
      });
      return built;
    },
    (error: unknown) => {
      // Name and message only: config and secret-source errors describe the problem, never a value.
      log.error('gateway_build_failed', describeError(error));
      if (!(error instanceof ConfigError)) gateway = undefined;
      throw error;
    },
  );
  return gateway;
}

/**
 * With edge protection on, the stack sets ORIGIN_VERIFY_SECRET_ARN and CloudFront sends that
 * secret's value in a header (see origin-verification.ts). It is read once per container; a
 * failed read is not kept, so the next invoke tries again.
 */
function getOriginCheck(env: NodeJS.ProcessEnv): Promise<OriginCheck | undefined> {
  const secretId = env.ORIGIN_VERIFY_SECRET_ARN;
  if (!secretId) return Promise.resolve(undefined);
  originCheck ??= new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: secretId }))
    .then((output) => createOriginCheck(output.SecretString ?? ''))
    .catch((error: unknown) => {
      originCheck = undefined;
      throw error;
    });
  return originCheck;
}

async function handleEvent(event: FunctionUrlEvent): Promise<FunctionUrlStreamingResult> {
  // First of all: a request that went around CloudFront (and its WAF) costs no key lookup,
  // no gateway build and no log line, so a flood of them is as cheap as it can be.
  let check: OriginCheck | undefined;
  try {
    check = await getOriginCheck(process.env);
  } catch (error) {
    logger.error('origin_secret_unavailable', describeError(error));
    return toStreamingResult(errorResponse(503, 'The gateway cannot verify where requests come from right now. Retry shortly.', 'origin_secret_unavailable'));
  }
  if (check && !check(event.headers)) return toStreamingResult(originForbiddenResponse());
  const forwarded: FunctionUrlEvent = check ? { ...event, headers: withoutOriginHeader(event.headers) } : event;

  // Lambda tells a function nothing when a function-URL client disconnects: the invocation
  // runs on. The signal is aborted only when writing the body fails (the response stream
  // broke), which stops the upstream call; otherwise it never fires.
  const disconnect = new AbortController();
  let built: BuiltGateway;
  try {
    built = await getGateway(logger);
  } catch {
    return toStreamingResult(misconfiguredResponse());
  }
  let response: GatewayHttpResponse;
  try {
    response = await built.handle(toGatewayRequest(forwarded, disconnect.signal));
  } catch (error) {
    // The core renders its own errors; reaching here is a bug, so answer 500 without details.
    logger.error('gateway_unhandled_error', describeError(error));
    response = internalErrorResponse();
  }
  if (response.afterResponse) afterResponses.set(event, response.afterResponse);
  return toStreamingResult(response, () => disconnect.abort());
}

/**
 * Work to do once the response stream has ended (settlement, the usage record). Middy's
 * streaming mode awaits `requestEnd` after piping the body, inside the invocation, so the
 * client is not kept waiting and nothing is left to a promise Lambda would freeze.
 */
const afterResponses = new WeakMap<object, () => Promise<void>>();

async function runAfterResponse(request: { event: unknown }): Promise<void> {
  const event = request.event as object;
  const work = afterResponses.get(event);
  afterResponses.delete(event);
  try {
    await work?.();
  } catch (error) {
    logger.error('after_response_failed', describeError(error));
  }
}

function misconfiguredResponse(): GatewayHttpResponse {
  return errorResponse(500, 'The gateway is misconfigured; see its logs.', 'gateway_misconfigured');
}

function internalErrorResponse(): GatewayHttpResponse {
  return errorResponse(500, 'The gateway failed to handle this request.', 'internal_error');
}

function errorResponse(status: 500 | 503, message: string, code: string): GatewayHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '1' } : {}) },
    body: JSON.stringify({ error: { message, type: 'server_error', param: null, code } }),
  };
}

function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { errorName: error.name, errorMessage: error.message }
    : { errorName: typeof error };
}

/**
 * Wrapped by `awslambda.streamifyResponse` (through middy), so Lambda calls it as
 * `(event, responseStream, context)`; middy writes the prelude and pipes the body.
 */
export const handler = middy<FunctionUrlEvent, FunctionUrlStreamingResult>(handleEvent, {
  executionMode: executionModeStreamifyResponse,
  requestEnd: runAfterResponse,
});
