import type { ResolvedDeployment } from '../providers/provider.js';
import type { PriceCatalog } from './price-catalog.js';
import { BUILT_IN_PRICE_CATALOG } from './price-table.js';
import { resolvePricing } from './resolve-pricing.js';

export { DEFAULT_MAX_OUTPUT_TOKENS, toPicos } from './resolve-pricing.js';

/**
 * Prices of one kind of token each, in integer pico-dollars (1e-12 USD) per token: every real
 * price (down to $0.000001 per million tokens) is a whole number of them, so a request's cost is
 * an exact integer and sums of costs are exact too.
 */
export interface TokenPrices {
  /** Uncached prompt tokens. */
  readonly input: number;
  readonly output: number;
  /** Prompt tokens read from the provider's cache. */
  readonly cacheRead: number;
  /** Prompt tokens written to the cache with the default (5-minute) lifetime. */
  readonly cacheWrite: number;
  /** Prompt tokens written to the cache with a 1-hour lifetime. */
  readonly cacheWrite1h: number;
}

/** A deployment's prices, resolved once at start-up (resolve-pricing.ts). */
export interface Pricing extends TokenPrices {
  /** The long-context tier: these prices apply to the whole request when its prompt exceeds LONG_CONTEXT_THRESHOLD tokens. */
  readonly above200k?: TokenPrices;
  readonly maxOutputTokens: number;
  /** False when neither the config nor the price catalog gives both an input and an output price: its cost is a lower bound, and no budget may bind on it. */
  readonly known: boolean;
}

/** Prompt tokens (cache reads and writes included) above which a model's long-context prices apply, as Anthropic and Google bill. */
export const LONG_CONTEXT_THRESHOLD = 200_000;
export const PICOS_PER_USD = 1_000_000_000_000n;
/** Budgets count micro-dollars, records pico-dollars. */
export const PICOS_PER_MICRO = 1_000_000n;

export interface TokenUsage {
  /** Every prompt token, as OpenAI counts them: uncached input, cache reads and cache writes. */
  promptTokens: number;
  completionTokens: number;
  /** Of the prompt tokens, those read from the provider's cache. */
  cachedPromptTokens?: number;
  /** Of the prompt tokens, those written to the cache (5-minute and 1-hour writes). */
  cacheWriteTokens?: number;
  /** Of the cache writes, those with a 1-hour lifetime. */
  cacheWrite1hTokens?: number;
}

const pricingByDeployment = new WeakMap<ResolvedDeployment, Pricing>();

/**
 * Resolves every deployment's prices from its config and `catalog` once (buildGateway calls it
 * before anything reads a price) and returns the deployments whose price is unknown.
 */
export function priceDeployments(deployments: readonly ResolvedDeployment[], catalog: PriceCatalog): ResolvedDeployment[] {
  const unpriced: ResolvedDeployment[] = [];
  for (const deployment of deployments) {
    const pricing = resolvePricing(deployment, catalog);
    pricingByDeployment.set(deployment, pricing);
    if (!pricing.known) unpriced.push(deployment);
  }
  return unpriced;
}

/** The deployment's prices, as priceDeployments resolved them (a deployment it never saw: from its config and the built-in table). */
export function pricingFor(deployment: ResolvedDeployment): Pricing {
  let pricing = pricingByDeployment.get(deployment);
  if (pricing === undefined) pricingByDeployment.set(deployment, (pricing = resolvePricing(deployment, BUILT_IN_PRICE_CATALOG)));
  return pricing;
}

/** The prices that apply to a request with this many prompt tokens. */
export function tierFor(pricing: Pricing, promptTokens: number): TokenPrices {
  return pricing.above200k !== undefined && promptTokens > LONG_CONTEXT_THRESHOLD ? pricing.above200k : pricing;
}

/** The prompt split into the kinds of token that are priced differently; each count is bounded by what is left of the prompt. */
export function promptParts(usage: TokenUsage): { uncached: number; cacheRead: number; cacheWrite5m: number; cacheWrite1h: number } {
  const prompt = usage.promptTokens;
  const cacheRead = Math.min(usage.cachedPromptTokens ?? 0, prompt);
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, prompt - cacheRead);
  const cacheWrite1h = Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  return { uncached: prompt - cacheRead - cacheWrite, cacheRead, cacheWrite5m: cacheWrite - cacheWrite1h, cacheWrite1h };
}

