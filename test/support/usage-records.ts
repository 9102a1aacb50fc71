import type { UsageRecord } from '../../functions/core/usage/usage-record.js';

let sequence = 0;

/** A complete, valid usage record (a served, non-streaming chat request); override what a test is about. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence += 1;
  const record: UsageRecord = {
    v: 2,
    request_id: `request-${sequence}`,
    timestamp: '2026-11-23T12:00:05.000Z',
    tenant_id: 'acme',
    key_id: 'key-1',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstream_model: 'gpt-4o-mini',
    deployment: 'model_list[0]',
    operation: 'chat',
    status: 200,
    stream: false,
    prompt_tokens: 10,
    completion_tokens: 20,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    cost_picos: 150_000_000,
    cost_usd: 0.00015,
    estimated: false,
    latency_ms: 420,
    attempts: 1,
    fallback: false,
    tags: [],
    ...overrides,
  };
  // The derived USD figure follows the exact cost a test set, unless the test is about it.
  if (overrides.cost_usd === undefined) record.cost_usd = record.cost_picos / 1e12;
  return record;
}
