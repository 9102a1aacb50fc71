import { describe, expect, it } from 'vitest';
import type { RoutingStrategy } from '../../../functions/core/config/config-types.js';
import { parseConfigText } from '../../../functions/core/config/parse-config.js';
import type { ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import { DeploymentGroup, type PickContext } from '../../../functions/core/routing/deployment-group.js';
import { LatencyTracker } from '../../../functions/core/routing/latency-tracker.js';
import { resolvedDeployment } from '../providers/provider-test-support.js';
import { seededRandom } from '../../support/seeded-random.js';

const PICKS = 20_000;
const nothingExcluded = () => false;

function deployment(id: string, overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return resolvedDeployment({ id, path: id, modelName: 'm', ...overrides });
}

function context(latencies: Record<string, number> = {}, seed = 42): PickContext {
  return { random: seededRandom(seed), latencyMs: (id) => latencies[id], now: () => 0 };
}

/** Each deployment's share of `PICKS` picks, in percent. */
function shares(
  group: DeploymentGroup,
  strategy: RoutingStrategy,
  pickContext: PickContext = context(),
  excluded: (deployment: ResolvedDeployment) => boolean = nothingExcluded,
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(group.deployments.map((member) => [member.id, 0]));
  for (let index = 0; index < PICKS; index++) {
    const picked = group.pick(strategy, pickContext, excluded);
    if (picked) counts[picked.id]!++;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, (100 * count) / PICKS]));
}

describe('simple-shuffle', () => {
  it('converges to the weights over many picks (1:3:6 within ±2 percentage points)', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 3 }), deployment('c', { weight: 6 })]);

    const result = shares(group, 'simple-shuffle');

    expect(Math.abs(result['a']! - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs(result['b']! - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(result['c']! - 60)).toBeLessThanOrEqual(2);
  });

  it('falls back to rpm as the weight when no deployment sets a weight', () => {
    const group = new DeploymentGroup('m', [deployment('a', { rpm: 100 }), deployment('b', { rpm: 300 })]);

    const result = shares(group, 'simple-shuffle');

    expect(Math.abs(result['a']! - 25)).toBeLessThanOrEqual(2);
    expect(Math.abs(result['b']! - 75)).toBeLessThanOrEqual(2);
  });

  it('prefers weight over rpm when both are set', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 3, rpm: 100 }), deployment('b', { weight: 1, rpm: 900 })]);

    const result = shares(group, 'simple-shuffle');

    expect(Math.abs(result['a']! - 75)).toBeLessThanOrEqual(2);
  });

  it('counts a deployment without a weight as weight 1 when another sets one', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 4 }), deployment('b')]);

    const result = shares(group, 'simple-shuffle');

    expect(Math.abs(result['b']! - 20)).toBeLessThanOrEqual(2);
  });

  it('is uniform when neither weight nor rpm is set', () => {
    const group = new DeploymentGroup('m', [deployment('a'), deployment('b'), deployment('c')]);

    const result = shares(group, 'simple-shuffle');

    for (const share of Object.values(result)) expect(Math.abs(share - 100 / 3)).toBeLessThanOrEqual(2);
  });

  it('is uniform when only some deployments set an rpm', () => {
    const group = new DeploymentGroup('m', [deployment('a', { rpm: 1_000 }), deployment('b')]);

    const result = shares(group, 'simple-shuffle');

    expect(Math.abs(result['a']! - 50)).toBeLessThanOrEqual(2);
  });

  it('never picks a deployment of weight 0 while another is eligible', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 0 })]);

    expect(shares(group, 'simple-shuffle')['b']).toBe(0);
  });

  it('picks a deployment of weight 0 once every other one is excluded', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 0 })]);

    expect(group.pick('simple-shuffle', context(), (candidate) => candidate.id === 'a')?.id).toBe('b');
  });

  it('keeps the weights of the others when one is excluded', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 3 }), deployment('c', { weight: 6 })]);

    const result = shares(group, 'simple-shuffle', context(), (candidate) => candidate.id === 'c');

    expect(result['c']).toBe(0);
    expect(Math.abs(result['a']! - 25)).toBeLessThanOrEqual(2);
    expect(Math.abs(result['b']! - 75)).toBeLessThanOrEqual(2);
  });

  it('picks the same sequence from the same seed', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 1 }), deployment('c', { weight: 1 })]);
    const sequence = (seed: number) => {
      const pickContext = context({}, seed);
      return Array.from({ length: 20 }, () => group.pick('simple-shuffle', pickContext, nothingExcluded)?.id);
    };

    expect(sequence(7)).toEqual(sequence(7));
  });

  it('picks the same way for usage-based-routing (the limiter is the caller’s)', () => {
    const group = new DeploymentGroup('m', [deployment('a', { weight: 1 }), deployment('b', { weight: 9 })]);

    const result = shares(group, 'usage-based-routing');

    expect(Math.abs(result['b']! - 90)).toBeLessThanOrEqual(2);
  });
});

