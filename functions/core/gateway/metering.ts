import { admitRequest, checkModelAllowed, type Admission } from '../admission/admission.js';
import { settleRequest } from '../admission/settlement.js';
import { estimatePromptTokens, pricingFor, type Pricing, type TokenUsage } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';

/** One request's admission, its prices, and its single settlement. */
export interface Metering {
  readonly admission: Admission;
  readonly pricing: Pricing;
  /** The prompt-size estimate, for when the provider reports no usage. */
  readonly promptEstimate: number;
  /** Settles once; later calls do nothing (every admitted request is settled exactly once). */
  settle(usage: TokenUsage): Promise<void>;
}

/**
 * Allow-list, then admission (RPM, TPM, budget reservation) for a virtual key. The
 * master key, and gateways without a counter store, pass without counting. Marks the
 * request as having reached admission, so it gets a usage record whatever happens next.
 */
export async function meterRequest(
  gateway: GatewayContext,
  request: RequestContext,
  deployment: ResolvedDeployment,
  input: { messages: unknown; tools?: unknown; requestedMaxTokens?: number },
): Promise<Metering> {
  checkModelAllowed(request.principal, deployment.modelName);
  request.served.deployment = deployment;
  const pricing = pricingFor(deployment);
  const promptEstimate = estimatePromptTokens(input);
  if (request.principal.kind === 'master' || !gateway.admission) {
    return (request.served.metering = { admission: { headers: {} }, pricing, promptEstimate, settle: async () => undefined });
  }
  const { store, settings } = gateway.admission;
  const admission = await admitRequest(store, settings, gateway.logger, {
    principal: request.principal,
    model: deployment.modelName,
    endUser: request.endUser,
    messages: input.messages,
    tools: input.tools,
    requestedMaxTokens: input.requestedMaxTokens,
    pricing,
    requestId: request.requestId,
    nowMs: gateway.clock.now(),
  });
  let settled = false;
  return (request.served.metering = {
    admission,
    pricing,
    promptEstimate,
    async settle(usage: TokenUsage) {
      if (settled || !admission.ticket) return;
      settled = true;
      await settleRequest(store, gateway.logger, admission.ticket, usage, gateway.clock.now());
    },
  });
}
