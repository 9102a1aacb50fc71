import { describe, expect, it, vi } from 'vitest';
import type { RouterSettings } from '../../../functions/core/config/config-types.js';
import { DEFAULT_ROUTER_SETTINGS } from '../../../functions/core/config/parse-router-settings.js';
import { GatewayError, ModelNotFoundError, UpstreamTimeoutError } from '../../../functions/core/errors.js';
import type { Logger } from '../../../functions/core/ports.js';
import type { ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import { createCooldownsFor, createInMemoryCooldownStore } from '../../../functions/core/routing/cooldowns.js';
import { createLocalDeploymentLimiter, type DeploymentLimiter } from '../../../functions/core/routing/deployment-limiter.js';
import { ModelRouter, type Attempt, type CooldownView, type RouteRequest } from '../../../functions/core/routing/model-router.js';
import { resolvedDeployment } from '../providers/provider-test-support.js';
import { seededRandom } from '../../support/seeded-random.js';

/** 12:00:05 UTC: 55 seconds left in the minute (rate-limit windows and failure counts are per minute). */
const START = Date.UTC(2026, 10, 23, 12, 0, 5);

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function manualClock(start = START) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function deployment(id: string, modelName: string, overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return resolvedDeployment({ id, path: id, modelName, ...overrides });
}

function failure(status: number, options: { code?: string; message?: string; retryAfter?: string } = {}): GatewayError {
  return new GatewayError({
    status,
    message: options.message ?? `upstream answered ${status}`,
    type: status >= 500 ? 'server_error' : status === 429 ? 'rate_limit_error' : 'invalid_request_error',
    code: options.code ?? null,
    headers: options.retryAfter === undefined ? {} : { 'retry-after': options.retryAfter },
  });
}

interface SetupOptions {
  settings?: Partial<RouterSettings>;
  cooldowns?: CooldownView;
  limiter?: DeploymentLimiter;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * A router over `deployments` with a manual clock, a seeded random source and a `sleep` that
 * records each wait and moves the clock instead of waiting. Cooldowns are off (allowed_fails 0)
 * unless a test turns them on; when on, they are createCooldownsFor over an in-memory store.
 */
function setup(deployments: ResolvedDeployment[], options: SetupOptions = {}) {
  const clock = manualClock();
  const waits: number[] = [];
  const settings: RouterSettings = { ...DEFAULT_ROUTER_SETTINGS, allowedFails: 0, ...options.settings };
  const cooldowns =
    options.cooldowns ??
    createCooldownsFor(settings, { store: createInMemoryCooldownStore(), clock, logger: silentLogger });
  const router = new ModelRouter(deployments, {
    settings,
    cooldowns,
    limiter: options.limiter ?? createLocalDeploymentLimiter(),
    clock,
    random: options.random ?? seededRandom(7),
    sleep:
      options.sleep ??
      (async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      }),
  });
  return { router, clock, waits, cooldowns };
}

function routeRequest(model: string, overrides: Partial<RouteRequest> = {}): RouteRequest {
  return { model, requestId: 'req-1', stream: false, signal: new AbortController().signal, isModelAllowed: () => true, attempts: [], background: [], ...overrides };
}

type Outcome = 'ok' | GatewayError | ((signal: AbortSignal) => Promise<string>);

/** An attempt function that plays each deployment's outcomes in turn (the last one repeats) and records the deployments it was called for. */
function scripted(plan: Record<string, Outcome | Outcome[]>) {
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  const played = new Map<string, number>();
  const attempt: Attempt<string> = async (target, signal) => {
    calls.push(target.id);
    signals.push(signal);
    const entry = plan[target.id];
    if (entry === undefined) throw new Error(`no outcome planned for ${target.id}`);
    const outcomes = Array.isArray(entry) ? entry : [entry];
    const turn = played.get(target.id) ?? 0;
    played.set(target.id, turn + 1);
    const outcome = outcomes[Math.min(turn, outcomes.length - 1)]!;
    if (outcome === 'ok') return `served by ${target.id}`;
    if (typeof outcome === 'function') return outcome(signal);
    throw outcome;
  };
  return { attempt, calls, signals };
}

/** Never settles on its own: rejects with the signal's reason once the attempt is aborted. */
function hangUntilAborted(signal: AbortSignal): Promise<string> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function routeAndSettle(router: ModelRouter, request: RouteRequest, attempt: Attempt<string>) {
  try {
    return await router.route(request, attempt);
  } finally {
    await Promise.all(request.background);
  }
}

describe('retries within a model', () => {
  it('tries every deployment once before retrying any, without waiting', async () => {
    const { router, waits } = setup([deployment('a', 'm'), deployment('b', 'm'), deployment('c', 'm')], { settings: { numRetries: 2 } });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(503), c: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect([...calls].sort()).toEqual(['a', 'b', 'c']);
    expect(waits).toEqual([]);
  });

  it('moves to an untried deployment at once and is served by it', async () => {
    const { router, waits } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(routed.deployment.id).toBe('b');
    expect(calls).toEqual(['a', 'b']);
    expect(waits).toEqual([]);
  });

  it('retries the same deployment after a backoff once every deployment has been tried', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 1 } });
    const { attempt, calls } = scripted({ a: [failure(503), 'ok'] });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by a');
    expect(calls).toEqual(['a', 'a']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
  });

  it('waits at least retry_after and at most max_retry_wait_seconds between attempts at the same deployment', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 6, retryAfterMs: 400, maxRetryWaitMs: 1_000 } });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toHaveLength(6);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(400);
      expect(wait).toBeLessThanOrEqual(1_000);
    }
  });

  it('doubles the backoff with each retry of the same deployment', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 4, maxRetryWaitMs: 60_000 }, random: () => 0.5 });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toHaveLength(4);
    for (let index = 1; index < waits.length; index++) expect(waits[index]).toBeCloseTo(2 * waits[index - 1]!, 6);
  });

  it('grows the backoff exponentially under a random jitter', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 6, maxRetryWaitMs: 600_000 } });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    // Jittered within [half, all] of a doubling base: two steps on, a wait is at least twice as long.
    for (let index = 2; index < waits.length; index++) expect(waits[index]).toBeGreaterThanOrEqual(2 * waits[index - 2]!);
    expect(waits.at(-1)!).toBeGreaterThanOrEqual(8 * waits[0]!);
  });

  it("honours an upstream Retry-After that is within max_retry_wait_seconds", async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 1, maxRetryWaitMs: 8_000 } });
    const { attempt, calls } = scripted({ a: [failure(429, { retryAfter: '3' }), 'ok'] });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by a');
    expect(calls).toEqual(['a', 'a']);
    expect(waits).toEqual([3_000]);
  });

  it('moves on to the fallbacks instead of waiting when the upstream Retry-After is beyond max_retry_wait_seconds', async () => {
    const { router, waits } = setup([deployment('a', 'm'), deployment('b', 'n')], {
      settings: { numRetries: 2, maxRetryWaitMs: 8_000, fallbacks: { m: ['n'] } },
    });
    const { attempt, calls } = scripted({ a: failure(429, { retryAfter: '30' }), b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
    expect(waits).toEqual([]);
  });

  it('tries an untried deployment at once even when the failed one asked for a Retry-After', async () => {
    const { router, waits } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls } = scripted({ a: failure(429, { retryAfter: '3' }), b: 'ok' });

    await router.route(routeRequest('m'), attempt);

    expect(calls).toEqual(['a', 'b']);
    expect(waits).toEqual([]);
  });

  it('makes at most num_retries + 1 attempts per model', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { router } = setup(
      ids.map((id) => deployment(id, 'm')),
      { settings: { numRetries: 2 } },
    );
    const { attempt, calls } = scripted(Object.fromEntries(ids.map((id) => [id, failure(503)])));

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toHaveLength(3);
  });

  it('makes one attempt per model with num_retries 0', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'm'), deployment('c', 'n')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(503), c: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toHaveLength(2);
  });

  it('gives each fallback model its own num_retries', async () => {
    const { router } = setup([deployment('a1', 'm'), deployment('a2', 'm'), deployment('a3', 'm'), deployment('b1', 'n'), deployment('b2', 'n'), deployment('b3', 'n')], {
      settings: { numRetries: 1, fallbacks: { m: ['n'] } },
    });
    const { attempt } = scripted({ a1: failure(503), a2: failure(503), a3: failure(503), b1: failure(503), b2: failure(503), b3: failure(503) });
    const request = routeRequest('m');

    await expect(router.route(request, attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(request.attempts.map((record) => record.model)).toEqual(['m', 'm', 'n', 'n']);
  });

  it('never retries a deployment that refused it for good (401), and moves to the fallbacks', async () => {
    const { router, waits } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 3, fallbacks: { m: ['n'] } } });
    const { attempt, calls } = scripted({ a: failure(401, { code: 'invalid_api_key' }), b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
    expect(waits).toEqual([]);
  });
});