describe('exclusion, for every strategy', () => {
  const strategies: RoutingStrategy[] = ['simple-shuffle', 'latency-based-routing', 'cost-based-routing', 'usage-based-routing'];

  it.each(strategies)('%s never picks an excluded deployment', (strategy) => {
    const group = new DeploymentGroup('m', [
      deployment('a', { weight: 5, inputCostPerToken: 0.000001, outputCostPerToken: 0.000001 }),
      deployment('b', { weight: 1, inputCostPerToken: 0.000002, outputCostPerToken: 0.000002 }),
      deployment('c', { weight: 1, inputCostPerToken: 0.000003, outputCostPerToken: 0.000003 }),
    ]);

    const result = shares(group, strategy, context({ a: 10, b: 20, c: 30 }), (candidate) => candidate.id === 'a');

    expect(result['a']).toBe(0);
    expect(result['b']! + result['c']!).toBe(100);
  });

  it.each(strategies)('%s picks nothing (undefined) when every deployment is excluded', (strategy) => {
    const group = new DeploymentGroup('m', [deployment('a'), deployment('b')]);

    expect(group.pick(strategy, context(), () => true)).toBeUndefined();
  });
});

describe('cost-based-routing', () => {
  it('picks the deployment with the lowest input_cost_per_token + output_cost_per_token', () => {
    const group = new DeploymentGroup('m', [
      deployment('cheap-input', { inputCostPerToken: 0.0000001, outputCostPerToken: 0.00001 }),
      deployment('cheapest', { inputCostPerToken: 0.000002, outputCostPerToken: 0.000002 }),
      deployment('dear', { inputCostPerToken: 0.00001, outputCostPerToken: 0.00003 }),
    ]);

    expect(shares(group, 'cost-based-routing')).toEqual({ 'cheap-input': 0, cheapest: 100, dear: 0 });
  });

  it('reads the prices from input_cost_per_token and output_cost_per_token in the config', () => {
    const { config, problems } = parseConfigText(`
model_list:
  - model_name: m
    litellm_params:
      model: openai/some-model
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
  - model_name: m
    litellm_params:
      model: openai/some-model
      input_cost_per_token: 0.00000025
      output_cost_per_token: 0.00000125
`);
    expect(problems).toEqual([]);
    const group = new DeploymentGroup(
      'm',
      config.deployments.map((configured) => ({ ...configured, apiKey: undefined, apiBase: undefined, apiVersion: undefined })),
    );

    expect(group.pick('cost-based-routing', context(), nothingExcluded)?.id).toBe('model_list[1]');
  });

  it('shares the load between deployments of equal cost', () => {
    const group = new DeploymentGroup('m', [
      deployment('a', { inputCostPerToken: 0.000001, outputCostPerToken: 0.000002 }),
      deployment('b', { inputCostPerToken: 0.000001, outputCostPerToken: 0.000002 }),
      deployment('c', { inputCostPerToken: 0.000001, outputCostPerToken: 0.000002 }),
      deployment('dear', { inputCostPerToken: 0.00001, outputCostPerToken: 0.00002 }),
    ]);

    const result = shares(group, 'cost-based-routing');

    expect(result['dear']).toBe(0);
    for (const id of ['a', 'b', 'c']) expect(Math.abs(result[id]! - 100 / 3)).toBeLessThanOrEqual(2);
  });

  it('ranks a deployment without any known price after the priced ones', () => {
    const group = new DeploymentGroup('m', [
      deployment('unpriced', { upstreamModel: 'my-private-finetune' }),
      deployment('priced', { upstreamModel: 'my-private-finetune', inputCostPerToken: 0.000003, outputCostPerToken: 0.000015 }),
    ]);

    expect(group.pick('cost-based-routing', context(), nothingExcluded)?.id).toBe('priced');
  });

  it('picks the next cheapest when the cheapest is excluded', () => {
    const group = new DeploymentGroup('m', [
      deployment('cheapest', { inputCostPerToken: 0.000001, outputCostPerToken: 0.000001 }),
      deployment('middle', { inputCostPerToken: 0.000002, outputCostPerToken: 0.000002 }),
      deployment('dear', { inputCostPerToken: 0.000003, outputCostPerToken: 0.000003 }),
    ]);

    expect(group.pick('cost-based-routing', context(), (candidate) => candidate.id === 'cheapest')?.id).toBe('middle');
  });
});

