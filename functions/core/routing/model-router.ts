import type { RouterSettings } from '../config/config-types.js';
import { GatewayError, InternalGatewayError, ModelNotFoundError, toGatewayError, UpstreamTimeoutError } from '../errors.js';
import type { Clock, Logger } from '../ports.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import { classifyFailure, isCapabilityRefusal, retryAfterMs, type FailureKind } from './classify-failure.js';
import { DeploymentGroup, type PickContext } from './deployment-group.js';
import type { DeploymentLimiter } from './deployment-limiter.js';
import { LatencyTracker } from './latency-tracker.js';
import { sleep, withinMs } from '../timing.js';

/** The router's view of shared cooldowns (see cooldowns.ts). */
export interface CooldownView {
  /** Re-reads shared state when this instance's copy is older than its staleness bound; never throws. */
  refresh(): Promise<void>;
  isCoolingDown(deploymentId: string): boolean;
  coolingDownUntil(deploymentId: string): number | undefined;
  /** Counts a failure; starts a cooldown at `allowed_fails` in a minute. Never throws. */
  recordFailure(deploymentId: string): Promise<void>;
}

/** One try of one deployment, as the usage record and the response headers name it. */
export interface AttemptRecord {
  model: string;
  deployment: string;
  provider: string;
  /** 200 when it served; else the status of its error. */
  status: number;
  latencyMs: number;
  errorCode?: string;
}

/** LiteLLM's per-request overrides (`fallbacks`, `num_retries`, `timeout` in the body), when the key may use them. */
export interface RoutingOverrides {
  fallbacks?: readonly string[];
  numRetries?: number;
  timeoutMs?: number;
}

export interface RouteRequest {
  model: string;
  requestId: string;
  /** Streams are bounded by `stream_timeout` (to the first token), others by `timeout` (the whole answer). */
  stream: boolean;
  /** The client's signal: once it aborts, no further attempt is made. */
  signal: AbortSignal;
  /** The key's allow-list: fallbacks it may not use are skipped. */
  isModelAllowed(model: string): boolean;
  overrides?: RoutingOverrides;
  /** Filled in as attempts are made, so that a request that fails in the end still names them. */
  attempts: AttemptRecord[];
  /** Cooldown writes started on the way; awaited after the response, so failover does not wait for them. */
  background: Promise<unknown>[];
  /** Told of each deployment before it is attempted (the last one is the request's deployment of record). */
  onAttempt?(deployment: ResolvedDeployment): void;
}

/**
 * One attempt at one deployment. Resolves once the deployment has proven itself (a complete
 * answer; for a stream, its first token), rejects with the failure. `signal` aborts when the
 * attempt times out or the client goes away: the attempt must release its upstream request then.
 */
export type Attempt<T> = (deployment: ResolvedDeployment, signal: AbortSignal) => Promise<T>;

export interface Routed<T> {
  value: T;
  deployment: ResolvedDeployment;
}

export interface ModelRouterOptions {
  settings: RouterSettings;
  cooldowns: CooldownView;
  limiter: DeploymentLimiter;
  clock: Clock;
  /** In [0, 1); injected so that tests are repeatable. */
  random: () => number;
  /** Waits before retrying the same deployment; resolves early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told of attempts that failed inside the gateway's own code (absent: not logged). */
  logger?: Logger;
}

/** How long a request waits for a cooldown read before routing on what this instance knows. */
const COOLDOWN_READ_WAIT_MS = 100;

/** An attempt cut short because the client went away (nginx's 499): not the deployment's failure. */
const CLIENT_CLOSED = new GatewayError({ status: 499, message: 'The client closed the request.', type: 'invalid_request_error', code: 'client_disconnected' });

/** Base of the exponential backoff between attempts at the same deployment (doubled each time, with jitter). */
const BACKOFF_BASE_MS = 250;


type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: GatewayError; shortenedByClient: boolean; gatewayFault?: boolean };

type ModelOutcome<T> = { ok: true; routed: Routed<T> } | { ok: false; kind: FailureKind; error?: GatewayError };

/**
 * Chooses deployments for a public model name and fails over: retries within the model
 * (other deployments first, then the same one after a backoff), then its fallbacks, skipping
 * deployments other instances have cooled down. Decisions are in-memory; only cooldown
 * refreshes (at most once per `cooldown_cache_seconds`), cooldown writes after failures and
 * usage-based-routing's counters touch the shared store.
 */
export class ModelRouter {
  readonly latency = new LatencyTracker();
  private readonly groups = new Map<string, DeploymentGroup>();
  private readonly settings: RouterSettings;
  private readonly options: ModelRouterOptions;
  private readonly pickContext: PickContext;
  /** The last cooldown refresh seen to have finished: while `refresh()` returns it, nothing is stale. */
  private settledRefresh: Promise<void> | undefined;

