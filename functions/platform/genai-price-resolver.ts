/**
 * Resolves the configured deployments' prices from `@pydantic/genai-prices` (MIT), the maintained
 * database of LLM prices, into ModelPrice. Run where the database may be loaded: at `cdk synth`
 * (lib/gateway-construct.ts inlines the result into the gateway bundle) and at local start-up.
 * Never import this module from a Lambda entry: it pulls in the whole database.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, type ConditionalPrice, type ModelInfo, type ModelPrice as DatabasePrice } from '@pydantic/genai-prices';
import { parseConfigText } from '../core/config/parse-config.js';
import type { ModelPrice } from '../core/pricing/price-catalog.js';
import { priceKey, type InlinedPrices } from './genai-price-catalog.js';

const PACKAGE_NAME = '@pydantic/genai-prices';

/**
 * The gateway's provider prefixes (LiteLLM's names, functions/core/providers/provider-catalog.ts)
 * → the database's provider ids. Azure falls back to OpenAI's models inside the database.
 */
export const DATABASE_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  vertex_ai: 'google',
  bedrock: 'aws',
  bedrock_converse: 'aws',
  mistral: 'mistral',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x-ai',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  openrouter: 'openrouter',
  perplexity: 'perplexity',
  cohere: 'cohere',
};

/** The built-in demo model bills nothing: it is neither priced nor reported as unpriced. */
const UNBILLED_PROVIDERS: ReadonlySet<string> = new Set(['demo']);

/**
 * The long-context tier ModelPrice can hold: the whole request at other prices once its input
 * exceeds 200,000 tokens. The database writes it as `start: 200000` (input > 200,000) and, for
 * xAI, `start: 199999` (input ≥ 200,000): both are taken, so at exactly 200,000 input tokens an
 * xAI request is priced at the base rate.
 */
const LONG_CONTEXT_TIER_STARTS: ReadonlySet<number> = new Set([199_999, 200_000]);

/** The database's per-million-token keys that ModelPrice has a field for. */
const TOKEN_PRICE_FIELDS = {
  input_mtok: 'inputPerToken',
  output_mtok: 'outputPerToken',
  cache_read_mtok: 'cacheReadPerToken',
  cache_write_mtok: 'cacheWritePerToken',
  cache_write_1h_mtok: 'cacheWrite1hPerToken',
} as const satisfies Record<string, keyof NonNullable<ModelPrice['above200k']>>;

type TokenPriceField = (typeof TOKEN_PRICE_FIELDS)[keyof typeof TOKEN_PRICE_FIELDS];

/** What the resolver needs of a deployment (a DeploymentConfig fits). */
export interface PricedDeployment {
  readonly provider: string;
  readonly upstreamModel: string;
  /** `model_info`: an Azure deployment's `base_model` names the model behind it, as in LiteLLM. */
  readonly modelInfo?: Readonly<Record<string, unknown>>;
}

export interface UnpricedDeployment {
  /** {@link priceKey} of the deployment. */
  readonly key: string;
  readonly reason: string;
}

export interface ResolvedPrices extends InlinedPrices {
  /**
   * The day whose prices were taken where the database dates a change (`YYYY-MM-DD`). Not inlined:
   * the bundle stays byte-identical from one day to the next unless a price has changed.
   */
  readonly resolvedOn: string;
  /** Deployments the database does not price (in config order, once each). */
  readonly unpriced: readonly UnpricedDeployment[];
  /** Prices the database has but ModelPrice cannot hold, by deployment: what the gateway does instead. */
  readonly notes: readonly string[];
}

export interface ResolveOptions {
  /** The moment whose prices apply where the database dates a price change (the synth or start-up time). */
  readonly at: Date;
}

let cachedVersion: string | undefined;

/** The installed database's version, read from its package.json (its exports map does not expose it). */
export function databaseVersion(): string {
  if (cachedVersion === undefined) {
    const entry = createRequire(import.meta.url).resolve(PACKAGE_NAME);
    // dist/index.cjs → the package root; the exports map hides ./package.json from require.
    let directory = dirname(entry);
    for (let depth = 0; depth < 3 && cachedVersion === undefined; depth += 1) {
      try {
        const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') cachedVersion = manifest.version;
      } catch {
        // No package.json here: look one level up.
      }
      directory = dirname(directory);
    }
    cachedVersion ??= 'unknown version';
  }
  return cachedVersion;
}