describe('retries within a model, whatever the order of failures', () => {
  it('retries a deployment that failed in passing after a backoff when a deployment tried after it refused for good', async () => {
    const { router, waits } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })], { settings: { numRetries: 2 } });
    const { attempt, calls } = scripted({ a: [failure(503), 'ok'], b: failure(401) });

    const routed = await router.route(routeRequest('m'), attempt).catch((error: unknown) => error);

    expect(calls).toEqual(['a', 'b', 'a']);
    expect(waits).toHaveLength(1);
    expect(routed).toMatchObject({ value: 'served by a' });
  });
});

describe('fatal errors', () => {
  it('never retries a fatal 400 and never falls back on it', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 }), deployment('c', 'n')], {
      settings: { numRetries: 3, fallbacks: { m: ['n'] }, defaultFallbacks: ['n'] },
    });
    const badRequest = failure(400, { message: "Invalid value for 'temperature'." });
    const { attempt, calls } = scripted({ a: badRequest, b: 'ok', c: 'ok' });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBe(badRequest);

    expect(calls).toEqual(['a']);
  });
});

describe('fallbacks', () => {
  it('tries only context_window_fallbacks after a context-window error', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 }), deployment('g', 'general'), deployment('c', 'big')], {
      settings: { fallbacks: { m: ['general'] }, contextWindowFallbacks: { m: ['big'] } },
    });
    const { attempt, calls } = scripted({ a: failure(400, { code: 'context_length_exceeded' }), b: 'ok', g: 'ok', c: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'c']);
  });

  it('answers a context-window error as it is when the model has no context_window_fallbacks', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('g', 'general')], { settings: { fallbacks: { m: ['general'] }, defaultFallbacks: ['general'] } });
    const tooLong = failure(400, { message: 'prompt is too long: 208000 tokens > 200000 maximum' });
    const { attempt, calls } = scripted({ a: tooLong, g: 'ok' });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBe(tooLong);

    expect(calls).toEqual(['a']);
  });

  it('tries only content_policy_fallbacks after a content-policy refusal', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('g', 'general'), deployment('w', 'wide'), deployment('c', 'lenient')], {
      settings: { fallbacks: { m: ['general'] }, contextWindowFallbacks: { m: ['wide'] }, contentPolicyFallbacks: { m: ['lenient'] } },
    });
    const { attempt, calls } = scripted({ a: failure(400, { code: 'content_policy_violation' }), g: 'ok', w: 'ok', c: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'c']);
  });

  it('tries the fallbacks in order once the model’s retries are exhausted', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n'), deployment('c', 'o'), deployment('d', 'p')], {
      settings: { numRetries: 0, fallbacks: { m: ['n', 'o', 'p'] } },
    });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(502), c: 'ok', d: 'ok' });
    const request = routeRequest('m');

    const routed = await router.route(request, attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(request.attempts.map((record) => record.model)).toEqual(['m', 'n', 'o']);
  });

  it('tries default_fallbacks for a model without its own fallbacks entry', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('d', 'safety-net')], { settings: { numRetries: 0, defaultFallbacks: ['safety-net'] } });
    const { attempt, calls } = scripted({ a: failure(503), d: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by d');
    expect(calls).toEqual(['a', 'd']);
  });

  it('does not try default_fallbacks for a model with its own fallbacks entry', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n'), deployment('d', 'safety-net')], {
      settings: { numRetries: 0, fallbacks: { m: ['n'] }, defaultFallbacks: ['safety-net'] },
    });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(503), d: 'ok' });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toEqual(['a', 'b']);
  });

  it('skips fallbacks that are not in the key’s allow-list', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n'), deployment('c', 'o')], { settings: { numRetries: 0, fallbacks: { m: ['n', 'o'] } } });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok', c: 'ok' });

    const routed = await router.route(routeRequest('m', { isModelAllowed: (model) => model !== 'n' }), attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'c']);
  });
});

