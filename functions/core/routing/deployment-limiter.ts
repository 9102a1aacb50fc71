import { CounterStoreUnavailableError, type CounterStore } from '../admission/counter-store.js';
import { InternalGatewayError } from '../errors.js';
import { minuteWindow } from '../admission/periods.js';
import type { Logger } from '../ports.js';
import type { ResolvedDeployment } from '../providers/provider.js';

/**
 * usage-based-routing: a deployment's own `rpm`/`tpm` (the provider's quota for that key or
 * region), counted where every instance sees them: the counter store's conditional write,
 * as for keys. One write per attempt, one settlement after the response for `tpm`.
 */
export interface DeploymentLimiter {
  /** True when the deployment is under its limits this minute (and counts this request); false = skip it. */
  tryAcquire(deployment: ResolvedDeployment, requestId: string, nowMs: number): Promise<boolean>;
  /** Adds the tokens the deployment served to its TPM window. */
  settle(deployment: ResolvedDeployment, requestId: string, tokens: number, nowMs: number): Promise<void>;
}

/** Deployments with neither `rpm` nor `tpm` pass without a write. */
const hasLimits = (deployment: ResolvedDeployment) => deployment.rpm !== undefined || deployment.tpm !== undefined;

const scopeOf = (deployment: ResolvedDeployment) => `deployment:${deployment.id}`;

/**
 * Counts in the shared counter store (DynamoDB); when it is unavailable, the deployment is tried
 * anyway (limits are the provider's to enforce too). A store that rejects the write is not an
 * outage, and is not read as one: the request fails with a 500.
 */
export function createCountingDeploymentLimiter(store: CounterStore, logger: Logger, reservationTtlMs: number): DeploymentLimiter {
  return {
    async tryAcquire(deployment, requestId, nowMs) {
      if (!hasLimits(deployment)) return true;
      try {
        const result = await store.admit({
          requestId,
          nowMs,
          minute: minuteWindow(nowMs).index,
          reservationExpiresAtMs: nowMs + reservationTtlMs,
          scopes: [{ scope: scopeOf(deployment), rpmLimit: deployment.rpm, tpmLimit: deployment.tpm, settles: deployment.tpm !== undefined }],
        });
        return result.admitted;
      } catch (error) {
        if (!(error instanceof CounterStoreUnavailableError)) {
          const reason = error instanceof Error ? ((error as { reason?: string }).reason ?? error.name) : 'unknown';
          logger.error('routing.deployment_limits_rejected', { deployment: deployment.id, error: reason });
          throw new InternalGatewayError();
        }
        logger.warn('routing.deployment_limits_unavailable', { deployment: deployment.id, error: error.name });
        return true;
      }
    },
    async settle(deployment, requestId, tokens, nowMs) {
      if (deployment.tpm === undefined) return;
      try {
        await store.settle({ requestId, nowMs, minute: minuteWindow(nowMs).index, scopes: [{ scope: scopeOf(deployment), tokens }] });
      } catch (error) {
        logger.warn('routing.deployment_settle_failed', { deployment: deployment.id, error: error instanceof Error ? error.name : 'unknown' });
      }
    },
  };
}

/** Without a counter store (no DynamoDB): the same limits, counted by this instance alone. */
export function createLocalDeploymentLimiter(): DeploymentLimiter {
  const windows = new Map<string, { minute: number; requests: number; tokens: number }>();
  const windowOf = (deployment: ResolvedDeployment, nowMs: number) => {
    const minute = minuteWindow(nowMs).index;
    let window = windows.get(deployment.id);
    if (window === undefined || window.minute !== minute) windows.set(deployment.id, (window = { minute, requests: 0, tokens: 0 }));
    return window;
  };
  return {
    async tryAcquire(deployment, _requestId, nowMs) {
      if (!hasLimits(deployment)) return true;
      const window = windowOf(deployment, nowMs);
      if (deployment.rpm !== undefined && window.requests >= deployment.rpm) return false;
      if (deployment.tpm !== undefined && window.tokens >= deployment.tpm) return false;
      window.requests++;
      return true;
    },
    async settle(deployment, _requestId, tokens, nowMs) {
      if (deployment.tpm !== undefined) windowOf(deployment, nowMs).tokens += tokens;
    },
  };
}