/** `@pydantic/genai-prices 0.1.8`: how start-up lines and synth notes name the source. */
export function databaseSource(): string {
  return `${PACKAGE_NAME} ${databaseVersion()}`;
}

/** The prices of these deployments only, each converted to USD per token. */
export function resolveDeploymentPrices(deployments: readonly PricedDeployment[], options: ResolveOptions): ResolvedPrices {
  const prices: Record<string, ModelPrice> = {};
  const unpriced: UnpricedDeployment[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const deployment of deployments) {
    const key = priceKey(deployment.provider, deployment.upstreamModel);
    if (seen.has(key) || UNBILLED_PROVIDERS.has(deployment.provider)) continue;
    seen.add(key);
    const resolved = resolveOne(deployment, options.at);
    if ('reason' in resolved) {
      unpriced.push({ key, reason: resolved.reason });
      continue;
    }
    prices[key] = resolved.price;
    notes.push(...resolved.notes.map((note) => `${key}: ${note}`));
  }
  return { source: databaseSource(), resolvedOn: options.at.toISOString().slice(0, 10), prices, unpriced, notes };
}

/** The same for the deployments of a config text (invalid parts are skipped: validation reports them). */
export function resolveConfigPrices(configText: string, options: ResolveOptions): ResolvedPrices {
  return resolveDeploymentPrices(parseConfigText(configText).config.deployments, options);
}

/** Only what the gateway bundle needs: the source and the prices. */
export function toInlinedPrices(resolved: ResolvedPrices): InlinedPrices {
  return { source: resolved.source, prices: resolved.prices };
}

function resolveOne(deployment: PricedDeployment, at: Date): { price: ModelPrice; notes: string[] } | { reason: string } {
  const providerId = DATABASE_PROVIDER_IDS[deployment.provider];
  if (providerId === undefined) {
    return { reason: `${PACKAGE_NAME} has no prices for provider '${deployment.provider}' (a self-hosted server's cost is yours to set)` };
  }
  const model = databaseModelName(deployment);
  let match: ReturnType<typeof calcPrice>;
  try {
    // Zero usage: only the match is wanted (calcPrice also normalises dated ids and follows Azure → OpenAI).
    match = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId, timestamp: at });
  } catch (error) {
    return { reason: `${PACKAGE_NAME} failed on '${model}': ${error instanceof Error ? error.message : String(error)}` };
  }
  if (match === null) return { reason: `not in ${PACKAGE_NAME} ${databaseVersion()} (as '${model}' under '${providerId}')` };
  const notes: string[] = [];
  const chosen = choosePrices(match.model, at, notes);
  const price = convert(chosen, notes);
  if (price === undefined) return { reason: `${PACKAGE_NAME} prices '${match.model.id}' by neither input nor output tokens` };
  return { price, notes };
}

/**
 * The name the database knows. Bedrock: `converse/` and `invoke/` routing prefixes dropped, and
 * for an ARN the model or inference-profile id after its last `/`. Azure: `model_info.base_model`
 * when set, since a deployment is named by its owner.
 */
