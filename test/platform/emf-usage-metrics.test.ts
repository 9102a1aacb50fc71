import { describe, expect, it } from 'vitest';
import type { UsageRecord, UsageSink } from '../../functions/core/usage/usage-record.js';
import { DEFAULT_METRICS_NAMESPACE, withEmfMetrics } from '../../functions/platform/emf-usage-metrics.js';
import { usageRecord } from '../support/usage-records.js';

const NOW = Date.parse('2026-11-23T12:00:06.000Z');

interface MetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit: string }>;
}

interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: MetricDirective[] };
  [key: string]: unknown;
}

function recordingSink(): UsageSink & { records: UsageRecord[] } {
  const records: UsageRecord[] = [];
  return { records, record: async (record) => void records.push(record) };
}

/** Sends one record through the decorator; returns the lines written and what reached the inner sink. */
async function emit(record: UsageRecord, namespace?: string): Promise<{ lines: string[]; documents: EmfDocument[]; forwarded: UsageRecord[] }> {
  const lines: string[] = [];
  const inner = recordingSink();
  const sink = withEmfMetrics(inner, (line) => lines.push(line), { now: () => NOW, ...(namespace === undefined ? {} : { namespace }) });

  await sink.record(record);

  return { lines, documents: lines.map((line) => JSON.parse(line) as EmfDocument), forwarded: inner.records };
}

function metricNames(document: EmfDocument, directiveIndex: number): string[] {
  return document._aws.CloudWatchMetrics[directiveIndex]!.Metrics.map((metric) => metric.Name);
}

