import type { RouterSettings } from '../config/config-types.js';
import type { Clock, Logger } from '../ports.js';
import type { CooldownStore } from './cooldown-store.js';

/**
 * Which deployments are cooling down, as the router sees them on the hot path.
 *
 * State is read from the shared store at most once per `cacheTtlMs` (the staleness bound:
 * a cooldown another instance started is seen within it) and kept per instance in between;
 * this instance's own failures update it at once. Cooldowns only ever end by expiring, so a
 * read is merged into what is known (the later end wins) rather than replacing it: a read
 * that started before one of our own writes cannot erase the cooldown that write started.
 *
 * Fail open: an unreadable store leaves the last known state in force and is retried after
 * `cacheTtlMs`; a failure that cannot be recorded in the store is counted in this instance
 * alone, so a failing deployment is still cooled down here. Routing never fails because of it.
 */
export interface Cooldowns {
  /** True while `deploymentId` is cooling down (from the cache; never touches the store). */
  isCoolingDown(deploymentId: string): boolean;
  /** When its cooldown ends (epoch ms), or undefined when it is not cooling down. */
  coolingDownUntil(deploymentId: string): number | undefined;
  /** Re-reads the store when the cache is older than `cacheTtlMs`; concurrent callers share one read. Never rejects. */
  refresh(): Promise<void>;
  /** Counts one failure of `deploymentId` (in the store, or in memory without one). Never rejects. */
  recordFailure(deploymentId: string): Promise<void>;
}

export interface CooldownsOptions {
  /** The shared store; absent = per-instance counts in memory (no DynamoDB). */
  store?: CooldownStore;
  clock: Clock;
  logger: Logger;
  /** Failures within one UTC minute that start a cooldown; 0 or less disables cooldowns. */
  allowedFails: number;
  /** How long a cooldown lasts; 0 or less disables cooldowns. */
  cooldownMs: number;
  /** How stale the cached state may be before `refresh` reads the store again. @default 2000 */
  cacheTtlMs?: number;
}

export const DEFAULT_COOLDOWN_CACHE_TTL_MS = 2_000;

/** The store could not be reached or answered with an error (the tracker logs it and carries on). */
export class CooldownStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The cooldown store is unavailable.', { cause });
    this.name = 'CooldownStoreUnavailableError';
  }
}

const SETTLED: Promise<void> = Promise.resolve();

export function createCooldowns(options: CooldownsOptions): Cooldowns {
  const { clock, logger, allowedFails, cooldownMs } = options;
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_COOLDOWN_CACHE_TTL_MS;
  const enabled = allowedFails > 0 && cooldownMs > 0;
  const shared = options.store;
  /** Counts failures here when there is no shared store, or when it could not be written. */
  const local = createInMemoryCooldownStore();
  /** Deployment id → epoch ms when its cooldown ends; entries may have expired (checked on use, pruned on refresh). */
  const known = new Map<string, number>();
  /** Clock time at which the last read (successful or not) started; undefined = never read. */
  let readStartedAt: number | undefined;
  let inFlight: Promise<void> | undefined;

  function coolingDownUntil(deploymentId: string): number | undefined {
    if (!enabled) return undefined;
    const until = known.get(deploymentId);
    return until !== undefined && until > clock.now() ? until : undefined;
  }

  function learn(deploymentId: string, until: number): void {
    const previous = known.get(deploymentId);
    if (previous === undefined || until > previous) known.set(deploymentId, until);
  }

  function refresh(): Promise<void> {
    if (!enabled || shared === undefined) return SETTLED;
    if (inFlight) return inFlight;
    const now = clock.now();
    if (readStartedAt !== undefined && now - readStartedAt < cacheTtlMs) return SETTLED;
    // Stamped at the start, failures included: a store that is down is asked once per bound, not once per request.
    readStartedAt = now;
    const read = readStore(shared, now);
    inFlight = read;
    void read.finally(() => {
      if (inFlight === read) inFlight = undefined;
    });
    return read;
  }

  async function readStore(store: CooldownStore, now: number): Promise<void> {
    try {
      const cooldowns = await store.readCooldowns(now);
      for (const [deploymentId, until] of cooldowns) learn(deploymentId, until);
      const current = clock.now();
      for (const [deploymentId, until] of known) if (until <= current) known.delete(deploymentId);
    } catch (error) {
      logger.warn('cooldowns.store_unavailable', { operation: 'read', ...describeError(error) });
    }
  }

  async function recordFailure(deploymentId: string): Promise<void> {
    if (!enabled) return;
    const nowMs = clock.now();
    const input = { deploymentId, nowMs, allowedFails, cooldownMs };
    let until: number | undefined;
    try {
      ({ coolingDownUntilMs: until } = await (shared ?? local).recordFailure(input));
    } catch (error) {
      logger.warn('cooldowns.store_unavailable', { operation: 'record_failure', deploymentId, ...describeError(error) });
      try {
        ({ coolingDownUntilMs: until } = await local.recordFailure(input));
      } catch {
        return; // the in-memory store does not throw; nothing else to fall back to
      }
    }
    if (until === undefined) return;
    const wasCoolingDown = coolingDownUntil(deploymentId) !== undefined;
    learn(deploymentId, until);
    if (!wasCoolingDown && until > clock.now()) logger.info('cooldowns.deployment_cooling_down', { deploymentId, untilMs: until, allowedFails, cooldownMs });
  }

  return {
    isCoolingDown: (deploymentId) => coolingDownUntil(deploymentId) !== undefined,
    coolingDownUntil,
    refresh,
    recordFailure,
  };
}

