import { parseConfigOrThrow } from './config/parse-config.js';
import { resolveConfig } from './config/resolve-config.js';
import { createGateway, renderError } from './gateway/create-gateway.js';
import { createAuthenticator } from './auth/authenticate.js';
import { toGatewayError } from './errors.js';
import type { GatewayHandler } from './http/gateway-http.js';
import type { CounterStore } from './admission/counter-store.js';
import { createVirtualKeyStore } from './auth/virtual-key-store.js';
import type { TenancyStore } from './tenancy/tenancy-store.js';
import type { UsageSink } from './usage/usage-record.js';
import type { ResponseStore } from './storage/response-store.js';
import type { RequestSigner } from './gateway/gateway-context.js';
import type { Clock, IdSource, Logger, SecretSource, UpstreamClient } from './ports.js';
import { createDemoUpstream, routeDemoRequests } from './providers/demo/demo-upstream.js';
import { ModelRouter } from './routing/model-router.js';
import type { CooldownStore } from './routing/cooldown-store.js';
import { createCooldownsFor } from './routing/cooldowns.js';
import { createCountingDeploymentLimiter, createLocalDeploymentLimiter } from './routing/deployment-limiter.js';
import { createProviderKeys } from './config/provider-keys.js';
import { createPreflight, type Preflight } from './gateway/preflight.js';
import { createSecretRedactor } from './redact-secrets.js';
import { priceDeployments } from './pricing/cost.js';
import type { PriceCatalog } from './pricing/price-catalog.js';
import { BUILT_IN_PRICE_CATALOG } from './pricing/price-table.js';
import { unpricedDeploymentMessage } from './pricing/resolve-pricing.js';

export interface BuildGatewayOptions {
  /** YAML text of the LiteLLM-style config. */
  configText: string;
  secrets: SecretSource;
  upstream: UpstreamClient;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /** Used only when neither `general_settings.master_key` nor `GATEWAY_MASTER_KEY` yields one (the local server generates it). */
  fallbackMasterKey?: string;
  /**
   * Tenants, virtual keys and their counters. Without them only the master key
   * authenticates and nothing is counted.
   */
  tenancy?: { store: TenancyStore; counters: CounterStore; cooldowns?: CooldownStore };
  /** In [0, 1): the router's weighted shuffles and backoff jitter. @default Math.random */
  random?: () => number;
  /** Where usage records go (SQS on Lambda, the in-process queue locally); absent = not recorded. */
  usageSink?: UsageSink;
  /** Signs Bedrock requests (SigV4); absent = Bedrock deployments answer 500. */
  signer?: RequestSigner;
  /**
   * Prices for deployments whose config sets none (each kind of token on its own: see
   * resolve-pricing.ts). @default the built-in table (OpenAI's models only)
   */
  prices?: PriceCatalog;
  /** Where `POST /v1/responses` keeps stored responses (DynamoDB on Lambda). @default this process's memory */
  responseStore?: ResponseStore;
}

export interface BuiltGateway {
  handle: GatewayHandler;
  /** Where the master key came from; `none` means every authenticated route answers 401. */
  masterKeyOrigin: 'config' | 'environment' | 'generated' | 'none';
  modelNames: string[];
  /** Bodies above this many bytes are refused with 413; edges may stop reading past it. */
  maxRequestBytes: number;
  /** Wraps another handler (the local server's /admin routes) so that only the master key reaches it. */
  requireMasterKey: (handler: GatewayHandler) => GatewayHandler;
  /** Answers a refusal (404/405/401/413) from the method, path and headers alone, so an edge can skip reading the body; see preflight.ts. */
  preflight: Preflight;
}

