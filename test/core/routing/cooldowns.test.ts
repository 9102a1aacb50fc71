import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../functions/core/ports.js';
import type { CooldownStore } from '../../../functions/core/routing/cooldown-store.js';
import { createCooldowns, createInMemoryCooldownStore, type CooldownsOptions } from '../../../functions/core/routing/cooldowns.js';

/** 12:00:05 UTC: 55 seconds left in the minute. */
const START = Date.UTC(2026, 10, 23, 12, 0, 5);
const DEPLOYMENT = 'model_list[0]';

function manualClock(start = START) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) };
}

function recordingLogger(): Logger & { events: { level: string; event: string; fields?: Record<string, unknown> }[] } {
  const events: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
  const record = (level: string) => (event: string, fields?: Record<string, unknown>) => void events.push({ level, event, fields });
  return { events, info: record('info'), warn: record('warn'), error: record('error') };
}

/** A store whose calls are counted and whose reads can be held open or made to fail. */
function instrumentedStore(inner: CooldownStore = createInMemoryCooldownStore()) {
  const calls = { reads: 0, failures: 0 };
  let failing = false;
  let gate: Promise<void> | undefined;
  const store: CooldownStore = {
    async readCooldowns(nowMs) {
      calls.reads++;
      if (gate) await gate;
      if (failing) throw new Error('ProvisionedThroughputExceededException: arn:aws:dynamodb:us-east-1:123456789012:table/counters');
      return inner.readCooldowns(nowMs);
    },
    async recordFailure(input) {
      calls.failures++;
      if (failing) throw new Error('unreachable');
      return inner.recordFailure(input);
    },
  };
  return {
    store,
    calls,
    fail: (value: boolean) => void (failing = value),
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

function tracker(overrides: Partial<CooldownsOptions> & Pick<CooldownsOptions, 'clock'>) {
  const logger = recordingLogger();
  const cooldowns = createCooldowns({ logger, allowedFails: 3, cooldownMs: 30_000, ...overrides });
  return { cooldowns, logger };
}

async function fail(cooldowns: ReturnType<typeof createCooldowns>, times: number, deploymentId = DEPLOYMENT): Promise<void> {
  for (let i = 0; i < times; i++) await cooldowns.recordFailure(deploymentId);
}

describe('Cooldowns', () => {
  it('does not cool a deployment down before allowedFails failures', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore() });

    await fail(cooldowns, 2);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(false);
  });

  it('cools a deployment down at allowedFails failures within one minute', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore() });

    await fail(cooldowns, 3);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(true);
    expect(cooldowns.coolingDownUntil(DEPLOYMENT)).toBe(START + 30_000);
  });

  it('does not add up failures across a minute boundary', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 23, 12, 0, 58));
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore() });

    await fail(cooldowns, 2);
    clock.advance(3_000); // 12:01:01
    await fail(cooldowns, 1);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(false);
  });

  it('cools down only the deployment that failed', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore() });

    await fail(cooldowns, 3);

    expect(cooldowns.isCoolingDown('model_list[1]')).toBe(false);
  });

  it('ends the cooldown when cooldownMs has passed', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore() });
    await fail(cooldowns, 3);

    clock.advance(29_999);
    const stillCooling = cooldowns.isCoolingDown(DEPLOYMENT);
    clock.advance(1);

    expect(stillCooling).toBe(true);
    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(false);
    expect(cooldowns.coolingDownUntil(DEPLOYMENT)).toBeUndefined();
  });

  it('shows another instance a cooldown only once its cache is older than cacheTtlMs', async () => {
    const clock = manualClock();
    const shared = createInMemoryCooldownStore();
    const first = tracker({ clock, store: shared, cacheTtlMs: 2_000 }).cooldowns;
    const second = tracker({ clock, store: shared, cacheTtlMs: 2_000 }).cooldowns;
    await second.refresh();

    await fail(first, 3);
    clock.advance(1_999);
    await second.refresh();
    const seenWithinBound = second.isCoolingDown(DEPLOYMENT);
    clock.advance(1);
    await second.refresh();

    expect(seenWithinBound).toBe(false);
    expect(second.isCoolingDown(DEPLOYMENT)).toBe(true);
    expect(second.coolingDownUntil(DEPLOYMENT)).toBe(START + 30_000);
  });

  it('counts failures from every instance sharing the store toward one cooldown', async () => {
    const clock = manualClock();
    const shared = createInMemoryCooldownStore();
    const first = tracker({ clock, store: shared }).cooldowns;
    const second = tracker({ clock, store: shared }).cooldowns;

    await fail(first, 2);
    await fail(second, 1);

    expect(second.isCoolingDown(DEPLOYMENT)).toBe(true);
  });

  it('shares one store read between concurrent refreshes', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns } = tracker({ clock, store: instrumented.store });
    const release = instrumented.hold();

    const refreshes = Array.from({ length: 5 }, () => cooldowns.refresh());
    release();
    await Promise.all(refreshes);

    expect(instrumented.calls.reads).toBe(1);
  });

  it('does not read the store again while the cache is fresh', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns } = tracker({ clock, store: instrumented.store, cacheTtlMs: 2_000 });
    await cooldowns.refresh();

    clock.advance(1_999);
    const fresh = cooldowns.refresh();
    await fresh;

    expect(instrumented.calls.reads).toBe(1);
    expect(fresh).toBe(cooldowns.refresh()); // the same settled promise: nothing allocated per request
  });

  it('keeps the last known cooldowns and routes on when the store cannot be read', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const other = tracker({ clock, store: instrumented.store }).cooldowns;
    const { cooldowns } = tracker({ clock, store: instrumented.store });
    await fail(other, 3);
    await cooldowns.refresh();

    instrumented.fail(true);
    clock.advance(5_000);
    await expect(cooldowns.refresh()).resolves.toBeUndefined();

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(true);
    expect(cooldowns.isCoolingDown('model_list[1]')).toBe(false);
  });

  it('logs an unreadable store as cooldowns.store_unavailable without the error message', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns, logger } = tracker({ clock, store: instrumented.store });
    instrumented.fail(true);

    await cooldowns.refresh();

    expect(logger.events).toEqual([{ level: 'warn', event: 'cooldowns.store_unavailable', fields: { operation: 'read', error: 'Error' } }]);
    expect(JSON.stringify(logger.events)).not.toContain('123456789012');
  });

  it('asks an unreadable store again only after cacheTtlMs', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns } = tracker({ clock, store: instrumented.store, cacheTtlMs: 2_000 });
    instrumented.fail(true);

    await cooldowns.refresh();
    clock.advance(1_000);
    await cooldowns.refresh();
    clock.advance(1_000);
    await cooldowns.refresh();

    expect(instrumented.calls.reads).toBe(2);
  });

  it('does not throw when a failure cannot be recorded, and counts it in this instance instead', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns, logger } = tracker({ clock, store: instrumented.store });
    instrumented.fail(true);

    await expect(fail(cooldowns, 3)).resolves.toBeUndefined();

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(true);
    expect(logger.events.filter((entry) => entry.event === 'cooldowns.store_unavailable')).toHaveLength(3);
    expect(logger.events[0]?.fields).toMatchObject({ operation: 'record_failure', deploymentId: DEPLOYMENT });
  });

  it('keeps its own new cooldown when a read that started before it returns', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns } = tracker({ clock, store: instrumented.store });
    const release = instrumented.hold();
    const refreshing = cooldowns.refresh();

    await fail(cooldowns, 3);
    release();
    await refreshing;

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(true);
  });

  it('cools down per instance when there is no store', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock });

    await cooldowns.refresh();
    await fail(cooldowns, 3);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(true);
  });

  it('never cools down and never touches the store when allowedFails is 0', async () => {
    const clock = manualClock();
    const instrumented = instrumentedStore();
    const { cooldowns } = tracker({ clock, store: instrumented.store, allowedFails: 0 });

    await cooldowns.refresh();
    await fail(cooldowns, 10);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(false);
    expect(instrumented.calls).toEqual({ reads: 0, failures: 0 });
  });

  it('never cools down when cooldownMs is 0', async () => {
    const clock = manualClock();
    const { cooldowns } = tracker({ clock, store: createInMemoryCooldownStore(), cooldownMs: 0 });

    await fail(cooldowns, 10);

    expect(cooldowns.isCoolingDown(DEPLOYMENT)).toBe(false);
  });

  it('logs once when a deployment starts cooling down', async () => {
    const clock = manualClock();
    const { cooldowns, logger } = tracker({ clock, store: createInMemoryCooldownStore() });

    await fail(cooldowns, 5);

    expect(logger.events).toEqual([
      { level: 'info', event: 'cooldowns.deployment_cooling_down', fields: { deploymentId: DEPLOYMENT, untilMs: START + 30_000, allowedFails: 3, cooldownMs: 30_000 } },
    ]);
  });
});

