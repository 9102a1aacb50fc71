import type { UsageRecord } from '../../functions/core/usage/usage-record.js';

let sequence = 0;

/** A complete, valid usage record (a served, non-streaming chat request); override what a test is about. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence += 1;
  return {
    v: 1,
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
    cached_prompt_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 150,
    estimated: false,
    latency_ms: 420,
    attempts: 1,
    fallback: false,
    tags: [],
    ...overrides,
  };
}
