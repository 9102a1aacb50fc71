import type { Logger } from '../ports.js';
import { costMicros, type TokenUsage } from '../pricing/cost.js';
import type { AdmissionTicket } from './admission.js';
import type { CounterStore } from './counter-store.js';
import { minuteWindow } from './periods.js';

const SETTLE_ATTEMPTS = 3;

/**
 * Replaces the request's reservations with its actual cost (the exact cost rounded up to the
 * micro-dollar: budgets are counted, and enforced, in whole micro-dollars), adds its tokens to the
 * TPM windows and gives back its parallel slots, in the same write per scope. The store makes it idempotent, so it is simply retried on failure; if it
 * still fails, the reservation expires and is released, and the failure is logged.
 */
export async function settleRequest(store: CounterStore, logger: Logger, ticket: AdmissionTicket, usage: TokenUsage, nowMs: number): Promise<number> {
  const actualMicros = costMicros(usage, ticket.pricing);
  const tokens = usage.promptTokens + usage.completionTokens;
  const input = {
    requestId: ticket.requestId,
    nowMs,
    minute: minuteWindow(nowMs).index,
    scopes: ticket.scopes.map((scope) => ({
      scope: scope.scope,
      tokens: scope.countsTokens ? tokens : undefined,
      budget: scope.budget ? { period: scope.budget.period, reservedMicros: scope.budget.reservedMicros, actualMicros } : undefined,
      releasesSlot: scope.releasesSlot,
    })),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await store.settle(input);
      return actualMicros;
    } catch (error) {
      if (attempt >= SETTLE_ATTEMPTS) {
        logger.error('settlement.failed', { requestId: ticket.requestId, actualMicros, error: error instanceof Error ? error.name : 'unknown' });
        return actualMicros;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
