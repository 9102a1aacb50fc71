import { admitRequest, checkModelAllowed, type Admission } from '../admission/admission.js';
import { settleRequest } from '../admission/settlement.js';
import { estimatePromptTokens, pricingFor, type TokenUsage } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';

/** One request's admission and its single settlement. */
export interface Metering {
  readonly admission: Admission;
  /** The prompt-size estimate, for settling when the provider reports no usage. */
  readonly promptEstimate: number;
  /** Settles once; later calls do nothing (every admitted request is settled exactly once). */
  settle(usage: TokenUsage): Promise<void>;
}

const ZERO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0 };

/**
 * Allow-list, then admission (RPM, TPM, budget reservation) for a virtual key. The
 * master key, and gateways without a counter store, pass without counting.
 */
export async function meterRequest(
  gateway: GatewayContext,
  request: RequestContext,
  deployment: ResolvedDeployment,
  input: { messages: unknown; tools?: unknown; requestedMaxTokens?: number },
): Promise<Metering> {
  checkModelAllowed(request.principal, deployment.modelName);
  const promptEstimate = estimatePromptTokens(input);
  if (request.principal.kind === 'master' || !gateway.admission) {
    return { admission: { headers: {} }, promptEstimate, settle: async () => undefined };
  }
  const { store, settings } = gateway.admission;
  const admission = await admitRequest(store, settings, gateway.logger, {
    principal: request.principal,
    model: deployment.modelName,
    endUser: request.endUser,
    messages: input.messages,
    tools: input.tools,
    requestedMaxTokens: input.requestedMaxTokens,
    pricing: pricingFor(deployment),
    requestId: request.requestId,
    nowMs: gateway.clock.now(),
  });
  let settled = false;
  return {
    admission,
    promptEstimate,
    async settle(usage: TokenUsage) {
      if (settled || !admission.ticket) return;
      settled = true;
      await settleRequest(store, gateway.logger, admission.ticket, usage, gateway.clock.now());
    },
  };
}

/** Settles with zero cost when the work fails before the provider produced anything billable. */
export async function settleUnbilled(metering: Metering): Promise<void> {
  await metering.settle(ZERO_USAGE);
}

/** Wraps a streamed body so that settlement runs when it ends, however it ends (done, failed, client gone). */
export async function* settledWhenDone(body: AsyncIterable<string>, settle: () => Promise<void>): AsyncGenerator<string> {
  try {
    yield* body;
  } finally {
    await settle();
  }
}