function databaseModelName(deployment: PricedDeployment): string {
  if (deployment.provider === 'bedrock' || deployment.provider === 'bedrock_converse') {
    const modelId = deployment.upstreamModel.replace(/^(converse|invoke)\//, '');
    return modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  }
  const baseModel = deployment.modelInfo?.['base_model'];
  if (deployment.provider === 'azure' && typeof baseModel === 'string' && baseModel !== '') return baseModel.replace(/^azure\//, '');
  return deployment.upstreamModel;
}

/**
 * A model's prices at `at`: the latest start-date entry already in force (as the database picks
 * them). Time-of-day windows (DeepSeek's peak hours) cannot be held by ModelPrice: each price is
 * the highest of the day, so a budget never binds later than the bill; a later start date is
 * named, since the prices change then and the gateway's copy does not until it is rebuilt.
 */
function choosePrices(model: ModelInfo, at: Date, notes: string[]): DatabasePrice {
  if (!Array.isArray(model.prices)) return model.prices;
  const entries: readonly ConditionalPrice[] = model.prices;
  let base = 0;
  entries.forEach((entry, index) => {
    const constraint = entry.constraint;
    if (constraint === undefined || (constraint.type === 'start_date' && at >= new Date(constraint.start_date))) base = index;
  });
  const later = entries.flatMap((entry) =>
    entry.constraint?.type === 'start_date' && at < new Date(entry.constraint.start_date) ? [entry.constraint.start_date] : [],
  );
  if (later.length > 0) notes.push(`its prices change on ${later.join(', ')}; redeploy (or restart) after that to pick them up`);
  const windows = entries.slice(base + 1).filter((entry) => entry.constraint?.type === 'time_of_date');
  if (windows.length === 0) return entries[base]!.prices;
  notes.push('time-of-day prices: the highest applies at every hour (an upper bound off-peak)');
  return highestOf([entries[base]!.prices, ...windows.map((entry) => entry.prices)]);
}

function highestOf(candidates: readonly DatabasePrice[]): DatabasePrice {
  const highest: DatabasePrice = {};
  for (const candidate of candidates) {
    for (const [name, value] of Object.entries(candidate)) {
      if (value === undefined) continue;
      const current = highest[name];
      if (current === undefined || baseOf(value) > baseOf(current)) highest[name] = value;
    }
  }
  return highest;
}

function baseOf(value: number | { base: number }): number {
  return typeof value === 'number' ? value : value.base;
}

/** Per-million-token database prices → USD per token; undefined when neither input nor output is priced. */
function convert(databasePrice: DatabasePrice, notes: string[]): ModelPrice | undefined {
  const base: Partial<Record<TokenPriceField, number>> = {};
  const longContext: Partial<Record<TokenPriceField, number>> = {};
  const unsupported: string[] = [];
  const otherTiers = new Map<number, string[]>();
  for (const [name, value] of Object.entries(databasePrice)) {
    if (value === undefined) continue;
    const field = (TOKEN_PRICE_FIELDS as Record<string, TokenPriceField | undefined>)[name];
    if (field === undefined) {
      unsupported.push(name);
      continue;
    }
    if (typeof value === 'number') {
      base[field] = perToken(value);
      continue;
    }
    base[field] = perToken(value.base);
    for (const tier of value.tiers) {
      if (LONG_CONTEXT_TIER_STARTS.has(tier.start)) longContext[field] = perToken(tier.price);
      else otherTiers.set(tier.start, [...(otherTiers.get(tier.start) ?? []), name]);
    }
  }
  for (const [start, names] of otherTiers) {
    notes.push(`its prices above ${start.toLocaleString('en-US')} input tokens (${names.join(', ')}) cannot be held: base prices apply there`);
  }
  if (unsupported.length > 0) notes.push(`not charged by the gateway, which counts tokens only: ${unsupported.sort().join(', ')}`);
  if (base.inputPerToken === undefined && base.outputPerToken === undefined) return undefined;
  // An absent input or output price is a token kind the model does not bill (an embedding's output).
  const price: ModelPrice = { ...base, inputPerToken: base.inputPerToken ?? 0, outputPerToken: base.outputPerToken ?? 0 };
  if (Object.keys(longContext).length > 0) {
    // The tier reprices the whole request; a kind of token without its own tier keeps its base price.
    const { maxOutputTokens: _none, above200k: _nested, ...tokenPrices } = price;
    price.above200k = { ...tokenPrices, ...longContext };
  }
  return price;
}

/**
 * Dollars per million tokens → dollars per token, shifted in decimal (`0.025` → `2.5e-8`, where
 * `0.025 / 1e6` is 2.5000000000000002e-8), so that exact costs computed from it match the bill.
 */
function perToken(dollarsPerMillion: number): number {
  const [mantissa, exponent = '0'] = String(dollarsPerMillion).split('e');
  return Number(`${mantissa}e${Number(exponent) - 6}`);
}