  constructor(deployments: readonly ResolvedDeployment[], options: ModelRouterOptions) {
    const byName = new Map<string, ResolvedDeployment[]>();
    for (const deployment of deployments) {
      const group = byName.get(deployment.modelName) ?? [];
      group.push(deployment);
      byName.set(deployment.modelName, group);
    }
    for (const [name, group] of byName) this.groups.set(name, new DeploymentGroup(name, group));
    this.settings = options.settings;
    this.options = options;
    this.pickContext = { random: options.random, latencyMs: (id, nowMs) => this.latency.averageMs(id, nowMs), now: () => options.clock.now() };
  }

  /** Public model names, in config order. */
  modelNames(): string[] {
    return [...this.groups.keys()];
  }

  has(modelName: string): boolean {
    return this.groups.has(modelName);
  }

  /** Every deployment that may serve a request for `model`: its own and its fallbacks' (for a worst-case budget reservation). */
  candidateDeployments(model: string, isModelAllowed: (model: string) => boolean, overrides?: RoutingOverrides): ResolvedDeployment[] {
    return this.candidateModels(model, isModelAllowed, overrides).flatMap((name) => this.groups.get(name)!.deployments);
  }

  /** After the response: the tokens a deployment served count toward its own `tpm` (usage-based-routing only). */
  async settle(deployment: ResolvedDeployment, requestId: string, tokens: number, nowMs: number): Promise<void> {
    if (this.settings.routingStrategy === 'usage-based-routing') await this.options.limiter.settle(deployment, requestId, tokens, nowMs);
  }

  /** Picks one deployment, as the first attempt would (for benchmarks and tests of the strategies). */
  pick(model: string, excluded: (deployment: ResolvedDeployment) => boolean = () => false): ResolvedDeployment | undefined {
    return this.groups.get(model)?.pick(this.settings.routingStrategy, this.pickContext, (deployment) => excluded(deployment) || this.options.cooldowns.isCoolingDown(deployment.id));
  }

  async route<T>(request: RouteRequest, attempt: Attempt<T>): Promise<Routed<T>> {
    if (!this.groups.has(request.model)) throw new ModelNotFoundError(request.model);
    await this.refreshCooldowns();
    // When every deployment that could serve a failing request (the model and its fallbacks) is
    // cooling down, try them anyway: an answer late beats none.
    const failoverModels = [request.model, ...this.fallbacksFor(request.model, 'retryable', request.overrides)].filter(
      (name) => this.groups.has(name) && (name === request.model || request.isModelAllowed(name)),
    );
    const ignoreCooldowns = !failoverModels.some((name) => this.groups.get(name)!.deployments.some((deployment) => !this.options.cooldowns.isCoolingDown(deployment.id)));

    const queue = [request.model];
    let fallbacksChosen = false;
    let lastError: GatewayError | undefined;
    while (queue.length > 0) {
      const model = queue.shift()!;
      const outcome = await this.tryModel(model, request, attempt, ignoreCooldowns);
      if (outcome.ok) return outcome.routed;
      // A model that cannot do what was asked says less than the failure that led to it: keep the earlier error.
      if (outcome.error !== undefined && !(lastError !== undefined && isCapabilityRefusal(outcome.error))) lastError = outcome.error;
      if (outcome.kind === 'fatal' || request.signal.aborted) break;
      if (!fallbacksChosen) {
        fallbacksChosen = true;
        queue.push(...this.fallbacksFor(request.model, outcome.kind, request.overrides).filter((name) => name !== request.model && this.groups.has(name) && request.isModelAllowed(name)));
      }
    }
    if (request.signal.aborted) throw CLIENT_CLOSED;
    throw lastError ?? this.nothingAvailable(this.candidateModels(request.model, request.isModelAllowed, request.overrides));
  }

  /**
   * Brings this instance's view of shared cooldowns up to date when it is older than its bound,
   * waiting at most COOLDOWN_READ_WAIT_MS for the read (it finishes in the background otherwise):
   * a slow store must not slow every request. While fresh, no timer is made.
   */
  private async refreshCooldowns(): Promise<void> {
    const refreshing = this.options.cooldowns.refresh();
    if (refreshing === this.settledRefresh) return;
    await withinMs(refreshing, COOLDOWN_READ_WAIT_MS);
    void refreshing.then(() => (this.settledRefresh = refreshing));
  }

