import { admitRequest, checkModelAllowed, type Admission } from '../admission/admission.js';
import { settleRequest } from '../admission/settlement.js';
import { estimatePromptTokens, pricingFor, type Pricing, type TokenPrices, type TokenUsage } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';

/** One request's admission, its worst-case prices, and its single settlement. */
export interface Metering {
  readonly admission: Admission;
  /** The highest prices among the deployments that may serve (fallbacks included): what the reservation assumed. */
  readonly pricing: Pricing;
  /** The prompt-size estimate (for the reservation, and when the provider reports no usage); computed once, when first asked. */
  promptEstimate(): number;
  /**
   * Settles once, at the prices of the deployment that served, and gives back the request's parallel
   * slots (`max_parallel_requests`) in the same writes; later calls do nothing. create-gateway's
   * afterResponse calls it for every admitted request, success, failure or client gone alike.
   */
  settle(usage: TokenUsage, servedPricing: Pricing): Promise<void>;
}

/**
 * Allow-list, then admission (RPM, TPM, budget reservation) for a virtual key, once per
 * client request whatever the retries and fallbacks. The reservation assumes the dearest of
 * `candidates` (the deployments that may serve), so no failover can overspend a budget. The
 * master key, and gateways without a counter store, pass without counting. Marks the request
 * as having reached admission, so it gets a usage record whatever happens next.
 */
export async function meterRequest(
  gateway: GatewayContext,
  request: RequestContext,
  candidates: readonly ResolvedDeployment[],
  input: { messages: unknown; tools?: unknown; requestedMaxTokens?: number },
): Promise<Metering> {
  const deployment = candidates[0]!;
  checkModelAllowed(request.principal, deployment.modelName);
  request.served.deployment = deployment;
  const pricings = candidates.map(pricingFor);
  const pricing = highestPricing(pricings);
  const unpriced = candidates.find((_, index) => !pricings[index]!.known);
  // Serialising the prompt costs time in proportion to its size: only when a reservation or a missing usage needs it.
  let estimate: number | undefined;
  const promptEstimate = () => (estimate ??= estimatePromptTokens(input));
  if (request.principal.kind === 'master' || !gateway.admission) {
    return (request.served.metering = { admission: { headers: {} }, pricing, promptEstimate, settle: async () => undefined });
  }
  const { store, settings } = gateway.admission;
  const admission = await admitRequest(store, settings, gateway.logger, {
    principal: request.principal,
    model: deployment.modelName,
    endUser: request.endUser,
    promptEstimate: promptEstimate(),
    requestedMaxTokens: input.requestedMaxTokens,
    pricing,
    unpricedModel: unpriced?.modelName,
    requestId: request.requestId,
    nowMs: gateway.clock.now(),
  });
  let settled = false;
  return (request.served.metering = {
    admission,
    pricing,
    promptEstimate,
    async settle(usage: TokenUsage, servedPricing: Pricing) {
      if (settled || !admission.ticket) return;
      settled = true;
      await settleRequest(store, gateway.logger, { ...admission.ticket, pricing: servedPricing }, usage, gateway.clock.now());
    },
  });
}

/**
 * Each price at its highest among the deployments (the long-context tier too, where any has one):
 * an upper bound on what any of them can cost. Known only when every one is priced: a fallback
 * without a price could otherwise spend a budget that does not bind on it.
 */
export function highestPricing(pricings: readonly Pricing[]): Pricing {
  const highest = (tiers: readonly TokenPrices[]): TokenPrices => ({
    input: Math.max(...tiers.map((tier) => tier.input)),
    output: Math.max(...tiers.map((tier) => tier.output)),
    cacheRead: Math.max(...tiers.map((tier) => tier.cacheRead)),
    cacheWrite: Math.max(...tiers.map((tier) => tier.cacheWrite)),
    cacheWrite1h: Math.max(...tiers.map((tier) => tier.cacheWrite1h)),
  });
  const longContext = pricings.some((pricing) => pricing.above200k !== undefined);
  return {
    ...highest(pricings),
    ...(longContext ? { above200k: highest(pricings.map((pricing) => pricing.above200k ?? pricing)) } : {}),
    maxOutputTokens: Math.max(...pricings.map((pricing) => pricing.maxOutputTokens)),
    known: pricings.every((pricing) => pricing.known),
  };
}
