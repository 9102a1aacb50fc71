import type { ResolvedDeployment } from '../providers/provider.js';

/**
 * Finds the deployments behind a public model name. Several entries may share a
 * `model_name`; until health-aware routing lands, they take turns (round robin).
 */
export class ModelRouter {
  private readonly byName = new Map<string, ResolvedDeployment[]>();
  private readonly turns = new Map<string, number>();

  constructor(deployments: readonly ResolvedDeployment[]) {
    for (const deployment of deployments) {
      const group = this.byName.get(deployment.modelName) ?? [];
      group.push(deployment);
      this.byName.set(deployment.modelName, group);
    }
  }

  /** Public model names, in config order. */
  modelNames(): string[] {
    return [...this.byName.keys()];
  }

  has(modelName: string): boolean {
    return this.byName.has(modelName);
  }

  /** The deployment to try, or undefined for an unknown model. */
  pick(modelName: string): ResolvedDeployment | undefined {
    const group = this.byName.get(modelName);
    if (!group || group.length === 0) return undefined;
    const turn = this.turns.get(modelName) ?? 0;
    this.turns.set(modelName, (turn + 1) % group.length);
    return group[turn % group.length];
  }
}
