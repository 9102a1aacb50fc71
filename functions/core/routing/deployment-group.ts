import type { RoutingStrategy } from '../config/config-types.js';
import { pricingFor } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';

/** cost-based-routing's price for a deployment neither the config nor the price catalog prices: above any real one. */
const UNKNOWN_PRICE_PICOS = Number.MAX_SAFE_INTEGER;

/** What a pick may consult besides the group itself. */
export interface PickContext {
  /** In [0, 1): injected, so that tests are repeatable. */
  random(): number;
  /** The recent latency of a deployment at `nowMs`, or undefined when not measured lately. */
  latencyMs(deploymentId: string, nowMs: number): number | undefined;
  /** Milliseconds since the epoch, read once per latency-based pick. */
  now(): number;
}

/**
 * The deployments sharing one public model name, with what each strategy needs computed
 * once at start-up (weights, prices), so a pick is one pass over the group with no allocation.
 */
export class DeploymentGroup {
  readonly modelName: string;
  readonly deployments: readonly ResolvedDeployment[];
  /** simple-shuffle's weights: `weight`, else `rpm` when every deployment has one, else equal. */
  private readonly weights: readonly number[];
  /** Input plus output list price of one token, in pico-dollars: cost-based routing's order. */
  private readonly costs: readonly number[];

  constructor(modelName: string, deployments: readonly ResolvedDeployment[]) {
    this.modelName = modelName;
    this.deployments = deployments;
    const byWeight = deployments.some((deployment) => deployment.weight !== undefined);
    const byRpm = !byWeight && deployments.every((deployment) => deployment.rpm !== undefined && deployment.rpm > 0);
    this.weights = deployments.map((deployment) => (byWeight ? (deployment.weight ?? 1) : byRpm ? deployment.rpm! : 1));
    this.costs = deployments.map((deployment) => {
      const pricing = pricingFor(deployment);
      // An unpriced deployment is not free, only unknown: it goes last, as in LiteLLM.
      return pricing.known ? pricing.input + pricing.output : UNKNOWN_PRICE_PICOS;
    });
  }

  /**
   * The deployment the strategy prefers among those `excluded` does not rule out, or undefined
   * when it rules out all. usage-based-routing picks as simple-shuffle does; the caller then
   * skips a deployment its own rpm/tpm counters refuse.
   */
  pick(strategy: RoutingStrategy, context: PickContext, excluded: (deployment: ResolvedDeployment) => boolean): ResolvedDeployment | undefined {
    switch (strategy) {
      case 'latency-based-routing': {
        const nowMs = context.now();
        return this.lowest(context, excluded, (index) => context.latencyMs(this.deployments[index]!.id, nowMs) ?? 0);
      }
      case 'cost-based-routing':
        return this.lowest(context, excluded, (index) => this.costs[index]!);
      case 'simple-shuffle':
      case 'usage-based-routing':
        return this.weighted(context, excluded);
    }
  }

  /** Weighted random choice among the eligible (uniform when their weights are all zero). */
  private weighted(context: PickContext, excluded: (deployment: ResolvedDeployment) => boolean): ResolvedDeployment | undefined {
    let total = 0;
    let eligible = 0;
    for (let index = 0; index < this.deployments.length; index++) {
      if (excluded(this.deployments[index]!)) continue;
      eligible++;
      total += this.weights[index]!;
    }
    if (eligible === 0) return undefined;
    const uniform = total === 0;
    let target = context.random() * (uniform ? eligible : total);
    let last: ResolvedDeployment | undefined;
    for (let index = 0; index < this.deployments.length; index++) {
      const deployment = this.deployments[index]!;
      if (excluded(deployment)) continue;
      const weight = uniform ? 1 : this.weights[index]!;
      if (weight > 0) last = deployment;
      target -= weight;
      if (target < 0) return deployment;
    }
    return last; // floating-point remainder: the last eligible deployment with a share
  }

  /** The eligible deployment with the lowest score; ties are broken at random so that equals share the load. */
  private lowest(context: PickContext, excluded: (deployment: ResolvedDeployment) => boolean, score: (index: number) => number): ResolvedDeployment | undefined {
    let best: ResolvedDeployment | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let index = 0; index < this.deployments.length; index++) {
      const deployment = this.deployments[index]!;
      if (excluded(deployment)) continue;
      const value = score(index);
      if (value < bestScore) {
        best = deployment;
        bestScore = value;
        ties = 1;
      } else if (value === bestScore) {
        // Reservoir sampling over the tied: each ends up chosen with probability 1/ties.
        ties++;
        if (context.random() * ties < 1) best = deployment;
      }
    }
    return best;
  }
}
