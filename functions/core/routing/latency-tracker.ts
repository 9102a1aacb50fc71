/** How much one new sample moves a deployment's average: recent behaviour counts most. */
const SMOOTHING = 0.3;

/**
 * Recent latency per deployment, for latency-based routing: an exponentially weighted
 * average of time to first token (streams) or whole-response time (otherwise), per gateway
 * instance. Deliberately not shared: each instance measures what it sees, at no cost.
 */
export class LatencyTracker {
  private readonly averages = new Map<string, number>();

  record(deploymentId: string, latencyMs: number): void {
    const previous = this.averages.get(deploymentId);
    this.averages.set(deploymentId, previous === undefined ? latencyMs : previous + SMOOTHING * (latencyMs - previous));
  }

  /** Undefined until the deployment has served (or failed) once here. */
  averageMs(deploymentId: string): number | undefined {
    return this.averages.get(deploymentId);
  }
}