describe('per-request overrides', () => {
  it('replaces the configured fallbacks with the request’s', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n'), deployment('c', 'o')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok', c: 'ok' });

    const routed = await router.route(routeRequest('m', { overrides: { fallbacks: ['o'] } }), attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'c']);
  });

  it('turns the configured fallbacks off with an empty fallbacks override', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok' });

    await expect(router.route(routeRequest('m', { overrides: { fallbacks: [] } }), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toEqual(['a']);
  });

  it('skips override fallbacks that name the model itself, an unknown model or one the key may not use', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'secret'), deployment('c', 'o')], { settings: { numRetries: 0 } });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok', c: 'ok' });
    const request = routeRequest('m', { overrides: { fallbacks: ['m', 'gpt-9', 'secret', 'o'] }, isModelAllowed: (model) => model !== 'secret' });

    const routed = await router.route(request, attempt);

    expect(routed.value).toBe('served by c');
    expect(calls).toEqual(['a', 'c']);
  });

  it('replaces num_retries with the request’s (fewer)', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'm'), deployment('c', 'm')], { settings: { numRetries: 2 } });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(503), c: failure(503) });

    await expect(router.route(routeRequest('m', { overrides: { numRetries: 0 } }), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toHaveLength(1);
  });

  it('replaces num_retries with the request’s (more)', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'm'), deployment('c', 'm')], { settings: { numRetries: 0 } });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(503), c: failure(503) });

    await expect(router.route(routeRequest('m', { overrides: { numRetries: 2 } }), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toHaveLength(3);
  });

  it('replaces the deployment’s timeout with the request’s', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1, timeoutMs: 600_000 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls } = scripted({ a: hangUntilAborted, b: 'ok' });
    const request = routeRequest('m', { overrides: { timeoutMs: 20 } });

    const routed = await router.route(request, attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
    expect(request.attempts[0]).toMatchObject({ deployment: 'a', status: 504, errorCode: 'upstream_timeout' });
  });
});

describe('cooldowns', () => {
  it('skips a deployment that is cooling down while another candidate is healthy', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm'), deployment('b', 'm')], { settings: { allowedFails: 1, cooldownMs: 60_000 } });
    await cooldowns.recordFailure('a');
    const { attempt, calls } = scripted({ a: 'ok', b: 'ok' });

    for (let index = 0; index < 20; index++) await router.route(routeRequest('m'), attempt);

    expect(new Set(calls)).toEqual(new Set(['b']));
  });

  it('passes a model whose every deployment is cooling down to its fallbacks without attempting it', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { allowedFails: 1, cooldownMs: 60_000, fallbacks: { m: ['n'] } } });
    await cooldowns.recordFailure('a');
    const { attempt, calls } = scripted({ a: 'ok', b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['b']);
  });

  it('tries a cooling-down deployment anyway when every candidate is cooling down', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { allowedFails: 1, cooldownMs: 60_000, fallbacks: { m: ['n'] } } });
    await cooldowns.recordFailure('a');
    await cooldowns.recordFailure('b');
    const { attempt, calls } = scripted({ a: 'ok', b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by a');
    expect(calls).toEqual(['a']);
  });

  it('tries a cooling-down deployment anyway when only context-window fallbacks, which cannot serve this failure, are healthy', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm'), deployment('c', 'big')], {
      settings: { allowedFails: 1, cooldownMs: 60_000, contextWindowFallbacks: { m: ['big'] } },
    });
    await cooldowns.recordFailure('a');
    const { attempt, calls } = scripted({ a: 'ok', c: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt).catch((error: unknown) => error);

    expect(routed).toMatchObject({ value: 'served by a' });
    expect(calls).toEqual(['a']);
  });

  it('starts a cooldown after allowed_fails failures and ends it when cooldown_time has passed', async () => {
    const { router, clock } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })], {
      settings: { allowedFails: 2, cooldownMs: 5_000, numRetries: 1 },
    });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok' });
    const callsOf = async () => {
      const before = calls.length;
      await routeAndSettle(router, routeRequest('m'), attempt);
      return calls.slice(before);
    };

    expect(await callsOf()).toEqual(['a', 'b']); // 1 failure of a
    expect(await callsOf()).toEqual(['a', 'b']); // 2 failures: a cools down
    expect(await callsOf()).toEqual(['b']);
    clock.advance(4_999);
    expect(await callsOf()).toEqual(['b']);
    clock.advance(1);
    expect(await callsOf()).toEqual(['a', 'b']);
  });

  it('does not count a fatal error toward a cooldown', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm')], { settings: { allowedFails: 1, cooldownMs: 60_000 } });
    const { attempt } = scripted({ a: failure(400) });

    await expect(routeAndSettle(router, routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(cooldowns.isCoolingDown('a')).toBe(false);
  });

  it('counts a deployment failure (401) toward a cooldown', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm')], { settings: { allowedFails: 1, cooldownMs: 60_000 } });
    const { attempt } = scripted({ a: failure(401) });

    await expect(routeAndSettle(router, routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(cooldowns.isCoolingDown('a')).toBe(true);
  });
});

