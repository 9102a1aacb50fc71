import type { UsageRecord, UsageSink } from '../core/usage/usage-record.js';

/**
 * CloudWatch metrics from usage records, through the Embedded Metric Format: one JSON line per
 * record on stdout, which CloudWatch Logs turns into metrics (no PutMetricData call, nothing
 * on the request path). Specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** @default namespace of the metrics; the stack sets one per deployment (`METRICS_NAMESPACE`). */
export const DEFAULT_METRICS_NAMESPACE = 'LlmGateway';

/** The metric names, shared with the stack's alarms and dashboard (lib/gateway-monitoring.ts). */
export const USAGE_METRICS = {
  requests: 'Requests',
  errors4xx: 'Errors4xx',
  errors5xx: 'Errors5xx',
  latency: 'LatencyMs',
  timeToFirstToken: 'TimeToFirstTokenMs',
  promptTokens: 'PromptTokens',
  completionTokens: 'CompletionTokens',
  cost: 'CostUsd',
  attempts: 'Attempts',
  fallbacks: 'Fallbacks',
} as const;

/** Dimension names: the public model name (bounded by the config) and the tenant (bounded by the tenants created). */
export const USAGE_DIMENSIONS = { model: 'model', tenant: 'tenant' } as const;

type MetricName = (typeof USAGE_METRICS)[keyof typeof USAGE_METRICS];
type Unit = 'Count' | 'Milliseconds' | 'None';

const UNITS: Record<MetricName, Unit> = {
  Requests: 'Count',
  Errors4xx: 'Count',
  Errors5xx: 'Count',
  LatencyMs: 'Milliseconds',
  TimeToFirstTokenMs: 'Milliseconds',
  PromptTokens: 'Count',
  CompletionTokens: 'Count',
  CostUsd: 'None',
  Attempts: 'Count',
  Fallbacks: 'Count',
};

/**
 * Every metric per deployment ([]) and per model; per tenant only requests and cost, so the
 * number of custom metrics (each billed monthly) grows by 2 per tenant, not by 10.
 */
const ALL_METRICS: readonly MetricName[] = Object.values(USAGE_METRICS);
const TENANT_METRICS: readonly MetricName[] = [USAGE_METRICS.requests, USAGE_METRICS.cost];

/** CloudWatch's limit on a dimension value's length. */
const MAX_DIMENSION_VALUE_LENGTH = 1024;

export interface EmfMetricsOptions {
  /** CloudWatch namespace. @default DEFAULT_METRICS_NAMESPACE */
  readonly namespace?: string;
  /** Milliseconds since the epoch, for `_aws.Timestamp`. @default Date.now */
  readonly now?: () => number;
}

/**
 * A UsageSink that writes one EMF line for each record (requests, 4xx and 5xx errors,
 * latency, time to first token for streams, tokens, cost in USD, attempts, fallbacks; by
 * model and by tenant) and then hands the record to `inner`. It never throws and never
 * delays the record: a line that cannot be built or written is skipped. The line carries
 * counts, durations and identifiers only — never the prompt, the completion, metadata,
 * tags, the end user or a key.
 */
export function withEmfMetrics(inner: UsageSink, write: (line: string) => void, options: EmfMetricsOptions = {}): UsageSink {
  const namespace = options.namespace || DEFAULT_METRICS_NAMESPACE;
  const now = options.now ?? Date.now;
  return {
    record(record: UsageRecord): Promise<void> {
      try {
        write(`${JSON.stringify(usageMetricsDocument(record, namespace, now()))}\n`);
      } catch {
        // Metrics are best effort; the record itself must still be handed over.
      }
      return inner.record(record);
    },
  };
}

/** The EMF document for one usage record (exported for tests and tools). */
export function usageMetricsDocument(record: UsageRecord, namespace: string, timestamp: number): Record<string, unknown> {
  const values: Partial<Record<MetricName, number>> = {
    Requests: 1,
    Errors4xx: record.status >= 400 && record.status < 500 ? 1 : 0,
    Errors5xx: record.status >= 500 ? 1 : 0,
    LatencyMs: finite(record.latency_ms),
    PromptTokens: finite(record.prompt_tokens),
    CompletionTokens: finite(record.completion_tokens),
    CostUsd: finite(record.cost_picos) / 1e12,
    Attempts: finite(record.attempts),
    Fallbacks: record.fallback ? 1 : 0,
  };
  if (record.stream && typeof record.ttft_ms === 'number' && Number.isFinite(record.ttft_ms)) {
    values.TimeToFirstTokenMs = record.ttft_ms;
  }
  const present = (names: readonly MetricName[]) =>
    names.filter((name) => values[name] !== undefined).map((name) => ({ Name: name, Unit: UNITS[name] }));

  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [[], [USAGE_DIMENSIONS.model]], Metrics: present(ALL_METRICS) },
        { Namespace: namespace, Dimensions: [[USAGE_DIMENSIONS.tenant]], Metrics: present(TENANT_METRICS) },
      ],
    },
    // Not metrics: fields to find the line by in CloudWatch Logs Insights.
    event: 'usage.metrics',
    requestId: record.request_id,
    status: record.status,
    ...(record.error_code === undefined ? {} : { errorCode: record.error_code }),
    stream: record.stream,
    [USAGE_DIMENSIONS.model]: dimensionValue(record.model),
    [USAGE_DIMENSIONS.tenant]: dimensionValue(record.tenant_id),
    ...values,
  };
}

function finite(value: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Dimension values must be non-empty strings of at most 1024 characters. */
function dimensionValue(value: string): string {
  if (typeof value !== 'string' || value === '') return 'unknown';
  return value.length > MAX_DIMENSION_VALUE_LENGTH ? value.slice(0, MAX_DIMENSION_VALUE_LENGTH) : value;
}
