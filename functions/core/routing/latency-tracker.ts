/** How much one new sample moves a deployment's average: recent behaviour counts most. */
const SMOOTHING = 0.3;

/** An average with no new sample for this long is forgotten, so a deployment once slow (or failing) is tried again. */
export const LATENCY_FORGET_AFTER_MS = 60_000;

/**
 * Recent latency per deployment, for latency-based routing: an exponentially weighted
 * average of time to first token (streams) or whole-response time (otherwise), per gateway
 * instance. Deliberately not shared: each instance measures what it sees, at no cost.
 */
export class LatencyTracker {
  private readonly averages = new Map<string, { ms: number; atMs: number }>();

  record(deploymentId: string, latencyMs: number, nowMs: number): void {
    const previous = this.averages.get(deploymentId);
    const fresh = previous !== undefined && nowMs - previous.atMs < LATENCY_FORGET_AFTER_MS;
    this.averages.set(deploymentId, { ms: fresh ? previous.ms + SMOOTHING * (latencyMs - previous.ms) : latencyMs, atMs: nowMs });
  }

  /** Undefined until the deployment has served (or failed) here, and again once its last sample is a minute old. */
  averageMs(deploymentId: string, nowMs: number): number | undefined {
    const average = this.averages.get(deploymentId);
    return average !== undefined && nowMs - average.atMs < LATENCY_FORGET_AFTER_MS ? average.ms : undefined;
  }
}
