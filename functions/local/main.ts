import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildGateway } from '../core/build-gateway.js';
import { DEFAULT_CONFIG_YAML } from '../core/config/default-config.js';
import { ConfigError } from '../core/config/parse-config.js';
import type { Logger } from '../core/ports.js';
import { createEnvironmentSecretSource } from '../platform/environment-secret-source.js';
import { createInlinedPriceCatalog } from '../platform/genai-price-catalog.js';
import { describePrices } from '../platform/genai-price-report.js';
import { resolveConfigPrices } from '../platform/genai-price-resolver.js';
import { createJsonLogger } from '../platform/json-logger.js';
import { createNodeHttpUpstreamClient } from '../platform/node-http-upstream-client.js';
import { LOCAL_SERVER_LIMITS, startLocalServer } from './local-server.js';
import { createSigV4RequestSigner } from '../platform/sigv4-request-signer.js';
import { createLocalAdminHandler, startLocalTenancy, type LocalTenancy } from './local-tenancy.js';

/**
 * `npm start`: the gateway on http://127.0.0.1:4000 (PORT/HOST override), serving
 * GATEWAY_CONFIG or the embedded demo config. With no master key configured, one is
 * generated and printed, locally only. GATEWAY_MAX_CONNECTIONS caps open connections
 * (default 1,024).
 */
async function main(): Promise<void> {
  const maxConnections = positiveInteger('GATEWAY_MAX_CONNECTIONS', LOCAL_SERVER_LIMITS.maxConnections);
  const configPath = process.env['GATEWAY_CONFIG'];
  const configText = configPath ? readFileSync(configPath, 'utf8') : DEFAULT_CONFIG_YAML;
  const generatedKey = `sk-local-${randomBytes(18).toString('base64url')}`;
  const logger = levelFiltered(createJsonLogger({ service: 'gateway-local' }), process.env['LOG_LEVEL'] ?? 'info');
  const clock = { now: Date.now };
  // As `cdk synth` does for Lambda: the configured deployments' prices from the database, resolved once.
  const resolvedPrices = resolveConfigPrices(configText, { at: new Date() });
  const priceReport = describePrices(resolvedPrices);

  let localTenancy: LocalTenancy | undefined;
  try {
    localTenancy = await startLocalTenancy(process.env['GATEWAY_DYNAMODB'], clock, logger);
  } catch (error) {
    process.stderr.write(
      `Could not start DynamoDB Local (${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'}).\n` +
        'Serving without tenants and virtual keys (master key only). Install Java 17+, or set GATEWAY_DYNAMODB=off to skip this.\n',
    );
  }

  let gateway;
  try {
    gateway = await buildGateway({
      configText,
      secrets: createEnvironmentSecretSource(process.env),
      upstream: createNodeHttpUpstreamClient(),
      clock,
      ids: { next: randomUUID },
      logger,
      fallbackMasterKey: generatedKey,
      tenancy: localTenancy && { store: localTenancy.tenancy.store, counters: localTenancy.tenancy.counters, cooldowns: localTenancy.tenancy.cooldowns },
      random: Math.random,
      usageSink: localTenancy?.usageSink,
      ...(localTenancy ? { responseStore: localTenancy.responseStore } : {}),
      signer: createSigV4RequestSigner(),
      prices: createInlinedPriceCatalog(resolvedPrices),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${configPath ?? 'embedded config'}: ${error.message}\n`);
      await localTenancy?.stop();
      process.exit(1);
    }
    throw error;
  }

  const server = await startLocalServer({
    handle: gateway.handle,
    adminHandle: localTenancy && gateway.requireMasterKey(createLocalAdminHandler(localTenancy.tenancy, clock, logger)),
    preflight: gateway.preflight,
    maxRequestBytes: gateway.maxRequestBytes,
    maxConnections,
    host: process.env['HOST'] ?? '127.0.0.1',
    port: Number(process.env['PORT'] ?? 4000),
  });
  const lines = [
    `LLM gateway listening on ${server.url}  (OpenAI base_url: ${server.url}/v1)`,
    `config: ${configPath ?? 'embedded default (demo model)'}; models: ${gateway.modelNames.join(', ')}`,
    gateway.masterKeyOrigin === 'generated'
      ? `master key (generated for this run; set GATEWAY_MASTER_KEY to choose one): ${generatedKey}`
      : `master key: from ${gateway.masterKeyOrigin === 'config' ? 'general_settings.master_key' : 'the environment'}`,
    localTenancy
      ? `tenants and virtual keys: ${localTenancy.description}; admin API at ${server.url}/admin (npm run admin -- --help)`
      : 'tenants and virtual keys: off (master key only)',
    priceReport.summary,
    ...priceReport.notes,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);

  const stop = () =>
    void server
      .close()
      .then(() => localTenancy?.stop())
      .then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A positive whole number from the environment, or the default; anything else stops start-up with a message. */
function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a positive whole number (got ${JSON.stringify(text.slice(0, 40))}).\n`);
    process.exit(1);
  }
  return value;
}

const LEVELS = ['info', 'warn', 'error', 'silent'];

/** LOG_LEVEL=warn|error|silent quiets the per-request lines (the benchmark does). */
function levelFiltered(logger: Logger, level: string): Logger {
  const threshold = Math.max(0, LEVELS.indexOf(level));
  const keep = (name: string) => LEVELS.indexOf(name) >= threshold;
  return {
    info: (event, fields) => keep('info') && logger.info(event, fields),
    warn: (event, fields) => keep('warn') && logger.warn(event, fields),
    error: (event, fields) => keep('error') && logger.error(event, fields),
  };
}

await main();