describe('timeouts', () => {
  it('aborts an attempt that exceeds its timeout with an UpstreamTimeoutError and tries the next deployment', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1, timeoutMs: 20 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls, signals } = scripted({ a: hangUntilAborted, b: 'ok' });
    const request = routeRequest('m');

    const routed = await router.route(request, attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBeInstanceOf(UpstreamTimeoutError);
    expect(request.attempts[0]).toMatchObject({ deployment: 'a', status: 504, errorCode: 'upstream_timeout' });
  });

  it('bounds a stream by stream_timeout rather than timeout', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1, timeoutMs: 600_000, streamTimeoutMs: 20 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls, signals } = scripted({ a: hangUntilAborted, b: 'ok' });

    const routed = await router.route(routeRequest('m', { stream: true }), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
    expect(signals[0]!.reason).toBeInstanceOf(UpstreamTimeoutError);
  });

  it('leaves the signal of an attempt that succeeded in time alone', async () => {
    vi.useFakeTimers();
    try {
      const { router } = setup([deployment('a', 'm', { timeoutMs: 20 })]);
      const { attempt, signals } = scripted({ a: 'ok' });

      await router.route(routeRequest('m'), attempt);
      await vi.advanceTimersByTimeAsync(40); // twice the timeout, in timer time

      expect(signals[0]!.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('client abort', () => {
  it('stops further attempts once the client goes away, and aborts the attempt in flight', async () => {
    const client = new AbortController();
    const { router } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 }), deployment('c', 'n')], {
      settings: { numRetries: 3, fallbacks: { m: ['n'] } },
    });
    const { attempt, calls, signals } = scripted({
      a: (signal) => {
        queueMicrotask(() => client.abort());
        return hangUntilAborted(signal);
      },
      b: 'ok',
      c: 'ok',
    });

    await expect(router.route(routeRequest('m', { signal: client.signal }), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toEqual(['a']);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('does not count a client going away against the deployment (no cooldown)', async () => {
    const client = new AbortController();
    const { router, cooldowns } = setup([deployment('a', 'm')], { settings: { allowedFails: 1, cooldownMs: 60_000 } });
    const { attempt } = scripted({
      a: (signal) => {
        queueMicrotask(() => client.abort(new Error('client disconnected')));
        return hangUntilAborted(signal);
      },
    });

    await expect(routeAndSettle(router, routeRequest('m', { signal: client.signal }), attempt)).rejects.toMatchObject({ status: 499, code: 'client_disconnected' });

    expect(cooldowns.isCoolingDown('a')).toBe(false);
  });

  it('stops waiting and makes no further attempt when the client goes away during a backoff', async () => {
    const client = new AbortController();
    const waits: number[] = [];
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], {
      settings: { numRetries: 3, fallbacks: { m: ['n'] } },
      sleep: async (ms) => {
        waits.push(ms);
        client.abort();
      },
    });
    const { attempt, calls } = scripted({ a: failure(503), b: 'ok' });

    await expect(router.route(routeRequest('m', { signal: client.signal }), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toHaveLength(1);
    expect(calls).toEqual(['a']);
  });
});

describe('attempt records', () => {
  it('records every attempt with model, deployment id, provider, status, latency and error code', async () => {
    const { router, clock } = setup([deployment('a', 'm'), deployment('b', 'n', { provider: 'anthropic' })], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const attempt: Attempt<string> = async (target) => {
      if (target.id === 'a') {
        clock.advance(120);
        throw failure(503, { code: 'upstream_503' });
      }
      clock.advance(80);
      return 'served';
    };
    const request = routeRequest('m');

    await router.route(request, attempt);

    expect(request.attempts).toEqual([
      { model: 'm', deployment: 'a', provider: 'openai', status: 503, latencyMs: 120, errorCode: 'upstream_503' },
      { model: 'n', deployment: 'b', provider: 'anthropic', status: 200, latencyMs: 80 },
    ]);
  });

  it('records the error type as the error code when the upstream sent no code', async () => {
    const { router } = setup([deployment('a', 'm')], { settings: { numRetries: 0 } });
    const { attempt } = scripted({ a: failure(503) });
    const request = routeRequest('m');

    await expect(router.route(request, attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(request.attempts).toEqual([expect.objectContaining({ deployment: 'a', status: 503, errorCode: 'server_error' })]);
  });

  it('keeps the attempts of a request that fails in the end, retries included', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 1, fallbacks: { m: ['n'] } } });
    const { attempt, calls } = scripted({ a: failure(503), b: failure(502) });
    const request = routeRequest('m');

    await expect(router.route(request, attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(request.attempts.map((record) => [record.deployment, record.status])).toEqual([
      ['a', 503],
      ['a', 503],
      ['b', 502],
      ['b', 502],
    ]);
    expect(calls).toHaveLength(4);
  });

  it('tells onAttempt of each deployment before it is attempted', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const told: string[] = [];
    const { attempt } = scripted({ a: failure(503), b: 'ok' });

    await router.route(routeRequest('m', { onAttempt: (target) => told.push(target.id) }), attempt);

    expect(told).toEqual(['a', 'b']);
  });
});

describe('usage-based-routing', () => {
  it('skips a deployment whose limiter refuses it, without an attempt', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1, rpm: 1 }), deployment('b', 'm', { weight: 0, rpm: 10 })], {
      settings: { routingStrategy: 'usage-based-routing' },
    });
    const { attempt } = scripted({ a: 'ok', b: 'ok' });

    const first = routeRequest('m');
    expect((await router.route(first, attempt)).value).toBe('served by a');
    const second = routeRequest('m');
    expect((await router.route(second, attempt)).value).toBe('served by b');

    expect(second.attempts.map((record) => record.deployment)).toEqual(['b']);
  });

  it('answers 429 no_deployment_available with Retry-After when every deployment is at its limit', async () => {
    const { router } = setup([deployment('a', 'm', { rpm: 1 }), deployment('b', 'm', { rpm: 1 })], { settings: { routingStrategy: 'usage-based-routing' } });
    const { attempt, calls } = scripted({ a: 'ok', b: 'ok' });
    await router.route(routeRequest('m'), attempt);
    await router.route(routeRequest('m'), attempt);
    const third = routeRequest('m');

    const error = await router.route(third, attempt).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 429, code: 'no_deployment_available', headers: { 'retry-after': '55' } });
    expect(third.attempts).toEqual([]);
    expect(calls).toHaveLength(2);
  });

  it('does not consult the limiter under another strategy', async () => {
    const { router } = setup([deployment('a', 'm', { rpm: 1 })], { settings: { routingStrategy: 'simple-shuffle' } });
    const { attempt, calls } = scripted({ a: 'ok' });

    for (let index = 0; index < 3; index++) await router.route(routeRequest('m'), attempt);

    expect(calls).toEqual(['a', 'a', 'a']);
  });
});

