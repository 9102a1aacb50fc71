/**
 * An exception the gateway's own code throws inside an attempt (issue 11, item 4) is never the
 * deployment's failure: one attempt, no retry, no fallback, no cooldown; the client gets a 500
 * internal_error and the exception is logged (its class and message, never a stack).
 */
import { describe, expect, it } from 'vitest';
import type { RouterSettings } from '../../../functions/core/config/config-types.js';
import { DEFAULT_ROUTER_SETTINGS } from '../../../functions/core/config/parse-router-settings.js';
import { GatewayError } from '../../../functions/core/errors.js';
import type { Logger } from '../../../functions/core/ports.js';
import type { ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import { createCooldownsFor, createInMemoryCooldownStore } from '../../../functions/core/routing/cooldowns.js';
import { createLocalDeploymentLimiter } from '../../../functions/core/routing/deployment-limiter.js';
import { ModelRouter, type Attempt, type RouteRequest } from '../../../functions/core/routing/model-router.js';
import { resolvedDeployment } from '../providers/provider-test-support.js';
import { seededRandom } from '../../support/seeded-random.js';

const START = Date.UTC(2026, 10, 23, 12, 0, 5);

/** `chat` (one deployment, falling back to `backup`), cooling a deployment down at its first failure, retrying twice. */
function setup() {
  let now = START;
  const clock = { now: () => now };
  const logged: Array<{ level: string; event: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    info: (event, fields) => void logged.push({ level: 'info', event, fields }),
    warn: (event, fields) => void logged.push({ level: 'warn', event, fields }),
    error: (event, fields) => void logged.push({ level: 'error', event, fields }),
  };
  const settings: RouterSettings = { ...DEFAULT_ROUTER_SETTINGS, numRetries: 2, allowedFails: 1, fallbacks: { chat: ['backup'] } };
  const cooldowns = createCooldownsFor(settings, { store: createInMemoryCooldownStore(), clock, logger });
  const deployments: ResolvedDeployment[] = [
    resolvedDeployment({ id: 'chat-1', path: 'chat-1', modelName: 'chat' }),
    resolvedDeployment({ id: 'backup-1', path: 'backup-1', modelName: 'backup' }),
  ];
  const router = new ModelRouter(deployments, {
    settings,
    cooldowns,
    limiter: createLocalDeploymentLimiter(),
    clock,
    random: seededRandom(7),
    logger,
    sleep: async (ms) => void (now += ms),
  });
  return { router, cooldowns, logged };
}

function routeRequest(requestId: string): RouteRequest {
  return { model: 'chat', requestId, stream: false, signal: new AbortController().signal, isModelAllowed: () => true, attempts: [], background: [] };
}

/** An object nested `depth` levels deep: JSON.stringify overflows the stack on it. */
function deeplyNested(depth: number): unknown {
  let value: unknown = {};
  for (let level = 0; level < depth; level++) value = { nested: value };
  return value;
}

async function routeAndSettle(router: ModelRouter, request: RouteRequest, attempt: Attempt<string>) {
  const outcome = await router.route(request, attempt).then(
    (routed) => ({ routed, error: undefined }),
    (error: unknown) => ({ routed: undefined, error }),
  );
  await Promise.all(request.background);
  return outcome;
}

describe('ModelRouter attempts that throw inside the gateway', () => {
  it('answers 500 internal_error after exactly one attempt, without retry or fallback, when building the request throws a RangeError', async () => {
    const { router } = setup();
    const called: string[] = [];
    const attempt: Attempt<string> = async (deployment) => {
      called.push(deployment.id);
      return JSON.stringify({ model: deployment.modelName, metadata: deeplyNested(100_000) });
    };
    const request = routeRequest('tenant-a-request');

    const { error } = await routeAndSettle(router, request, attempt);

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 500, type: 'server_error', code: 'internal_error' });
    expect(called).toEqual(['chat-1']);
    expect(request.attempts).toEqual([expect.objectContaining({ deployment: 'chat-1', status: 500, errorCode: 'internal_error' })]);
  });

  it("does not cool the deployment down, so another tenant's next request is served by it, when an attempt threw a TypeError", async () => {
    const { router, cooldowns } = setup();
    const broken: Attempt<string> = async () => {
      throw new TypeError('Do not know how to serialize a BigInt');
    };
    const served: Attempt<string> = async (deployment) => `served by ${deployment.id}`;
    await routeAndSettle(router, routeRequest('tenant-a-request'), broken);

    const { routed } = await routeAndSettle(router, routeRequest('tenant-b-request'), served);

    expect(cooldowns.isCoolingDown('chat-1')).toBe(false);
    expect(routed?.deployment.id).toBe('chat-1');
  });

  it('logs the exception by its class only (its message may quote the request), with the request and deployment, when an attempt throws', async () => {
    const { router, logged } = setup();
    const attempt: Attempt<string> = async () => {
      throw new TypeError('Cannot read properties of undefined (reading "content")');
    };

    await routeAndSettle(router, routeRequest('tenant-a-request'), attempt);

    expect(logged.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        event: 'router.attempt_failed_in_gateway',
        fields: { requestId: 'tenant-a-request', model: 'chat', deployment: 'chat-1', error: 'TypeError' },
      },
    ]);
  });

  it('still retries and falls back, cooling the deployment down, when the upstream itself fails with a 500', async () => {
    const { router, cooldowns } = setup();
    const called: string[] = [];
    const attempt: Attempt<string> = async (deployment) => {
      called.push(deployment.id);
      if (deployment.id === 'chat-1') throw new GatewayError({ status: 500, message: 'upstream answered 500', type: 'server_error', code: 'internal_error' });
      return `served by ${deployment.id}`;
    };

    const { routed } = await routeAndSettle(router, routeRequest('tenant-a-request'), attempt);

    expect(routed?.deployment.id).toBe('backup-1');
    expect(cooldowns.isCoolingDown('chat-1')).toBe(true);
  });
});
