import type { ResolvedDeployment } from '../providers/provider.js';
import { lookUpPrice, type ModelPrice } from './price-table.js';

/** Prices in integer nano-dollars per token, so that sums are exact. */
export interface Pricing {
  inputNanosPerToken: number;
  outputNanosPerToken: number;
  cachedInputNanosPerToken: number;
  maxOutputTokens: number;
  /** False when neither the config nor the price table knows the model: its cost counts as zero. */
  known: boolean;
}

export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const toNanos = (usdPerToken: number): number => Math.round(usdPerToken * 1e9);

const pricingCache = new WeakMap<ResolvedDeployment, Pricing>();

/** The deployment's prices: its own config first, else the built-in table, else zero (and `known: false`). Computed once per deployment. */
export function pricingFor(deployment: ResolvedDeployment): Pricing {
  let pricing = pricingCache.get(deployment);
  if (pricing === undefined) pricingCache.set(deployment, (pricing = computePricing(deployment)));
  return pricing;
}

function computePricing(deployment: ResolvedDeployment): Pricing {
  const table: ModelPrice | undefined = deployment.provider === 'demo' ? undefined : lookUpPrice(deployment.upstreamModel);
  const input = deployment.inputCostPerToken ?? table?.inputPerToken;
  const output = deployment.outputCostPerToken ?? table?.outputPerToken;
  const configuredCap = deployment.modelInfo['max_output_tokens'];
  return {
    inputNanosPerToken: toNanos(input ?? 0),
    outputNanosPerToken: toNanos(output ?? 0),
    cachedInputNanosPerToken: toNanos(table?.cachedInputPerToken ?? input ?? 0),
    maxOutputTokens: typeof configuredCap === 'number' && configuredCap > 0 ? configuredCap : (table?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS),
    known: input !== undefined || output !== undefined || deployment.provider === 'demo',
  };
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Of the prompt tokens, those the provider served from its cache (priced at the cached rate). */
  cachedPromptTokens?: number;
}

/** Cost in whole micro-dollars, rounded up (a budget is never under-charged). */
export function costMicros(usage: TokenUsage, pricing: Pricing): number {
  const cached = Math.min(usage.cachedPromptTokens ?? 0, usage.promptTokens);
  const nanos =
    (usage.promptTokens - cached) * pricing.inputNanosPerToken +
    cached * pricing.cachedInputNanosPerToken +
    usage.completionTokens * pricing.outputNanosPerToken;
  return Math.ceil(nanos / 1000);
}

/** How many output tokens `micros` can buy after paying for the prompt. */
export function affordableOutputTokens(micros: number, promptTokens: number, pricing: Pricing): number {
  if (pricing.outputNanosPerToken === 0) return Number.MAX_SAFE_INTEGER;
  const left = micros * 1000 - promptTokens * pricing.inputNanosPerToken;
  return Math.max(0, Math.floor(left / pricing.outputNanosPerToken));
}

/** A prompt-size estimate (4 characters a token, over the messages and tools as sent), for reservations. */
export function estimatePromptTokens(request: { messages: unknown; tools?: unknown }): number {
  const characters = JSON.stringify(request.messages).length + (request.tools === undefined ? 0 : JSON.stringify(request.tools).length);
  return Math.max(1, Math.ceil(characters / 4));
}