describe('the error when every attempt fails', () => {
  it('is the last attempt’s error', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const last = failure(502, { message: 'the fallback failed too' });
    const { attempt } = scripted({ a: failure(503), b: last });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBe(last);
  });

  it('is ModelNotFoundError for a model the router does not know, with no attempt', async () => {
    const { router } = setup([deployment('a', 'm')]);
    const { attempt, calls } = scripted({ a: 'ok' });

    await expect(router.route(routeRequest('gpt-9'), attempt)).rejects.toBeInstanceOf(ModelNotFoundError);

    expect(calls).toEqual([]);
  });
});

/** A CooldownView whose reads are `refresh` and under which nothing ever cools down. */
function cooldownsReading(refresh: () => Promise<void>): CooldownView {
  return { refresh, isCoolingDown: () => false, coolingDownUntil: () => undefined, recordFailure: async () => undefined };
}

/** A DeploymentLimiter that admits everything and records each acquisition and settlement; `onAcquire` runs inside tryAcquire. */
function recordingLimiter(onAcquire: () => void = () => undefined) {
  const acquired: string[] = [];
  const settled: Array<[deployment: string, requestId: string, tokens: number, nowMs: number]> = [];
  const limiter: DeploymentLimiter = {
    async tryAcquire(target) {
      acquired.push(target.id);
      onAcquire();
      return true;
    },
    async settle(target, requestId, tokens, nowMs) {
      settled.push([target.id, requestId, tokens, nowMs]);
    },
  };
  return { limiter, acquired, settled };
}

/** The gateway's own refusal of a deployment (as chat-completions and embeddings raise it). */
function capabilityRefusal(code: 'unsupported_parameter' | 'unsupported_operation'): GatewayError {
  return new GatewayError({ status: 400, message: `refused: ${code}`, type: 'invalid_request_error', code, param: code === 'unsupported_parameter' ? 'logprobs' : 'model' });
}

/** Waits on the real timers. */
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Retry-After, per deployment', () => {
  it('never asks a deployment again within the request once its Retry-After exceeds max_retry_wait_seconds, and retries the others after a backoff', async () => {
    // a's weight would make it the retry of choice, were it not out.
    const { router, waits } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })], { settings: { numRetries: 3, maxRetryWaitMs: 8_000 } });
    const { attempt, calls } = scripted({ a: failure(429, { retryAfter: '30' }), b: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(calls).toEqual(['a', 'b', 'b', 'b']);
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeLessThan(8_000);
  });

  it('waits at least a Retry-After within max_retry_wait_seconds (longer than the backoff) before asking the only deployment again', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 1, maxRetryWaitMs: 8_000 } });
    const { attempt, calls } = scripted({ a: [failure(429, { retryAfter: '2' }), 'ok'] });

    await router.route(routeRequest('m'), attempt);

    expect(calls).toEqual(['a', 'a']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
    expect(waits[0]).toBeLessThanOrEqual(8_000);
  });

  it('delays only the deployment that sent the Retry-After, not the retry of another', async () => {
    const { router, waits } = setup([deployment('a', 'm', { weight: 0 }), deployment('b', 'm', { weight: 1 })], { settings: { numRetries: 2 } });
    const { attempt, calls } = scripted({ a: failure(429, { retryAfter: '5' }), b: [failure(503), 'ok'] });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['b', 'a', 'b']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThan(250);
  });
});

