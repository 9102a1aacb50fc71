import { describe, expect, it } from 'vitest';
import { MAX_METADATA_DEPTH } from '../../../functions/core/storable-metadata.js';
import { sanitizeUsageRecord } from '../../../functions/core/usage/sanitize-usage-record.js';
import { usageRecord } from '../../support/usage-records.js';

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { next: value };
  return value;
}

describe('sanitizeUsageRecord', () => {
  it('returns the record as it is and no changes when every value is storable', () => {
    const record = usageRecord({ end_user: 'alice', run_id: 'run-1', tags: ['a'], metadata: { feature: 'search', depth: nested(MAX_METADATA_DEPTH - 1) } });

    expect(sanitizeUsageRecord(record)).toEqual({ record, changes: [] });
  });

  it('drops the metadata and names it when it is deeper than 16 levels', () => {
    const { record, changes } = sanitizeUsageRecord(usageRecord({ metadata: nested(MAX_METADATA_DEPTH + 1) }));

    expect(record.metadata).toBeUndefined();
    expect(record.sanitized_fields).toEqual(['metadata']);
    expect(changes).toEqual([{ field: 'metadata', reason: 'deeper than 16 levels, dropped' }]);
  });

  it('drops the metadata without overflowing the stack when it is 100,000 levels deep', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as Record<string, unknown>;

    const { record } = sanitizeUsageRecord(usageRecord({ metadata: deep }));

    expect(record.metadata).toBeUndefined();
  });

  it('drops the metadata when it is over 64 KB as JSON', () => {
    const { record, changes } = sanitizeUsageRecord(usageRecord({ metadata: { blob: 'x'.repeat(70_000) } }));

    expect(record.metadata).toBeUndefined();
    expect(changes[0]?.reason).toBe('over 65536 bytes as JSON, dropped');
  });

  it('removes __proto__ and empty keys and keeps the rest when the metadata has them', () => {
    const metadata = JSON.parse('{"__proto__": {"admin": true}, "": 1, "feature": "search", "inner": {"__proto__": 2, "k": 3}}');

    const { record } = sanitizeUsageRecord(usageRecord({ metadata }));

    expect(JSON.stringify(record.metadata)).toBe('{"feature":"search","inner":{"k":3}}');
    expect(Object.getPrototypeOf(record.metadata)).toBe(Object.prototype);
  });

  it("keeps a number as its text when it lies outside DynamoDB's range", () => {
    const { record } = sanitizeUsageRecord(usageRecord({ metadata: { big: 1e300, tiny: -5e-324, fine: 1e125, zero: 0 } }));

    expect(record.metadata).toEqual({ big: '1e+300', tiny: '-5e-324', fine: 1e125, zero: 0 });
  });

  it('keeps the first 64 tags, each within 256 bytes, when a record has more and longer ones', () => {
    const { record } = sanitizeUsageRecord(usageRecord({ tags: Array.from({ length: 100 }, (_, index) => `${index}-${'t'.repeat(500)}`) }));

    expect(record.tags).toHaveLength(64);
    expect(record.tags.every((tag) => Buffer.byteLength(tag) <= 256)).toBe(true);
    expect(record.sanitized_fields).toEqual(['tags']);
  });

  it('removes an empty run id, which names no run', () => {
    const { record } = sanitizeUsageRecord(usageRecord({ run_id: '' }));

    expect('run_id' in record).toBe(false);
  });

  it('changes nothing more when a sanitised record is sanitised again', () => {
    const once = sanitizeUsageRecord(usageRecord({ end_user: 'e'.repeat(900), metadata: JSON.parse('{"__proto__":1,"n":1e300}'), tags: ['x'.repeat(300)] })).record;

    expect(sanitizeUsageRecord(once)).toEqual({ record: once, changes: [] });
  });
});
