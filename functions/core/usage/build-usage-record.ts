import type { Principal } from '../auth/key-store.js';
import type { RecordedUsage, RequestOutcome } from '../gateway/gateway-context.js';
import { costMicros, pricingFor } from '../pricing/cost.js';
import { MASTER_SCOPE, type UsageRecord } from './usage-record.js';

const ZERO_USAGE: RecordedUsage = { promptTokens: 0, completionTokens: 0, estimated: false };

export interface UsageRecordInput {
  requestId: string;
  startedAtMs: number;
  finishedAtMs: number;
  firstByteAtMs?: number;
  principal: Principal;
  endUser?: string;
  outcome: RequestOutcome & { deployment: NonNullable<RequestOutcome['deployment']> };
  status: number;
  errorCode?: string;
  headers: Readonly<Record<string, string | undefined>>;
}

/** The usage record of one request that reached admission, from what the pipeline saw. */
export function buildUsageRecord(input: UsageRecordInput): UsageRecord {
  const { outcome, principal } = input;
  const deployment = outcome.deployment;
  const usage = outcome.usage ?? outcome.streamUsage?.() ?? ZERO_USAGE;
  const pricing = pricingFor(deployment);
  const traceparent = input.headers['traceparent'];
  const record: UsageRecord = {
    v: 1,
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
    cached_prompt_tokens: usage.cachedPromptTokens ?? 0,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    cost_micros: costMicros(usage, pricing),
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
  if (traceparent !== undefined) {
    record.traceparent = traceparent;
    // W3C trace context: version-traceid-parentid-flags.
    const traceId = traceparent.split('-')[1];
    if (traceId) record.trace_id = traceId;
  }
  const traceId = input.headers['x-trace-id'];
  if (traceId !== undefined) record.trace_id = traceId;
  const runId = input.headers['x-run-id'];
  if (runId !== undefined && runId !== '') record.run_id = runId;
  return record;
}

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;

/** Tags from `x-gateway-tags: a,b` and the body's `metadata.tags` (string or list), de-duplicated and bounded. */
export function collectTags(header: string | undefined, metadata: unknown): string[] {
  const fromHeader = header === undefined ? [] : header.split(',');
  const bodyTags = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['tags'] : undefined;
  const fromBody = typeof bodyTags === 'string' ? bodyTags.split(',') : Array.isArray(bodyTags) ? bodyTags.filter((tag): tag is string => typeof tag === 'string') : [];
  const tags = [...fromHeader, ...fromBody].map((tag) => tag.trim().slice(0, MAX_TAG_LENGTH)).filter((tag) => tag !== '');
  return [...new Set(tags)].slice(0, MAX_TAGS);
}