describe('backoff (exponential, equal jitter)', () => {
  it('waits from half to all of 250 ms before the first retry', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 1 }, random: seededRandom(seed) });
      const { attempt } = scripted({ a: failure(503) });

      await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(125);
      expect(waits[0]).toBeLessThan(250);
    }
  });

  it('waits exactly the fixed half, doubling from 125 ms, when the jitter draws 0', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 5, maxRetryWaitMs: 60_000 }, random: () => 0 });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toEqual([125, 250, 500, 1_000, 2_000]);
  });

  it('stays under 250 ms × 2^n when the jitter draws close to 1', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 5, maxRetryWaitMs: 60_000 }, random: () => 0.999_999 });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toHaveLength(5);
    waits.forEach((wait, n) => {
      expect(wait).toBeGreaterThanOrEqual(125 * 2 ** n);
      expect(wait).toBeLessThan(250 * 2 ** n);
    });
  });

  it('never waits longer than max_retry_wait_seconds once the exponential outgrows it, jitter included', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 8, maxRetryWaitMs: 1_000 }, random: () => 0.999_999 });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toHaveLength(8);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(1_000);
    expect(waits.at(-1)).toBeGreaterThan(500);
  });

  it('waits retry_after when it is longer than the backoff', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 2, retryAfterMs: 700, maxRetryWaitMs: 8_000 }, random: () => 0 });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toEqual([700, 700]);
  });

  it('caps even a retry_after longer than max_retry_wait_seconds at max_retry_wait_seconds', async () => {
    const { router, waits } = setup([deployment('a', 'm')], { settings: { numRetries: 2, retryAfterMs: 5_000, maxRetryWaitMs: 1_000 } });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(waits).toEqual([1_000, 1_000]);
  });
});

describe('latency penalties', () => {
  it("leaves a deployment's average alone after the request's own 400", async () => {
    const { router, clock } = setup([deployment('a', 'm')], { settings: { routingStrategy: 'latency-based-routing' } });
    router.latency.record('a', 120, clock.now());
    const { attempt } = scripted({ a: failure(400, { message: "Invalid value for 'temperature'." }) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(router.latency.averageMs('a', clock.now())).toBe(120);
  });

  it('records no latency for a context-window error', async () => {
    const { router, clock } = setup([deployment('a', 'm')], { settings: { routingStrategy: 'latency-based-routing' } });
    const { attempt } = scripted({ a: failure(400, { code: 'context_length_exceeded' }) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(router.latency.averageMs('a', clock.now())).toBeUndefined();
  });

  it('ranks a deployment that failed in passing (503) at least as slow as its timeout', async () => {
    const { router, clock } = setup([deployment('a', 'm', { timeoutMs: 10_000 })], { settings: { routingStrategy: 'latency-based-routing', numRetries: 0 } });
    const { attempt } = scripted({ a: failure(503) });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBeInstanceOf(GatewayError);

    expect(router.latency.averageMs('a', clock.now())).toBeGreaterThanOrEqual(10_000);
  });

  it('forgets the penalty a minute later, so the deployment is explored again', async () => {
    const { router, clock } = setup([deployment('a', 'm', { timeoutMs: 10_000 }), deployment('b', 'm')], { settings: { routingStrategy: 'latency-based-routing' } });
    router.latency.record('b', 50, clock.now());
    const { attempt, calls } = scripted({ a: [failure(503), 'ok'], b: 'ok' });

    await router.route(routeRequest('m'), attempt); // a (unmeasured) first, fails; b serves
    await router.route(routeRequest('m'), attempt); // b: a is penalised
    clock.advance(30_000);
    await router.route(routeRequest('m'), attempt); // b again, and b's average is refreshed
    clock.advance(30_000);
    expect(router.latency.averageMs('a', clock.now())).toBeUndefined();
    await router.route(routeRequest('m'), attempt);

    expect(calls).toEqual(['a', 'b', 'b', 'b', 'a']);
  });
});

describe('a per-request timeout', () => {
  it("does not cool a deployment down for timing out under a request timeout shorter than the deployment's own", async () => {
    const { router, cooldowns } = setup([deployment('a', 'm', { timeoutMs: 600_000 })], { settings: { allowedFails: 1, cooldownMs: 60_000, numRetries: 0 } });
    const { attempt } = scripted({ a: hangUntilAborted });

    await expect(routeAndSettle(router, routeRequest('m', { overrides: { timeoutMs: 20 } }), attempt)).rejects.toBeInstanceOf(UpstreamTimeoutError);

    expect(cooldowns.isCoolingDown('a')).toBe(false);
  });

  it("records no latency penalty for timing out under a request timeout shorter than the deployment's own", async () => {
    const { router, clock } = setup([deployment('a', 'm', { timeoutMs: 600_000 })], { settings: { routingStrategy: 'latency-based-routing', numRetries: 0 } });
    const { attempt } = scripted({ a: hangUntilAborted });

    await expect(router.route(routeRequest('m', { overrides: { timeoutMs: 20 } }), attempt)).rejects.toBeInstanceOf(UpstreamTimeoutError);

    expect(router.latency.averageMs('a', clock.now())).toBeUndefined();
  });

  it.each([
    ['equal to', 20],
    ['longer than', 30],
  ])("counts a timeout under a request timeout %s the deployment's own toward a cooldown", async (_case, requestTimeoutMs) => {
    const { router, cooldowns } = setup([deployment('a', 'm', { timeoutMs: 20 })], { settings: { allowedFails: 1, cooldownMs: 60_000, numRetries: 0 } });
    const { attempt } = scripted({ a: hangUntilAborted });

    await expect(routeAndSettle(router, routeRequest('m', { overrides: { timeoutMs: requestTimeoutMs } }), attempt)).rejects.toBeInstanceOf(UpstreamTimeoutError);

    expect(cooldowns.isCoolingDown('a')).toBe(true);
  });

  it("ranks a deployment that timed out under a request timeout equal to its own as slow as its timeout", async () => {
    const { router, clock } = setup([deployment('a', 'm', { timeoutMs: 20 })], { settings: { routingStrategy: 'latency-based-routing', numRetries: 0 } });
    const { attempt } = scripted({ a: hangUntilAborted });

    await expect(router.route(routeRequest('m', { overrides: { timeoutMs: 20 } }), attempt)).rejects.toBeInstanceOf(UpstreamTimeoutError);

    expect(router.latency.averageMs('a', clock.now())).toBeGreaterThanOrEqual(20);
  });
});

describe("the gateway's own capability refusals", () => {
  it.each(['unsupported_parameter', 'unsupported_operation'] as const)('moves on to the next deployment of the model after a %s refusal', async (code) => {
    const { router } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })]);
    const { attempt, calls } = scripted({ a: capabilityRefusal(code), b: 'ok' });

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
    expect(calls).toEqual(['a', 'b']);
  });

  it('answers with the requested model’s 503, not a fallback’s later refusal of the request', async () => {
    const { router } = setup([deployment('a', 'm'), deployment('b', 'n')], { settings: { numRetries: 0, fallbacks: { m: ['n'] } } });
    const unavailable = failure(503);
    const { attempt, calls } = scripted({ a: unavailable, b: capabilityRefusal('unsupported_parameter') });

    await expect(router.route(routeRequest('m'), attempt)).rejects.toBe(unavailable);

    expect(calls).toEqual(['a', 'b']);
  });

  it('does not cool a deployment down for refusing a parameter the request chose', async () => {
    const { router, cooldowns } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })], { settings: { allowedFails: 1, cooldownMs: 60_000 } });
    const { attempt } = scripted({ a: capabilityRefusal('unsupported_parameter'), b: 'ok' });

    await routeAndSettle(router, routeRequest('m'), attempt);

    expect(cooldowns.isCoolingDown('a')).toBe(false);
  });

  it('records no latency penalty for refusing a parameter the request chose', async () => {
    const { router, clock } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })], { settings: { routingStrategy: 'latency-based-routing' } });
    router.latency.record('b', 50, clock.now());
    const { attempt } = scripted({ a: capabilityRefusal('unsupported_parameter'), b: 'ok' });

    await router.route(routeRequest('m'), attempt);

    expect(router.latency.averageMs('a', clock.now())).toBeUndefined();
  });
});