/**
 * The exact cost in pico-dollars: uncached input × input + cache reads × read + 5-minute writes ×
 * write + 1-hour writes × 1-hour write + output × output, all at the long-context tier when the
 * prompt exceeds 200,000 tokens. BigInt, so no count or sum is ever rounded.
 */
export function costPicos(usage: TokenUsage, pricing: Pricing): bigint {
  const prices = tierFor(pricing, usage.promptTokens);
  const parts = promptParts(usage);
  return (
    BigInt(parts.uncached) * BigInt(prices.input) +
    BigInt(parts.cacheRead) * BigInt(prices.cacheRead) +
    BigInt(parts.cacheWrite5m) * BigInt(prices.cacheWrite) +
    BigInt(parts.cacheWrite1h) * BigInt(prices.cacheWrite1h) +
    BigInt(usage.completionTokens) * BigInt(prices.output)
  );
}

/** Pico-dollars → whole micro-dollars, rounded up: the unit budgets are counted in (a budget is never under-charged). */
export function picosToMicrosRoundedUp(picos: bigint): number {
  return Number((picos + PICOS_PER_MICRO - 1n) / PICOS_PER_MICRO);
}

/** The cost in whole micro-dollars, rounded up: what a budget is charged. */
export function costMicros(usage: TokenUsage, pricing: Pricing): number {
  return picosToMicrosRoundedUp(costPicos(usage, pricing));
}

/** Pico-dollars as an exact decimal USD text, without trailing zeros: 200000000n → "0.0000002". */
export function formatPicosAsUsd(picos: bigint): string {
  const negative = picos < 0n;
  const magnitude = negative ? -picos : picos;
  const whole = magnitude / PICOS_PER_USD;
  const fraction = (magnitude % PICOS_PER_USD).toString().padStart(12, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Pico-dollars as a USD number (the double nearest the exact decimal), for JSON bodies. */
export function picosToUsd(picos: bigint): number {
  return Number(formatPicosAsUsd(picos));
}

/**
 * The worst case of `pricing` for a reservation: every prompt token at the dearest prompt rate
 * (a 1-hour cache write costs twice an uncached token), at the dearer of the two tiers (the prompt
 * size is an estimate, so the tier it falls in is too).
 */
export function worstCasePrices(pricing: Pricing): { prompt: number; output: number } {
  const tiers: TokenPrices[] = pricing.above200k === undefined ? [pricing] : [pricing, pricing.above200k];
  return {
    prompt: Math.max(...tiers.flatMap((tier) => [tier.input, tier.cacheRead, tier.cacheWrite, tier.cacheWrite1h])),
    output: Math.max(...tiers.map((tier) => tier.output)),
  };
}

/** The reservation for a request: its worst case, in whole micro-dollars rounded up. */
export function reservationMicros(promptTokens: number, outputTokens: number, pricing: Pricing): number {
  const worst = worstCasePrices(pricing);
  return picosToMicrosRoundedUp(BigInt(promptTokens) * BigInt(worst.prompt) + BigInt(outputTokens) * BigInt(worst.output));
}

/** How many output tokens `micros` can buy after paying for the prompt, at the worst-case prices. */
export function affordableOutputTokens(micros: number, promptTokens: number, pricing: Pricing): number {
  const worst = worstCasePrices(pricing);
  if (worst.output === 0) return Number.MAX_SAFE_INTEGER;
  const left = BigInt(micros) * PICOS_PER_MICRO - BigInt(promptTokens) * BigInt(worst.prompt);
  if (left <= 0n) return 0;
  const affordable = left / BigInt(worst.output);
  return affordable > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(affordable);
}

/** A prompt-size estimate (4 characters a token, over the messages and tools as sent), for reservations. */
export function estimatePromptTokens(request: { messages: unknown; tools?: unknown }): number {
  const characters = JSON.stringify(request.messages).length + (request.tools === undefined ? 0 : JSON.stringify(request.tools).length);
  return Math.max(1, Math.ceil(characters / 4));
}
