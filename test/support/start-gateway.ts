import { randomUUID } from 'node:crypto';
import { buildGateway } from '../../functions/core/build-gateway.js';
import type { GatewayHandler } from '../../functions/core/http/gateway-http.js';
import type { Clock, Logger } from '../../functions/core/ports.js';
import type { PriceCatalog } from '../../functions/core/pricing/price-catalog.js';
import type { UsageSink } from '../../functions/core/usage/usage-record.js';
import type { ResponseStore } from '../../functions/core/storage/response-store.js';
import { createEnvironmentSecretSource } from '../../functions/platform/environment-secret-source.js';
import type { DynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { createSigV4RequestSigner } from '../../functions/platform/sigv4-request-signer.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';
import { createLocalAdminHandler } from '../../functions/local/local-tenancy.js';
import { startLocalServer } from '../../functions/local/local-server.js';

export const MASTER_KEY = 'sk-test-master-key-0123456789';

export interface RunningGateway {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly logLines: Array<{ level: string; event: string; fields?: Record<string, unknown> }>;
  /**
   * Resolves once every response handed out so far has finished its after-response work
   * (settlement, the usage record): "no second record" can then be counted, not waited for.
   */
  drained(): Promise<void>;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  environment?: Record<string, string>;
  /** Tenants, virtual keys and counters (DynamoDB Local); also mounts /admin. */
  tenancy?: DynamoDbTenancy;
  clock?: Clock;
  usageSink?: UsageSink;
  /** The router's random source (weighted shuffle, jitter): inject for repeatable tests. */
  random?: () => number;
  /**
   * Prices for deployments the config does not price, as `npm start` passes them (e.g.
   * `createInlinedPriceCatalog(resolveConfigPrices(config, { at }))`). @default buildGateway's own
   */
  prices?: PriceCatalog;
  /** Where stored Responses API responses go (e.g. DynamoDB Local's counters table). @default buildGateway's in-memory store */
  responseStore?: ResponseStore;
}

/** The real gateway (core + node:http upstream + local server) on a free port, for end-to-end tests. */
export async function startGateway(configText: string, settings: StartGatewayOptions = {}): Promise<RunningGateway> {
  const clock = settings.clock ?? { now: Date.now };
  const logLines: RunningGateway['logLines'] = [];
  const logger: Logger = {
    info: (event, fields) => logLines.push({ level: 'info', event, fields }),
    warn: (event, fields) => logLines.push({ level: 'warn', event, fields }),
    error: (event, fields) => logLines.push({ level: 'error', event, fields }),
  };
  const gateway = await buildGateway({
    configText,
    secrets: createEnvironmentSecretSource({ GATEWAY_MASTER_KEY: MASTER_KEY, ...settings.environment }),
    upstream: createNodeHttpUpstreamClient(),
    clock,
    ids: { next: randomUUID },
    logger,
    tenancy: settings.tenancy && { store: settings.tenancy.store, counters: settings.tenancy.counters, cooldowns: settings.tenancy.cooldowns },
    random: settings.random,
    usageSink: settings.usageSink,
    ...(settings.prices === undefined ? {} : { prices: settings.prices }),
    ...(settings.responseStore === undefined ? {} : { responseStore: settings.responseStore }),
    // Fixed credentials: the fake Bedrock upstream does not check signatures, but the path is the real one.
    signer: createSigV4RequestSigner({ credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' }) }),
  });
  // Each response's after-response work, from when the response exists (before the client has its
  // first byte) until that work has finished.
  const afterResponses = new Set<Promise<void>>();
  const handle: GatewayHandler = async (request) => {
    const response = await gateway.handle(request);
    const work = response.afterResponse;
    if (work === undefined) return response;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    afterResponses.add(done);
    const afterResponse = () =>
      work().finally(() => {
        afterResponses.delete(done);
        finished();
      });
    return { ...response, afterResponse };
  };
  const server = await startLocalServer({
    handle,
    adminHandle: settings.tenancy && gateway.requireMasterKey(createLocalAdminHandler(settings.tenancy, clock, logger)),
    preflight: gateway.preflight, // as `npm start` wires it: refusals answered before the body is read
    maxRequestBytes: gateway.maxRequestBytes,
    port: 0,
  });
  const drained = async (): Promise<void> => {
    while (afterResponses.size > 0) await Promise.all(afterResponses);
  };
  return { url: server.url, logLines, drained, close: () => server.close() };
}