describe('withEmfMetrics', () => {
  it('writes exactly one newline-terminated JSON line per record', async () => {
    const { lines } = await emit(usageRecord());

    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain('\n');
  });

  it('hands the very same record to the inner sink after writing the line', async () => {
    const record = usageRecord();

    const { forwarded } = await emit(record);

    expect(forwarded).toEqual([record]);
  });

  it('writes a valid EMF metadata object: a millisecond timestamp and directives with namespace, dimension sets and unit-bearing metrics', async () => {
    const { documents } = await emit(usageRecord());

    const document = documents[0]!;
    expect(document._aws.Timestamp).toBe(NOW);
    expect(document._aws.CloudWatchMetrics.length).toBeGreaterThan(0);
    for (const directive of document._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(DEFAULT_METRICS_NAMESPACE);
      expect(Array.isArray(directive.Dimensions)).toBe(true);
      for (const dimensionSet of directive.Dimensions) {
        expect(dimensionSet.length).toBeLessThanOrEqual(30);
        for (const dimension of dimensionSet) expect(typeof document[dimension]).toBe('string');
      }
      expect(directive.Metrics.length).toBeGreaterThan(0);
      expect(directive.Metrics.length).toBeLessThanOrEqual(100);
      for (const metric of directive.Metrics) {
        expect(['Count', 'Milliseconds', 'None']).toContain(metric.Unit);
        expect(typeof document[metric.Name]).toBe('number');
      }
    }
  });

  it('publishes every metric per deployment and per model, and only requests and cost per tenant', async () => {
    const { documents } = await emit(usageRecord({ stream: true, ttft_ms: 180 }));

    const [all, perTenant] = documents[0]!._aws.CloudWatchMetrics;
    expect(all?.Dimensions).toEqual([[], ['model']]);
    expect(metricNames(documents[0]!, 0).sort()).toEqual([
      'Attempts', 'CompletionTokens', 'CostUsd', 'Errors4xx', 'Errors5xx', 'Fallbacks', 'LatencyMs', 'PromptTokens', 'Requests', 'TimeToFirstTokenMs',
    ]);
    expect(perTenant?.Dimensions).toEqual([['tenant']]);
    expect(metricNames(documents[0]!, 1)).toEqual(['Requests', 'CostUsd']);
  });

  it('puts the values at the top level: one request, tokens, latency, attempts and the cost in USD', async () => {
    const record = usageRecord({ prompt_tokens: 12, completion_tokens: 34, latency_ms: 420, cost_picos: 2_500_000_000, attempts: 2, fallback: true });

    const { documents } = await emit(record);

    expect(documents[0]).toMatchObject({
      Requests: 1,
      PromptTokens: 12,
      CompletionTokens: 34,
      LatencyMs: 420,
      CostUsd: 0.0025,
      Attempts: 2,
      Fallbacks: 1,
      Errors4xx: 0,
      Errors5xx: 0,
      model: 'gpt-4o-mini',
      tenant: 'acme',
    });
  });

  it.each([
    { status: 200, errors4xx: 0, errors5xx: 0 },
    { status: 429, errors4xx: 1, errors5xx: 0 },
    { status: 404, errors4xx: 1, errors5xx: 0 },
    { status: 502, errors4xx: 0, errors5xx: 1 },
    { status: 504, errors4xx: 0, errors5xx: 1 },
  ])('counts status $status as $errors4xx 4xx and $errors5xx 5xx errors', async ({ status, errors4xx, errors5xx }) => {
    const { documents } = await emit(usageRecord({ status, ...(status >= 400 ? { error_code: 'some_code' } : {}) }));

    expect(documents[0]).toMatchObject({ Errors4xx: errors4xx, Errors5xx: errors5xx, status });
  });

  it('reports time to first token for a stream that has one', async () => {
    const { documents } = await emit(usageRecord({ stream: true, ttft_ms: 180 }));

    expect(documents[0]?.['TimeToFirstTokenMs']).toBe(180);
  });

  it('leaves time to first token out of the values and the metric list when the request was not streamed', async () => {
    const { documents } = await emit(usageRecord({ stream: false, ttft_ms: 180 }));

    expect(documents[0]).not.toHaveProperty('TimeToFirstTokenMs');
    expect(metricNames(documents[0]!, 0)).not.toContain('TimeToFirstTokenMs');
  });

  it('leaves time to first token out when a stream never sent a byte', async () => {
    const { documents } = await emit(usageRecord({ stream: true }));

    expect(metricNames(documents[0]!, 0)).not.toContain('TimeToFirstTokenMs');
  });

  it('uses the namespace it is given', async () => {
    const { documents } = await emit(usageRecord(), 'LlmGateway/prod');

    expect(documents[0]!._aws.CloudWatchMetrics.map((directive) => directive.Namespace)).toEqual(['LlmGateway/prod', 'LlmGateway/prod']);
  });

  it('names the model and tenant "unknown" when they are empty, so every dimension has a value', async () => {
    const { documents } = await emit(usageRecord({ model: '', tenant_id: '' }));

    expect(documents[0]).toMatchObject({ model: 'unknown', tenant: 'unknown' });
  });

  it('writes neither metadata, tags, the end user, trace ids nor the key id', async () => {
    const record = usageRecord({
      end_user: 'alice@example.com',
      metadata: { prompt_hint: 'SECRET-PROMPT-TEXT' },
      tags: ['team-secret-tag'],
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      run_id: 'run-private',
      key_id: 'key-private-id',
    });

    const { lines } = await emit(record);

    for (const text of ['alice@example.com', 'SECRET-PROMPT-TEXT', 'team-secret-tag', '0af7651916cd43dd8448eb211c80319c', 'run-private', 'key-private-id']) {
      expect(lines[0]).not.toContain(text);
    }
  });

  it('still hands the record over when writing the line throws', async () => {
    const inner = recordingSink();
    const sink = withEmfMetrics(inner, () => {
      throw new Error('stdout closed');
    });
    const record = usageRecord();

    await sink.record(record);

    expect(inner.records).toEqual([record]);
  });

  it('does not throw when a record has missing numbers, and writes zeros for them', async () => {
    const record = { ...usageRecord(), latency_ms: undefined, cost_picos: Number.NaN } as unknown as UsageRecord;

    const { documents, forwarded } = await emit(record);

    expect(documents[0]).toMatchObject({ LatencyMs: 0, CostUsd: 0 });
    expect(forwarded).toHaveLength(1);
  });
});