describe('latency-based-routing', () => {
  const group = new DeploymentGroup('m', [deployment('slow'), deployment('fast'), deployment('medium')]);

  it('picks the deployment with the lowest average latency', () => {
    expect(shares(group, 'latency-based-routing', context({ slow: 900, fast: 120, medium: 400 }))).toEqual({ slow: 0, fast: 100, medium: 0 });
  });

  it('explores a deployment not measured yet before any measured one', () => {
    expect(group.pick('latency-based-routing', context({ slow: 900, fast: 120 }), nothingExcluded)?.id).toBe('medium');
  });

  it('shares the load between deployments of equal latency', () => {
    const result = shares(group, 'latency-based-routing', context({ slow: 900, fast: 200, medium: 200 }));

    expect(result['slow']).toBe(0);
    expect(Math.abs(result['fast']! - 50)).toBeLessThanOrEqual(2);
  });

  it('picks the next fastest when the fastest is excluded', () => {
    expect(group.pick('latency-based-routing', context({ slow: 900, fast: 120, medium: 400 }), (candidate) => candidate.id === 'fast')?.id).toBe('medium');
  });

  it('follows a LatencyTracker as it learns', () => {
    const tracker = new LatencyTracker();
    const pickContext: PickContext = { random: seededRandom(1), latencyMs: (id, nowMs) => tracker.averageMs(id, nowMs), now: () => NOW };
    tracker.record('slow', 900, NOW);
    tracker.record('fast', 100, NOW);
    tracker.record('medium', 400, NOW);
    expect(group.pick('latency-based-routing', pickContext, nothingExcluded)?.id).toBe('fast');

    for (let index = 0; index < 5; index++) tracker.record('fast', 2_000, NOW);

    expect(group.pick('latency-based-routing', pickContext, nothingExcluded)?.id).toBe('medium');
  });
});

/** A fixed time for LatencyTracker samples. */
const NOW = 1_800_000_000_000;

describe('LatencyTracker', () => {
  it('knows nothing of a deployment before its first sample', () => {
    expect(new LatencyTracker().averageMs('a', NOW)).toBeUndefined();
  });

  it('takes the first sample as the average', () => {
    const tracker = new LatencyTracker();

    tracker.record('a', 250, NOW);

    expect(tracker.averageMs('a', NOW)).toBe(250);
  });

  it('moves the average 30 % of the way toward each new sample', () => {
    const tracker = new LatencyTracker();

    tracker.record('a', 100, NOW);
    tracker.record('a', 200, NOW);
    expect(tracker.averageMs('a', NOW)).toBeCloseTo(130, 10);
    tracker.record('a', 200, NOW);
    expect(tracker.averageMs('a', NOW)).toBeCloseTo(151, 10);
  });

  it('converges to a new steady latency', () => {
    const tracker = new LatencyTracker();
    tracker.record('a', 1_000, NOW);

    for (let index = 0; index < 30; index++) tracker.record('a', 100, NOW);

    expect(tracker.averageMs('a', NOW)).toBeCloseTo(100, 1);
  });

  it('keeps each deployment’s average apart', () => {
    const tracker = new LatencyTracker();

    tracker.record('a', 100, NOW);
    tracker.record('b', 700, NOW);

    expect(tracker.averageMs('a', NOW)).toBe(100);
    expect(tracker.averageMs('b', NOW)).toBe(700);
  });

  it('forgets an average a minute after its last sample, so the deployment is tried again', () => {
    const tracker = new LatencyTracker();

    tracker.record('a', 600_000, NOW);

    expect(tracker.averageMs('a', NOW + 59_999)).toBe(600_000);
    expect(tracker.averageMs('a', NOW + 60_000)).toBeUndefined();
  });

  it('starts afresh from the next sample once the average is forgotten', () => {
    const tracker = new LatencyTracker();
    tracker.record('a', 600_000, NOW);

    tracker.record('a', 100, NOW + 60_000);

    expect(tracker.averageMs('a', NOW + 60_000)).toBe(100);
  });
});