describe('a client that has gone away', () => {
  it('answers 499 client_disconnected without any attempt when the client left before routing', async () => {
    const client = new AbortController();
    client.abort();
    const { router } = setup([deployment('a', 'm')]);
    const { attempt, calls } = scripted({ a: 'ok' });
    const request = routeRequest('m', { signal: client.signal });

    await expect(router.route(request, attempt)).rejects.toMatchObject({ status: 499, code: 'client_disconnected' });

    expect(calls).toEqual([]);
    expect(request.attempts).toEqual([]);
  });

  it('answers 499, not the 503 before it, when the client leaves during a backoff', async () => {
    const client = new AbortController();
    const { router } = setup([deployment('a', 'm')], {
      settings: { numRetries: 3 },
      sleep: async () => client.abort(),
    });
    const { attempt } = scripted({ a: failure(503) });

    const error = await router.route(routeRequest('m', { signal: client.signal }), attempt).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 499, code: 'client_disconnected' });
  });

  it('records an attempt cut short by the client as 499 client_disconnected', async () => {
    const client = new AbortController();
    const { router } = setup([deployment('a', 'm')]);
    const { attempt } = scripted({
      a: (signal) => {
        queueMicrotask(() => client.abort());
        return hangUntilAborted(signal);
      },
    });
    const request = routeRequest('m', { signal: client.signal });

    await expect(router.route(request, attempt)).rejects.toMatchObject({ status: 499, code: 'client_disconnected' });

    expect(request.attempts).toEqual([expect.objectContaining({ deployment: 'a', status: 499, errorCode: 'client_disconnected' })]);
  });

  it('records no latency penalty for an attempt cut short by the client', async () => {
    const client = new AbortController();
    const { router, clock } = setup([deployment('a', 'm')], { settings: { routingStrategy: 'latency-based-routing' } });
    const { attempt } = scripted({
      a: (signal) => {
        queueMicrotask(() => client.abort());
        return hangUntilAborted(signal);
      },
    });

    await expect(router.route(routeRequest('m', { signal: client.signal }), attempt)).rejects.toMatchObject({ status: 499 });

    expect(router.latency.averageMs('a', clock.now())).toBeUndefined();
  });

  it('does not call the attempt when the client leaves while usage-based-routing acquires the deployment', async () => {
    const client = new AbortController();
    const { limiter, acquired } = recordingLimiter(() => client.abort());
    const { router } = setup([deployment('a', 'm', { rpm: 10 })], { settings: { routingStrategy: 'usage-based-routing' }, limiter });
    const { attempt, calls } = scripted({ a: 'ok' });

    await expect(router.route(routeRequest('m', { signal: client.signal }), attempt)).rejects.toMatchObject({ status: 499, code: 'client_disconnected' });

    expect(acquired).toEqual(['a']);
    expect(calls).toEqual([]);
  });

  it('gives back the count of a deployment acquired just before the client left', async () => {
    const client = new AbortController();
    const { limiter, settled } = recordingLimiter(() => client.abort());
    const { router } = setup([deployment('a', 'm', { rpm: 10 })], { settings: { routingStrategy: 'usage-based-routing' }, limiter });
    const { attempt } = scripted({ a: 'ok' });

    await expect(routeAndSettle(router, routeRequest('m', { signal: client.signal }), attempt)).rejects.toMatchObject({ status: 499 });

    expect(settled).toEqual([['a', 'req-1', 0, START]]);
  });
});