/** Parses and validates the config, resolves `os.environ/` references, and returns the request handler. Throws `ConfigError` listing every problem. */
export async function buildGateway(options: BuildGatewayOptions): Promise<BuiltGateway> {
  const { config, warnings } = parseConfigOrThrow(options.configText);
  for (const warning of warnings) options.logger.warn('config.warning', { warning });
  const resolved = await resolveConfig(config, options.secrets, options.logger, options.fallbackMasterKey);
  if (resolved.masterKey === undefined) {
    options.logger.warn('config.no_master_key', { hint: 'set general_settings.master_key or GATEWAY_MASTER_KEY; every request will get 401' });
  }
  // Before the router: its cost-based order and every cost read the prices resolved here.
  const prices = options.prices ?? BUILT_IN_PRICE_CATALOG;
  for (const deployment of priceDeployments(resolved.deployments, prices)) {
    options.logger.warn('config.unpriced_deployment', {
      deployment: deployment.id,
      model: deployment.modelName,
      provider: deployment.provider,
      upstreamModel: deployment.upstreamModel,
      priceSource: prices.source,
      warning: unpricedDeploymentMessage(deployment, prices),
    });
  }
  const routerSettings = config.routerSettings;
  const router = new ModelRouter(resolved.deployments, {
    settings: routerSettings,
    cooldowns: createCooldownsFor(routerSettings, { store: options.tenancy?.cooldowns, clock: options.clock, logger: options.logger }),
    limiter: options.tenancy
      ? createCountingDeploymentLimiter(options.tenancy.counters, options.logger, config.generalSettings.reservationTtlMs)
      : createLocalDeploymentLimiter(),
    clock: options.clock,
    random: options.random ?? Math.random,
    logger: options.logger,
  });
  const secrets = createSecretRedactor(resolved.secretValues);
  const nowSeconds = () => Math.floor(options.clock.now() / 1000);
  // One key store (and so one cache) for the handler and the preflight: the handler's second check is a cache hit.
  const keyStore =
    options.tenancy && createVirtualKeyStore({ store: options.tenancy.store, clock: options.clock, cacheTtlMs: config.generalSettings.keyCacheTtlMs });
  const handle = createGateway(
    {
      router,
      upstream: routeDemoRequests(options.upstream, createDemoUpstream({ nowSeconds })),
      providerKeys: createProviderKeys(options.secrets, secrets.add),
      clock: options.clock,
      logger: options.logger,
      settings: config.generalSettings,
      startedAtSeconds: nowSeconds(),
      redact: secrets.redactError,
      usageSink: options.usageSink,
      signer: options.signer,
      dropParams: config.litellmSettings['drop_params'] !== false,
      admission: options.tenancy && {
        store: options.tenancy.counters,
        settings: {
          clampMaxTokens: config.generalSettings.budgetClampMaxTokens,
          reservationTtlMs: config.generalSettings.reservationTtlMs,
          failOpen: config.generalSettings.limitsFailOpen,
        },
      },
    },
    {
      masterKey: resolved.masterKey,
      keyStore,
      ids: options.ids,
      responseStore: options.responseStore,
      responseTtlDays: config.generalSettings.responseTtlDays,
    },
  );
  return {
    handle,
    masterKeyOrigin: resolved.masterKeyOrigin,
    modelNames: router.modelNames(),
    maxRequestBytes: config.generalSettings.maxRequestBytes,
    requireMasterKey: (handler) => requireMasterKey(resolved.masterKey, handler),
    preflight: createPreflight({
      authenticate: createAuthenticator(resolved.masterKey, keyStore),
      authenticateMaster: createAuthenticator(resolved.masterKey),
      maxRequestBytes: config.generalSettings.maxRequestBytes,
      ids: options.ids,
      logger: options.logger,
    }),
  };
}

function requireMasterKey(masterKey: string | undefined, handler: GatewayHandler): GatewayHandler {
  const authenticate = createAuthenticator(masterKey);
  return async (request) => {
    try {
      await authenticate(request.headers);
    } catch (error) {
      return renderError(toGatewayError(error));
    }
    return handler(request);
  };
}