/** The error's class names only: AWS messages may carry account ids and table ARNs. */
function describeError(error: unknown): Record<string, string> {
  const name = error instanceof Error ? error.name : typeof error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
  return cause === undefined ? { error: name } : { error: name, cause };
}

const MINUTE_MS = 60_000;

/**
 * A CooldownStore in memory, with the semantics of the DynamoDB one: failures counted per
 * deployment per UTC minute (`Math.floor(nowMs / 60_000)`); a count at or above
 * `allowedFails` starts the cooldown or extends it to `nowMs + cooldownMs`, never shortens it.
 * For tests (share one between several trackers to play several instances) and a gateway
 * without DynamoDB. Memory is bounded by the number of distinct deployment ids.
 */
export function createInMemoryCooldownStore(): CooldownStore {
  const failures = new Map<string, { minute: number; count: number }>();
  const cooldowns = new Map<string, number>();

  return {
    async readCooldowns(nowMs) {
      const current = new Map<string, number>();
      for (const [deploymentId, until] of cooldowns) {
        if (until > nowMs) current.set(deploymentId, until);
        else cooldowns.delete(deploymentId);
      }
      return current;
    },

    async recordFailure({ deploymentId, nowMs, allowedFails, cooldownMs }) {
      if (allowedFails <= 0 || cooldownMs <= 0) return {};
      const minute = Math.floor(nowMs / MINUTE_MS);
      const previous = failures.get(deploymentId);
      const count = previous !== undefined && previous.minute === minute ? previous.count + 1 : 1;
      failures.set(deploymentId, { minute, count });
      let until = cooldowns.get(deploymentId);
      if (count >= allowedFails && (until === undefined || until < nowMs + cooldownMs)) {
        until = nowMs + cooldownMs;
        cooldowns.set(deploymentId, until);
      }
      return until !== undefined && until > nowMs ? { coolingDownUntilMs: until } : {};
    },
  };
}

/** The cooldowns `router_settings` asks for (`allowed_fails`, `cooldown_time`, `cooldown_cache_seconds`), over `store` when there is one. */
export function createCooldownsFor(
  settings: Pick<RouterSettings, 'allowedFails' | 'cooldownMs' | 'cooldownCacheMs'>,
  dependencies: { store?: CooldownStore; clock: Clock; logger: Logger },
): Cooldowns {
  return createCooldowns({ ...dependencies, allowedFails: settings.allowedFails, cooldownMs: settings.cooldownMs, cacheTtlMs: settings.cooldownCacheMs });
}