  /** Retries within one model: untried deployments first, then (for passing failures) a tried one after a backoff. */
  private async tryModel<T>(model: string, request: RouteRequest, attempt: Attempt<T>, ignoreCooldowns: boolean): Promise<ModelOutcome<T>> {
    const group = this.groups.get(model)!;
    const strategy = this.settings.routingStrategy;
    const tried = new Set<string>();
    const unusable = new Set<string>(); // refused us for good, at its own rate limit, or asked for a longer pause than we wait
    /** Deployment id → the earliest time it may be asked again (its own Retry-After). */
    const notBefore = new Map<string, number>();
    const coolingDown = (deployment: ResolvedDeployment) => !ignoreCooldowns && this.options.cooldowns.isCoolingDown(deployment.id);
    let retriesLeft = request.overrides?.numRetries ?? this.settings.numRetries;
    let backoffs = 0;
    let last: { kind: FailureKind; error?: GatewayError } = { kind: 'retryable' };
    let anyPassingFailure = false; // a tried deployment may answer if asked again

    while (!request.signal.aborted) {
      let deployment = group.pick(strategy, this.pickContext, (candidate) => tried.has(candidate.id) || unusable.has(candidate.id) || coolingDown(candidate));
      if (deployment === undefined && anyPassingFailure) {
        deployment = group.pick(strategy, this.pickContext, (candidate) => unusable.has(candidate.id) || coolingDown(candidate));
        if (deployment === undefined) break;
        const wait = this.backoffMs(backoffs, (notBefore.get(deployment.id) ?? 0) - this.options.clock.now());
        backoffs++;
        await this.sleep(wait, request.signal);
        if (request.signal.aborted) break;
      }
      if (deployment === undefined) break;
      if (strategy === 'usage-based-routing' && !(await this.options.limiter.tryAcquire(deployment, request.requestId, this.options.clock.now()))) {
        unusable.add(deployment.id);
        continue;
      }
      tried.add(deployment.id);
      const result = await this.attemptOnce(deployment, request, attempt);
      if (result.ok) return { ok: true, routed: { value: result.value, deployment } };
      // A deployment counted toward its own limits but not serving gives its count back at once (no marker left behind).
      if (strategy === 'usage-based-routing') request.background.push(this.options.limiter.settle(deployment, request.requestId, 0, this.options.clock.now()));
      // The client left: nothing to retry for, and not the deployment's fault.
      if (request.signal.aborted) return { ok: false, kind: 'fatal', error: result.error };
      // The gateway's own code failed: the deployment was never at fault, and another attempt would run the same code.
      if (result.gatewayFault) return { ok: false, kind: 'fatal', error: result.error };
      const kind = classifyFailure(result.error);
      last = { kind, error: result.error };
      // A timeout the client chose shorter than the deployment's own, or a request its provider cannot take,
      // says nothing about the deployment's health: move on without counting it.
      const ownFailure = !(result.error instanceof UpstreamTimeoutError && result.shortenedByClient) && !isCapabilityRefusal(result.error);
      if ((kind === 'retryable' || kind === 'deployment') && ownFailure) request.background.push(this.options.cooldowns.recordFailure(deployment.id));
      if (kind === 'retryable') {
        const asked = retryAfterMs(result.error, this.options.clock.now());
        if (asked !== undefined && asked > this.settings.maxRetryWaitMs) unusable.add(deployment.id);
        else {
          if (asked !== undefined) notBefore.set(deployment.id, this.options.clock.now() + asked);
          anyPassingFailure = true;
        }
      } else if (kind === 'deployment') unusable.add(deployment.id);
      else return { ok: false, ...last };
      if (retriesLeft-- <= 0) break;
    }
    return { ok: false, ...last };
  }