describe('an attempt function that throws synchronously', () => {
  it('is handled like one that rejects: 500 internal_error, recorded, and nothing left unhandled after its timeout', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { router } = setup([deployment('a', 'm', { timeoutMs: 30 })], { settings: { numRetries: 0 } });
      const attempt: Attempt<string> = () => {
        throw new Error('a bug in the attempt');
      };
      const request = routeRequest('m');

      const error = await router.route(request, attempt).catch((thrown: unknown) => thrown);
      await realDelay(80); // past the attempt's 30 ms timeout

      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 500, code: 'internal_error' });
      expect(request.attempts).toEqual([expect.objectContaining({ deployment: 'a', status: 500, errorCode: 'internal_error' })]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('moves on to the next deployment when it throws a retryable GatewayError synchronously', async () => {
    const { router } = setup([deployment('a', 'm', { weight: 1 }), deployment('b', 'm', { weight: 0 })]);
    const attempt: Attempt<string> = (target) => {
      if (target.id === 'a') throw failure(503);
      return Promise.resolve(`served by ${target.id}`);
    };

    const routed = await router.route(routeRequest('m'), attempt);

    expect(routed.value).toBe('served by b');
  });
});

describe('usage-based-routing settlement', () => {
  it('settles a deployment acquired but failing with 0 tokens at once, so no reservation is left behind', async () => {
    const { limiter, settled } = recordingLimiter();
    const { router } = setup([deployment('a', 'm', { weight: 1, rpm: 10 }), deployment('b', 'm', { weight: 0, rpm: 10 })], {
      settings: { routingStrategy: 'usage-based-routing' },
      limiter,
    });
    const { attempt } = scripted({ a: failure(503), b: 'ok' });

    await routeAndSettle(router, routeRequest('m'), attempt);

    expect(settled).toEqual([['a', 'req-1', 0, START]]);
  });

  it('leaves the settlement of the serving deployment to the caller', async () => {
    const { limiter, settled } = recordingLimiter();
    const { router } = setup([deployment('a', 'm', { rpm: 10 })], { settings: { routingStrategy: 'usage-based-routing' }, limiter });
    const { attempt } = scripted({ a: 'ok' });

    await routeAndSettle(router, routeRequest('m'), attempt);

    expect(settled).toEqual([]);
  });

  it('passes the tokens the caller settles through router.settle to the limiter', async () => {
    const { limiter, settled } = recordingLimiter();
    const served = deployment('a', 'm', { tpm: 1_000 });
    const { router } = setup([served], { settings: { routingStrategy: 'usage-based-routing' }, limiter });

    await router.settle(served, 'req-1', 42, START + 1_000);

    expect(settled).toEqual([['a', 'req-1', 42, START + 1_000]]);
  });

  it('settles nothing under another strategy, failed attempts included', async () => {
    const { limiter, settled } = recordingLimiter();
    const served = deployment('b', 'm', { weight: 0, rpm: 10 });
    const { router } = setup([deployment('a', 'm', { weight: 1, rpm: 10 }), served], { settings: { routingStrategy: 'simple-shuffle' }, limiter });
    const { attempt } = scripted({ a: failure(503), b: 'ok' });

    await routeAndSettle(router, routeRequest('m'), attempt);
    await router.settle(served, 'req-1', 42, START);

    expect(settled).toEqual([]);
  });
});

describe('cooldown reads', () => {
  // Timers are faked so that "100 ms" is 100 ms of timer time, whatever the load on the machine.
  it('routes after at most about 100 ms when the cooldown read takes a second', async () => {
    vi.useFakeTimers();
    try {
      let readDone = false;
      const cooldowns = cooldownsReading(() => realDelay(1_000).then(() => void (readDone = true)));
      const { router } = setup([deployment('a', 'm')], { cooldowns });
      let readDoneAtAttempt: boolean | undefined;
      const attempt: Attempt<string> = async () => {
        readDoneAtAttempt = readDone;
        return 'served';
      };

      const routed = router.route(routeRequest('m'), attempt);
      await vi.advanceTimersByTimeAsync(100);

      expect(readDoneAtAttempt).toBe(false);
      await expect(routed).resolves.toMatchObject({ value: 'served' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('routes after at most about 100 ms when the cooldown read never finishes', async () => {
    vi.useFakeTimers();
    try {
      const { router } = setup([deployment('a', 'm')], { cooldowns: cooldownsReading(() => new Promise<void>(() => undefined)) });
      const { attempt, calls } = scripted({ a: 'ok' });

      const routed = router.route(routeRequest('m'), attempt);
      await vi.advanceTimersByTimeAsync(100);

      expect(calls).toEqual(['a']);
      await expect(routed).resolves.toMatchObject({ value: 'served by a' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes no timer for the cooldown read while refresh() returns the read it already saw settle', async () => {
    const settledRead = Promise.resolve();
    const { router } = setup([deployment('a', 'm')], { cooldowns: cooldownsReading(() => settledRead) });
    const { attempt } = scripted({ a: 'ok' });
    const cooldownReadTimers = async () => {
      const spy = vi.spyOn(globalThis, 'setTimeout');
      try {
        await router.route(routeRequest('m'), attempt);
        return spy.mock.calls.filter(([, ms]) => ms === 100).length;
      } finally {
        spy.mockRestore();
      }
    };

    expect(await cooldownReadTimers()).toBe(1); // the first read is new to the router
    expect(await cooldownReadTimers()).toBe(0);
    expect(await cooldownReadTimers()).toBe(0);
  });
});

describe('simple-shuffle weights', () => {
  it('never picks a deployment of weight 0 through the floating-point remainder of the weights', () => {
    const { router } = setup([deployment('a', 'm', { weight: 0.1 }), deployment('b', 'm', { weight: 0.2 }), deployment('c', 'm', { weight: 0.3 }), deployment('z', 'm', { weight: 0 })], {
      random: () => 0.9999999999999999,
    });

    expect(router.pick('m')?.id).toBe('c');
  });
});
