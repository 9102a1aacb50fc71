import { describe, expect, it } from 'vitest';
import { parseUsageRecord } from '../../../functions/core/usage/parse-usage-record.js';
import type { UsageRecord } from '../../../functions/core/usage/usage-record.js';

const VALID: UsageRecord = {
  v: 2,
  request_id: 'req-1',
  timestamp: '2026-11-23T12:00:05.123Z',
  tenant_id: 'acme',
  key_id: 'key-1',
  end_user: 'alice',
  model: 'gpt-4o-mini',
  provider: 'openai',
  upstream_model: 'gpt-4o-mini-2024-07-18',
  deployment: 'model_list[0]',
  operation: 'chat',
  status: 200,
  stream: true,
  prompt_tokens: 10,
  completion_tokens: 20,
  cache_read_tokens: 4,
  cache_write_tokens: 2,
  cache_write_1h_tokens: 1,
  reasoning_tokens: 0,
  cost_picos: 150_000_200,
  cost_usd: 0.0001500002,
  estimated: false,
  latency_ms: 420.5,
  ttft_ms: 80,
  attempts: 1,
  fallback: false,
  tags: ['a', 'b'],
  metadata: { feature: 'search', nested: { n: 1 } },
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  run_id: 'run-7',
};

function without(...names: (keyof UsageRecord)[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...VALID };
  for (const name of names) delete copy[name];
  return copy;
}

describe('parseUsageRecord', () => {
  it('returns the record unchanged when every field is valid', () => {
    expect(parseUsageRecord(JSON.parse(JSON.stringify(VALID)))).toEqual({ ok: true, record: VALID });
  });

  it('accepts a record without the optional fields', () => {
    const minimal = without('end_user', 'error_code', 'ttft_ms', 'metadata', 'traceparent', 'trace_id', 'run_id');

    expect(parseUsageRecord(minimal)).toEqual({ ok: true, record: minimal });
  });

  it('leaves out optional fields given as null', () => {
    const result = parseUsageRecord({ ...VALID, end_user: null, run_id: null });

    expect(result).toEqual({ ok: true, record: without('end_user', 'run_id') });
  });

  it('drops fields the contract does not know', () => {
    const result = parseUsageRecord({ ...VALID, surprise: 'x' });

    expect(result).toEqual({ ok: true, record: VALID });
  });

  it.each([
    ['not an object', [], 'the record must be a JSON object'],
    ['another version', { ...VALID, v: 3 }, 'v: must be 1 or 2'],
    ['a missing request id', without('request_id'), 'request_id: missing'],
    ['negative tokens', { ...VALID, prompt_tokens: -1 }, 'prompt_tokens: must be a non-negative integer'],
    ['fractional cost', { ...VALID, cost_picos: 1.5 }, 'cost_picos: must be a non-negative integer'],
    ['tokens as a string', { ...VALID, completion_tokens: '20' }, 'completion_tokens: must be a non-negative integer'],
    ['a local timestamp', { ...VALID, timestamp: '2026-11-23T12:00:05+01:00' }, 'timestamp: must be an ISO-8601 UTC timestamp'],
    ['an impossible date', { ...VALID, timestamp: '2026-02-30T12:00:05Z' }, 'timestamp: must be an ISO-8601 UTC timestamp'],
    ['an unknown operation', { ...VALID, operation: 'images' }, 'operation: must be "chat", "embeddings" or "responses"'],
    ['a status out of range', { ...VALID, status: 99 }, 'status: must be an HTTP status'],
  ])('reports the problem when the record has %s', (_case, value, problem) => {
    const result = parseUsageRecord(value);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(problem);
  });

  it.each([
    ['tags', { tags: ['a', 1] }, { tags: ['a'] }],
    ['metadata', { metadata: [] }, { metadata: undefined }],
    ['end_user', { end_user: 42 }, { end_user: undefined }],
    ['run_id', { run_id: { id: 'r' } }, { run_id: undefined }],
    ['run_id', { run_id: '' }, { run_id: undefined }],
  ])("removes the client's %s and flags it when its value is of the wrong kind", (field, overrides, expected) => {
    const result = parseUsageRecord({ ...VALID, ...overrides });

    expect(result).toEqual({
      ok: true,
      record: { ...VALID, ...expected, sanitized_fields: [field] },
      sanitized: [{ field, reason: expect.any(String) }],
    });
  });

  it('bounds a 2 KB run id and a 1.5 KB end user instead of refusing the record', () => {
    const result = parseUsageRecord({ ...VALID, run_id: 'r'.repeat(2048), end_user: 'é'.repeat(768) });

    expect(result.ok).toBe(true);
    const record = result.ok ? result.record : VALID;
    expect([Buffer.byteLength(record.run_id ?? ''), Buffer.byteLength(record.end_user ?? '')].every((bytes) => bytes <= 256)).toBe(true);
    expect(record.sanitized_fields).toEqual(['end_user', 'run_id']);
  });

  it('names every invalid field in one problem', () => {
    const result = parseUsageRecord({ ...without('model'), stream: 'yes' });

    expect(result).toEqual({ ok: false, problem: 'model: missing; stream: must be a boolean' });
  });

  it('never quotes the invalid value in the problem', () => {
    const result = parseUsageRecord({ ...VALID, end_user: { email: 'alice@example.com' }, status: 'top-secret' });

    expect(result.ok ? '' : result.problem).not.toMatch(/alice|top-secret/);
  });

  it('reads a version-1 record in version 2 fields when it carries cached_prompt_tokens and cost_micros', () => {
    const { cache_read_tokens: _reads, cache_write_tokens: _writes, cache_write_1h_tokens: _writes1h, cost_picos: _picos, cost_usd: _usd, ...rest } = VALID;
    const version1 = { ...rest, v: 1, cached_prompt_tokens: 4, cost_micros: 150 };

    const result = parseUsageRecord(version1);

    expect(result).toEqual({
      ok: true,
      record: { ...VALID, cache_read_tokens: 4, cache_write_tokens: 0, cache_write_1h_tokens: 0, cost_picos: 150_000_000, cost_usd: 0.00015 },
    });
  });

  it('derives cost_usd from cost_picos when the record states another figure', () => {
    const result = parseUsageRecord({ ...VALID, cost_usd: 99 });

    expect(result.ok && result.record.cost_usd).toBe(0.0001500002);
  });
});