describe('in-memory cooldown store', () => {
  it('extends a cooldown with each failure at or above allowedFails', async () => {
    const store = createInMemoryCooldownStore();
    const input = { deploymentId: DEPLOYMENT, nowMs: START, allowedFails: 2, cooldownMs: 10_000 };
    await store.recordFailure(input);
    await store.recordFailure(input);

    const extended = await store.recordFailure({ ...input, nowMs: START + 5_000 });

    expect(extended).toEqual({ coolingDownUntilMs: START + 15_000 });
  });

  it('does not shorten a longer cooldown', async () => {
    const store = createInMemoryCooldownStore();
    const long = { deploymentId: DEPLOYMENT, nowMs: START, allowedFails: 1, cooldownMs: 60_000 };
    await store.recordFailure(long);

    const short = await store.recordFailure({ ...long, nowMs: START + 1_000, cooldownMs: 5_000 });

    expect(short).toEqual({ coolingDownUntilMs: START + 60_000 });
    expect(await store.readCooldowns(START + 1_000)).toEqual(new Map([[DEPLOYMENT, START + 60_000]]));
  });

  it('reads no cooldown once it has ended', async () => {
    const store = createInMemoryCooldownStore();
    await store.recordFailure({ deploymentId: DEPLOYMENT, nowMs: START, allowedFails: 1, cooldownMs: 5_000 });

    expect(await store.readCooldowns(START + 5_000)).toEqual(new Map());
  });
});
