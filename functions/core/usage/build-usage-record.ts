import type { Principal } from '../auth/key-store.js';
import type { RecordedUsage, RequestOutcome } from '../gateway/gateway-context.js';
import { costPicos, picosToUsd, pricingFor, promptParts } from '../pricing/cost.js';
import type { HeaderAttribution } from '../gateway/request-attribution.js';
import { MASTER_SCOPE, type UsageRecord } from './usage-record.js';

const ZERO_USAGE: RecordedUsage = { promptTokens: 0, completionTokens: 0, estimated: false };

export interface UsageRecordInput {
  /** The gateway's own id. */
  requestId: string;
  /** The client's `x-request-id`, for correlation. */
  clientRequestId?: string;
  startedAtMs: number;
  finishedAtMs: number;
  firstByteAtMs?: number;
  principal: Principal;
  endUser?: string;
  outcome: RequestOutcome & { deployment: NonNullable<RequestOutcome['deployment']> };
  status: number;
  errorCode?: string;
  /** Run, trace and traceparent as the client sent them, already bounded at the edge. */
  attribution?: HeaderAttribution;
}

/** The usage record of one request that reached admission, from what the pipeline saw. */
export function buildUsageRecord(input: UsageRecordInput): UsageRecord {
  const { outcome, principal } = input;
  const deployment = outcome.deployment;
  const usage = outcome.usage ?? outcome.streamUsage?.() ?? ZERO_USAGE;
  const pricing = pricingFor(deployment);
  const cost = costPicos(usage, pricing);
  const parts = promptParts(usage);
  const attribution = input.attribution;
  const record: UsageRecord = {
    v: 2,
    request_id: input.requestId,
    timestamp: new Date(input.startedAtMs).toISOString(),
    tenant_id: principal.kind === 'virtual' ? principal.tenant.id : MASTER_SCOPE,
    key_id: principal.kind === 'virtual' ? principal.key.id : MASTER_SCOPE,
    model: deployment.modelName,
    provider: deployment.provider,
    upstream_model: deployment.upstreamModel,
    deployment: deployment.id,
    operation: outcome.operation ?? 'chat',
    status: input.status,
    stream: outcome.stream === true,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    cache_read_tokens: parts.cacheRead,
    cache_write_tokens: parts.cacheWrite5m + parts.cacheWrite1h,
    cache_write_1h_tokens: parts.cacheWrite1h,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    cost_picos: Number(cost),
    cost_usd: picosToUsd(cost),
    estimated: usage.estimated,
    latency_ms: Math.max(0, input.finishedAtMs - input.startedAtMs),
    attempts: outcome.attempts.length,
    fallback: outcome.requestedModel !== undefined && outcome.requestedModel !== deployment.modelName,
    tags: outcome.tags,
  };
  if (record.fallback) record.requested_model = outcome.requestedModel;
  if (outcome.attempts.length > 0) {
    record.attempt_log = outcome.attempts.map((attempt) => ({
      model: attempt.model,
      deployment: attempt.deployment,
      provider: attempt.provider,
      status: attempt.status,
      latency_ms: attempt.latencyMs,
      ...(attempt.errorCode === undefined ? {} : { error_code: attempt.errorCode }),
    }));
  }
  const errorCode = input.errorCode ?? outcome.streamErrorCode;
  if (errorCode !== undefined) record.error_code = errorCode;
  if (input.endUser !== undefined) record.end_user = input.endUser;
  if (outcome.stream && input.firstByteAtMs !== undefined) record.ttft_ms = Math.max(0, input.firstByteAtMs - input.startedAtMs);
  if (outcome.metadata !== undefined) record.metadata = outcome.metadata;
  if (input.clientRequestId !== undefined) record.client_request_id = input.clientRequestId;
  if (usage.rejectedUpstreamUsage) record.upstream_usage_rejected = true;
  if (!pricing.known) record.unpriced = true;
  if (attribution?.traceparent !== undefined) {
    record.traceparent = attribution.traceparent;
    // W3C trace context: version-traceid-parentid-flags.
    record.trace_id = attribution.traceparent.split('-')[1]!;
  }
  if (attribution?.traceId !== undefined) record.trace_id = attribution.traceId;
  if (attribution?.runId !== undefined) record.run_id = attribution.runId;
  return record;
}