  private async attemptOnce<T>(
    deployment: ResolvedDeployment,
    request: RouteRequest,
    attempt: Attempt<T>,
  ): Promise<AttemptOutcome<T>> {
    request.onAttempt?.(deployment);
    const startedAt = this.options.clock.now();
    const ownLimitMs = request.stream ? deployment.streamTimeoutMs : deployment.timeoutMs;
    const limitMs = request.overrides?.timeoutMs ?? ownLimitMs;
    const shortenedByClient = limitMs < ownLimitMs;
    const record = (status: number, errorCode?: string): void => {
      const latencyMs = this.options.clock.now() - startedAt;
      request.attempts.push({ model: deployment.modelName, deployment: deployment.id, provider: deployment.provider, status, latencyMs, ...(errorCode === undefined ? {} : { errorCode }) });
    };
    if (request.signal.aborted) {
      record(CLIENT_CLOSED.status, CLIENT_CLOSED.code ?? undefined);
      return { ok: false, error: CLIENT_CLOSED, shortenedByClient };
    }
    const controller = new AbortController();
    const abortWithClient = () => controller.abort(request.signal.reason);
    request.signal.addEventListener('abort', abortWithClient, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new UpstreamTimeoutError(
          request.stream
            ? `The upstream provider sent no first token within ${limitMs} ms.`
            : `The upstream provider did not answer within ${limitMs} ms.`,
        );
        controller.abort(error);
        reject(error);
      }, limitMs);
    });
    // Through a promise, so that an attempt throwing synchronously is handled like one rejecting.
    const work = Promise.resolve().then(() => attempt(deployment, controller.signal));
    work.catch(() => undefined); // when the timeout wins, the attempt's own rejection is expected and handled here
    try {
      const value = await Promise.race([work, timedOut]);
      record(200);
      this.latency.record(deployment.id, this.options.clock.now() - startedAt, this.options.clock.now());
      // A stream's upstream must still follow the client; a complete answer needs the link no more.
      if (!request.stream) request.signal.removeEventListener('abort', abortWithClient);
      return { ok: true, value };
    } catch (thrown) {
      // Every failure of the provider or of its connection arrives as a GatewayError (the UpstreamClient
      // port classifies them); anything else (a TypeError, a RangeError from JSON.stringify) is the gateway's own.
      const gatewayFault = !request.signal.aborted && !(thrown instanceof GatewayError);
      const error = request.signal.aborted ? CLIENT_CLOSED : gatewayFault ? new InternalGatewayError() : toGatewayError(thrown);
      controller.abort(error); // releases the upstream request, whatever state it is in
      request.signal.removeEventListener('abort', abortWithClient);
      record(error.status, error.code ?? error.type);
      if (gatewayFault) {
        this.logGatewayFault(thrown, deployment, request);
        return { ok: false, error, shortenedByClient, gatewayFault };
      }
      // A deployment's own failure ranks as slow as its timeout, so latency-based routing does not favour what fails fast.
      const kind = classifyFailure(error);
      if (!request.signal.aborted && !shortenedByClient && !isCapabilityRefusal(error) && (kind === 'retryable' || kind === 'deployment')) {
        this.latency.record(deployment.id, Math.max(this.options.clock.now() - startedAt, ownLimitMs), this.options.clock.now());
      }
      return { ok: false, error, shortenedByClient };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The exception's class and the start of its message (the client only sees internal_error); never a stack. */
  private logGatewayFault(thrown: unknown, deployment: ResolvedDeployment, request: RouteRequest): void {
    // The class only: an exception's message may quote the request (a JSON SyntaxError quotes its input) or a secret.
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    this.options.logger?.error('router.attempt_failed_in_gateway', { requestId: request.requestId, model: deployment.modelName, deployment: deployment.id, error: name });
  }

  /**
   * Exponential backoff with jitter (from half to all of 250 ms × 2^n), at least `retry_after`
   * and at least what the deployment's own Retry-After still asks for; at most `max_retry_wait_seconds`.
   */
  private backoffMs(backoffs: number, retryAfterRemainingMs: number): number {
    const { retryAfterMs: minimum, maxRetryWaitMs: cap } = this.settings;
    const exponential = Math.min(cap, BACKOFF_BASE_MS * 2 ** backoffs);
    const jittered = exponential / 2 + (this.options.random() * exponential) / 2;
    return Math.min(cap, Math.max(minimum, retryAfterRemainingMs, jittered));
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return (this.options.sleep ?? sleep)(ms, signal);
  }

  private fallbacksFor(model: string, kind: FailureKind, overrides?: RoutingOverrides): readonly string[] {
    switch (kind) {
      case 'context_window':
        return this.settings.contextWindowFallbacks[model] ?? [];
      case 'content_policy':
        return this.settings.contentPolicyFallbacks[model] ?? [];
      case 'fatal':
        return [];
      case 'retryable':
      case 'deployment':
        return overrides?.fallbacks ?? this.settings.fallbacks[model] ?? this.settings.defaultFallbacks;
    }
  }

  private candidateModels(model: string, isModelAllowed: (model: string) => boolean, overrides?: RoutingOverrides): string[] {
    const names = new Set([model]);
    for (const kind of ['retryable', 'context_window', 'content_policy'] as const) {
      for (const name of this.fallbacksFor(model, kind, overrides)) if (this.groups.has(name) && isModelAllowed(name)) names.add(name);
    }
    return [...names].filter((name) => this.groups.has(name));
  }

  /** Nothing was attempted: every deployment was at its own rate limit, or cooling down. */
  private nothingAvailable(candidates: readonly string[]): GatewayError {
    const now = this.options.clock.now();
    const ends = candidates
      .flatMap((name) => this.groups.get(name)!.deployments)
      .map((deployment) => this.options.cooldowns.coolingDownUntil(deployment.id))
      .filter((end): end is number => end !== undefined && end > now);
    const retryAfter = Math.max(1, Math.ceil(((ends.length > 0 ? Math.min(...ends) : now + 60_000 - (now % 60_000)) - now) / 1000));
    return new GatewayError({
      status: 429,
      message: `Every deployment of model "${candidates[0]}" is at its rate limit or cooling down. Retry in ${retryAfter} s.`,
      type: 'rate_limit_error',
      code: 'no_deployment_available',
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}
