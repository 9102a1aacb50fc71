import { beforeEach, describe, expect, it } from 'vitest';
import { createAdminHandler } from '../../../functions/core/admin/admin-handler.js';
import type { UsageQueryStore } from '../../../functions/core/usage/usage-query-store.js';
import {
  formatCsv,
  MAX_RAW_ITEMS_READ_PER_PAGE,
  USAGE_RECORD_CSV_COLUMNS,
  usageRecordsToCsv,
} from '../../../functions/core/usage/usage-queries.js';
import type { UsageRecord } from '../../../functions/core/usage/usage-record.js';
import type { TenancyStore } from '../../../functions/core/tenancy/tenancy-store.js';
import { createInMemoryTenancyStore } from '../admin/in-memory-tenancy-store.js';
import { createInMemoryUsageQueryStore, usageRecord } from './in-memory-usage-query-store.js';

const NOW = Date.parse('2026-11-08T12:30:00.000Z');

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

function createHarness(options: { usage?: UsageQueryStore | null } = {}) {
  const usage = createInMemoryUsageQueryStore();
  const tenancy: TenancyStore = createInMemoryTenancyStore();
  const handle = createAdminHandler({
    store: tenancy,
    ...(options.usage === null ? {} : { usage: options.usage ?? usage }),
    clock: { now: () => NOW },
    ids: { next: () => 'id' },
    randomSecret: () => 'A'.repeat(43),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  async function get(path: string, query = '', headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
    const response = await handle({ method, path, query, headers, body: new Uint8Array(), signal: new AbortController().signal });
    const text = response.body as string;
    const json = response.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, text, body: json };
  }
  return { usage, tenancy, get };
}

function expectBadParameter(answer: Answer, param: string): void {
  expect(answer.status).toBe(400);
  expect(answer.body.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code: null });
}

const ZERO = numbers({ cost_usd: 0 });

/** A total or row as the API answers it: every count (0 unless given) and the exact cost in pico-dollars and USD. */
function numbers(given: Record<string, number>): Record<string, number | string> {
  const counts = { requests: 0, errors: 0, unpriced_requests: 0, prompt_tokens: 0, completion_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 };
  const usd = given['cost_usd'] ?? 0;
  return { ...counts, ...given, cost_picos: String(BigInt(Math.round(usd * 1e6)) * 1_000_000n), cost_usd: usd };
}

/** Three acme requests over two days, one of beta's, one of the master key. */
function seed(usage: ReturnType<typeof createInMemoryUsageQueryStore>): Record<string, UsageRecord> {
  const records = {
    r1: usageRecord({ timestamp: '2026-11-02T10:00:00.000Z', key_id: 'key_a', model: 'gpt-4o-mini', end_user: 'alice', cost_picos: 1_234_567_000_000, run_id: 'run_1' }),
    r2: usageRecord({ timestamp: '2026-11-02T11:15:00.000Z', key_id: 'key_b', model: 'gpt-4o', end_user: 'bob', status: 429, error_code: 'rate_limit_exceeded', prompt_tokens: 0, completion_tokens: 0, cost_picos: 0 }),
    r3: usageRecord({ timestamp: '2026-11-03T09:00:00.000Z', key_id: 'key_a', model: 'gpt-4o', cost_picos: 1_000_000, cache_read_tokens: 10, reasoning_tokens: 5, run_id: 'run_1' }),
    r4: usageRecord({ timestamp: '2026-11-03T09:30:00.000Z', tenant_id: 'beta', key_id: 'key_c', model: 'gpt-4o-mini', cost_picos: 500_000_000 }),
    r5: usageRecord({ timestamp: '2026-11-05T00:00:00.000Z', tenant_id: 'master', key_id: 'master', model: 'demo', cost_picos: 0 }),
  };
  usage.add(...Object.values(records));
  return records;
}

describe('GET /admin/usage', () => {
  let harness: ReturnType<typeof createHarness>;

  beforeEach(() => {
    harness = createHarness();
    seed(harness.usage);
  });

  it('sums a tenant by day from its tenant-day roll-ups when group_by is day', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2026-11-01&to=2026-11-07&group_by=day');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      from: '2026-11-01',
      to: '2026-11-07',
      group_by: 'day',
      totals: numbers({ requests: 3, errors: 1, prompt_tokens: 200, completion_tokens: 100, cache_read_tokens: 10, reasoning_tokens: 5, cost_usd: 1.234568 }),
      rows: [
        { day: '2026-11-02', ...numbers({ requests: 2, errors: 1, prompt_tokens: 100, completion_tokens: 50, cache_read_tokens: 0, reasoning_tokens: 0, cost_usd: 1.234567 }) },
        { day: '2026-11-03', ...numbers({ requests: 1, errors: 0, prompt_tokens: 100, completion_tokens: 50, cache_read_tokens: 10, reasoning_tokens: 5, cost_usd: 0.000001 }) },
      ],
    });
    expect(harness.usage.calls).toEqual([{ method: 'queryRollups', partition: 'ROLLUP#tenant-day#acme', fromSk: '2026-11-01', toSk: '2026-11-07' }]);
  });

  it('sums a tenant by hour from its tenant-hour roll-ups when group_by is hour', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2026-11-02T10:30:00Z&to=2026-11-03&group_by=hour');

    expect(answer.body.from).toBe('2026-11-02T10:00:00Z');
    expect(answer.body.to).toBe('2026-11-03T23:00:00Z');
    expect(answer.body.rows.map((row: any) => [row.hour, row.requests])).toEqual([
      ['2026-11-02T10:00:00Z', 1],
      ['2026-11-02T11:00:00Z', 1],
      ['2026-11-03T09:00:00Z', 1],
    ]);
    expect(harness.usage.calls[0]).toMatchObject({ partition: 'ROLLUP#tenant-hour#acme', fromSk: '2026-11-02T10', toSk: '2026-11-03T23' });
  });

  it('ranks models by cost from tenant-model-day when group_by is model', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2026-11-01&group_by=model');

    expect(answer.body.rows.map((row: any) => [row.model, row.requests, row.cost_usd])).toEqual([
      ['gpt-4o-mini', 1, 1.234567],
      ['gpt-4o', 2, 0.000001],
    ]);
    expect(harness.usage.calls[0]).toMatchObject({ partition: 'ROLLUP#tenant-model-day#acme', fromSk: '2026-11-01#', toSk: '2026-11-08$' });
  });

  it('groups a tenant by key from tenant-key-day when group_by is key', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2026-11-01&group_by=key');

    expect(answer.body.rows.map((row: any) => [row.key_id, row.requests, row.errors])).toEqual([
      ['key_a', 2, 0],
      ['key_b', 1, 1],
    ]);
    expect(harness.usage.calls[0]?.partition).toBe('ROLLUP#tenant-key-day#acme');
  });

  it('groups a tenant by end user, leaving out requests without one, when group_by is end_user', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2026-11-01&group_by=end_user');

    expect(answer.body.rows.map((row: any) => [row.end_user, row.requests])).toEqual([
      ['alice', 1],
      ['bob', 1],
    ]);
    expect(answer.body.totals.requests).toBe(2);
    expect(harness.usage.calls[0]?.partition).toBe('ROLLUP#tenant-enduser-day#acme');
  });

  it('keeps only the model when a tenant is filtered by model', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&model=gpt-4o&from=2026-11-01');

    expect(answer.body.rows.map((row: any) => [row.day, row.requests])).toEqual([
      ['2026-11-02', 1],
      ['2026-11-03', 1],
    ]);
    expect(harness.usage.calls[0]?.partition).toBe('ROLLUP#tenant-model-day#acme');
  });

  it('reads global-model-day when a model is asked for without a tenant', async () => {
    const answer = await harness.get('/admin/usage', 'model=gpt-4o-mini&from=2026-11-01&group_by=model');

    expect(answer.body.rows).toEqual([{ model: 'gpt-4o-mini', ...numbers({ requests: 2, prompt_tokens: 200, completion_tokens: 100, cost_usd: 1.235067 }) }]);
    expect(harness.usage.calls[0]?.partition).toBe('ROLLUP#global-model-day#all');
  });

  it('reads the key-day roll-up when a key is asked for', async () => {
    const answer = await harness.get('/admin/usage', 'key_id=key_a&from=2026-11-01');

    expect(answer.body.totals).toMatchObject({ requests: 2, cost_usd: 1.234568 });
    expect(harness.usage.calls[0]?.partition).toBe('ROLLUP#key-day#key_a');
  });

  it('counts nothing when the key belongs to another tenant than tenant_id', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=beta&key_id=key_a&from=2026-11-01');

    expect(answer.body.totals).toEqual(ZERO);
    expect(answer.body.rows).toEqual([]);
  });

  it('keeps only the end user when a tenant is filtered by end_user', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&end_user=bob&from=2026-11-01');

    expect(answer.body.rows).toEqual([expect.objectContaining({ day: '2026-11-02', ...numbers({ requests: 1, errors: 1 }) })]);
  });

  it.each([
    ['day', 'ROLLUP#global-day#all', 3 + 1 + 1],
    ['hour', 'ROLLUP#global-hour#all', 5],
    ['model', 'ROLLUP#global-model-day#all', 5],
  ])('reads one global partition when group_by is %s without a tenant', async (groupBy, partition, requests) => {
    const answer = await harness.get('/admin/usage', `from=2026-11-01&to=2026-11-07&group_by=${groupBy}`);

    expect(answer.body.totals.requests).toBe(requests);
    expect(harness.usage.calls).toEqual([expect.objectContaining({ method: 'queryRollups', partition })]);
  });

  it("answers the tenant's run roll-up as totals only when tenant_id and run_id are given", async () => {
    harness.usage.add(usageRecord({ timestamp: '2026-11-03T10:00:00.000Z', tenant_id: 'beta', key_id: 'key_c', run_id: 'run_1', cost_picos: 900_000_000 }));

    const answer = await harness.get('/admin/usage', 'tenant_id=acme&run_id=run_1');

    expect(answer.body).toEqual({
      tenant_id: 'acme',
      run_id: 'run_1',
      from: null,
      to: null,
      group_by: null,
      totals: numbers({ requests: 2, errors: 0, prompt_tokens: 200, completion_tokens: 100, cache_read_tokens: 10, reasoning_tokens: 5, cost_usd: 1.234568 }),
      rows: [],
    });
    expect(harness.usage.calls).toEqual([expect.objectContaining({ partition: 'ROLLUP#tenant-run#acme', fromSk: 'run_1', toSk: 'run_1' })]);
  });

  it('answers zeros and no rows when the range holds no usage', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme&from=2025-01-01&to=2025-01-31');

    expect(answer.body).toEqual({ from: '2025-01-01', to: '2025-01-31', group_by: 'day', totals: ZERO, rows: [] });
  });

  it('defaults to the last 7 days up to today by day when no range is given', async () => {
    const answer = await harness.get('/admin/usage', 'tenant_id=acme');

    expect(answer.body).toMatchObject({ from: '2026-11-02', to: '2026-11-08', group_by: 'day' });
  });

  it('defaults to the last 168 hours up to this hour when group_by is hour', async () => {
    const answer = await harness.get('/admin/usage', 'group_by=hour');

    expect(answer.body).toMatchObject({ from: '2026-11-01T13:00:00Z', to: '2026-11-08T12:00:00Z' });
  });

  it('reads a timestamp with an offset as the UTC instant it names', async () => {
    const answer = await harness.get('/admin/usage', `tenant_id=acme&group_by=hour&from=${encodeURIComponent('2026-11-02T12:00+01:00')}&to=2026-11-02T11`);

    expect(answer.body.rows.map((row: any) => row.hour)).toEqual(['2026-11-02T11:00:00Z']);
  });

  it.each([
    ['from=2026-02-30', 'from'],
    ['from=yesterday', 'from'],
    ['to=2026-11-01T25:00Z', 'to'],
    ['from=2026-11-05&to=2026-11-01', 'to'],
    ['from=2030-01-01', 'from'],
    ['from=2025-01-01&to=2026-01-02', 'from'],
    ['colour=red', 'colour'],
    ['group_by=week', 'group_by'],
    ['group_by=key', 'group_by'],
    ['group_by=end_user', 'group_by'],
    ['end_user=alice', 'end_user'],
    ['tenant_id=acme&end_user=alice&model=gpt-4o', 'model'],
    ['tenant_id=acme&end_user=alice&key_id=key_a', 'key_id'],
    ['key_id=key_a&model=gpt-4o', 'model'],
    ['key_id=key_a&group_by=hour', 'group_by'],
    ['model=gpt-4o&group_by=key', 'group_by'],
    ['tenant_id=acme&group_by=hour&end_user=bob', 'group_by'],
    ['run_id=run_1&from=2026-11-01', 'from'],
    ['run_id=run_1', 'tenant_id'],
    ['tenant_id=acme&run_id=run_1&key_id=key_a', 'key_id'],
    ['run_id=run_1&group_by=day', 'group_by'],
    ['tenant_id=acme&tenant_id=beta', 'tenant_id'],
    ['tenant_id=', 'tenant_id'],
  ])('answers 400 naming the parameter when the query is %s', async (query, param) => {
    const answer = await harness.get('/admin/usage', query);

    expectBadParameter(answer, param);
    expect(harness.usage.calls).toEqual([]);
  });

  it('accepts a range of exactly 366 days', async () => {
    const answer = await harness.get('/admin/usage', 'from=2025-11-08&to=2026-11-08');

    expect(answer.status).toBe(200);
  });

  it('answers 501 usage_not_configured when the handler has no usage store', async () => {
    const bare = createHarness({ usage: null });

    const answer = await bare.get('/admin/usage', 'tenant_id=acme');

    expect(answer.status).toBe(501);
    expect(answer.body.error.code).toBe('usage_not_configured');
  });

  it('answers 405 with an Allow header when the usage report is posted to', async () => {
    const answer = await harness.get('/admin/usage', '', {}, 'POST');

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET');
  });
});

describe('GET /admin/usage/requests', () => {
  let harness: ReturnType<typeof createHarness>;
  let records: Record<string, UsageRecord>;

  beforeEach(() => {
    harness = createHarness();
    records = seed(harness.usage);
  });

  it('lists a tenant\'s records newest first across day partitions', async () => {
    const answer = await harness.get('/admin/usage/requests', 'tenant_id=acme&from=2026-11-01&to=2026-11-07');

    expect(answer.body).toEqual({ object: 'list', data: [records.r3, records.r2, records.r1], next_cursor: null });
    expect(harness.usage.calls.map((call) => call.partition)).toEqual([
      'RAW#acme#2026-11-07', 'RAW#acme#2026-11-06', 'RAW#acme#2026-11-05', 'RAW#acme#2026-11-04',
      'RAW#acme#2026-11-03', 'RAW#acme#2026-11-02', 'RAW#acme#2026-11-01',
    ]);
  });

  it.each([
    ['from=2026-11-01&key_id=key_a', ['r3', 'r1']],
    ['from=2026-11-01&model=gpt-4o', ['r3', 'r2']],
    ['from=2026-11-01&end_user=bob', ['r2']],
    ['from=2026-11-01&run_id=run_1', ['r3', 'r1']],
    ['from=2026-11-02T10:00:00.000Z&to=2026-11-02T11:15:00Z', ['r2', 'r1']],
    ['from=2026-11-02T10:00:00.001Z&to=2026-11-03T08:59:59Z', ['r2']],
    ['from=2026-11-02T11&to=2026-11-03T09', ['r3', 'r2']],
  ])('applies the filter when the query has %s', async (filter, expected) => {
    const answer = await harness.get('/admin/usage/requests', `tenant_id=acme&${filter}`);

    expect(answer.body.data.map((record: UsageRecord) => record.request_id)).toEqual(expected.map((name) => records[name]?.request_id));
  });

  it('pages through every record once, in order, when limit is smaller than the range', async () => {
    const many = Array.from({ length: 7 }, (_, index) =>
      usageRecord({ tenant_id: 'gamma', timestamp: `2026-11-0${1 + (index % 3)}T0${index}:00:00.000Z` }),
    );
    harness.usage.add(...many);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;

    do {
      const query: string = `tenant_id=gamma&from=2026-11-01&to=2026-11-03&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const answer = await harness.get('/admin/usage/requests', query);
      expect(answer.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...answer.body.data.map((record: UsageRecord) => record.request_id));
      cursor = answer.body.next_cursor;
      pages += 1;
    } while (cursor !== null);

    const newestFirst = [...many].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).map((record) => record.request_id);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);
  });

  it('returns no cursor when the last record of the range fills the page exactly', async () => {
    const answer = await harness.get('/admin/usage/requests', 'tenant_id=acme&from=2026-11-01&to=2026-11-03&limit=3');

    expect(answer.body.data).toHaveLength(3);
    expect(answer.body.next_cursor).toBeNull();
  });

  it('stops early with a cursor when a filter rejects more records than a page may read', async () => {
    const filler = Array.from({ length: MAX_RAW_ITEMS_READ_PER_PAGE + 10 }, (_, index) =>
      usageRecord({ tenant_id: 'delta', model: 'other', timestamp: new Date(Date.parse('2026-11-04T00:00:00Z') + index * 1000).toISOString() }),
    );
    const wanted = usageRecord({ tenant_id: 'delta', model: 'rare', timestamp: '2026-11-03T00:00:00.000Z' });
    harness.usage.add(wanted, ...filler);

    const first = await harness.get('/admin/usage/requests', 'tenant_id=delta&model=rare&from=2026-11-01&to=2026-11-04');
    const second = await harness.get('/admin/usage/requests', `tenant_id=delta&model=rare&from=2026-11-01&to=2026-11-04&cursor=${first.body.next_cursor}`);

    expect(first.body.data).toEqual([]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    expect(second.body).toEqual({ object: 'list', data: [wanted], next_cursor: null });
  });

  it('finds the tenant from the key when only key_id is given', async () => {
    await harness.tenancy.createTenant({ id: 'acme', name: 'Acme', metadata: {}, created_at: '2026-01-01T00:00:00.000Z' });
    await harness.tenancy.createKey({ id: 'key_a', tenant_id: 'acme', key_hash: 'h', key_prefix: 'sk-gw-AAAA', status: 'active', metadata: {}, created_at: '2026-01-01T00:00:00.000Z' });

    const answer = await harness.get('/admin/usage/requests', 'key_id=key_a&from=2026-11-01');

    expect(answer.body.data.map((record: UsageRecord) => record.request_id)).toEqual([records.r3?.request_id, records.r1?.request_id]);
  });

  it('reads the master partition when key_id is master', async () => {
    const answer = await harness.get('/admin/usage/requests', 'key_id=master&from=2026-11-01');

    expect(answer.body.data).toEqual([records.r5]);
  });

  it('answers 404 naming key_id when the key does not exist', async () => {
    const answer = await harness.get('/admin/usage/requests', 'key_id=key_nope');

    expect(answer.status).toBe(404);
    expect(answer.body.error.param).toBe('key_id');
  });

  it.each([
    ['', 'tenant_id'],
    ['tenant_id=acme&limit=0', 'limit'],
    ['tenant_id=acme&limit=1001', 'limit'],
    ['tenant_id=acme&limit=ten', 'limit'],
    ['tenant_id=acme&cursor=not-a-cursor', 'cursor'],
    ['tenant_id=acme&cursor=%3D%3D', 'cursor'],
    ['tenant_id=acme&group_by=day', 'group_by'],
    ['tenant_id=acme&from=2026-11-09&to=2026-11-01', 'to'],
  ])('answers 400 naming the parameter when the query is %j', async (query, param) => {
    const answer = await harness.get('/admin/usage/requests', query);

    expectBadParameter(answer, param);
  });

  it('exports the page as CSV with a header row when Accept is text/csv', async () => {
    const answer = await harness.get('/admin/usage/requests', 'tenant_id=acme&from=2026-11-01&limit=2', { accept: 'text/csv' });

    const lines = answer.text.split('\r\n');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(lines[0]).toBe(USAGE_RECORD_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(new RegExp(`^2026-11-03T09:00:00.000Z,${records.r3?.request_id},acme,key_a,,gpt-4o,`));
    expect(lines[3]).toBe('');
    expect(answer.headers['x-next-cursor']).toEqual(expect.any(String));
  });

  it('answers JSON when Accept prefers JSON or refuses CSV', async () => {
    const answer = await harness.get('/admin/usage/requests', 'tenant_id=acme', { accept: 'text/csv;q=0, application/json' });

    expect(answer.headers['content-type']).toBe('application/json');
  });
});

describe('usageRecordsToCsv', () => {
  it('quotes fields with commas, quotes and line breaks as RFC 4180 says', () => {
    const record = usageRecord({ request_id: 'req_q', end_user: 'Doe, "Jo"\nline', tags: ['a', 'b'], metadata: { team: 'ml' } });

    const csv = usageRecordsToCsv([record]);

    const line = csv.split('\r\n')[1] ?? '';
    expect(line).toContain(',"Doe, ""Jo""\nline",');
    expect(line).toContain(',"a,b","{""team"":""ml""}",');
    expect(line).toContain(',1000000000,0.001,');
  });

  it('writes only the header row when there are no records', () => {
    expect(usageRecordsToCsv([])).toBe(`${USAGE_RECORD_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('defuses text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(formatCsv(['a', 'b', 'c'], [['=SUM(A1)', -5, '@x']])).toBe("a,b,c\r\n'=SUM(A1),-5,'@x\r\n");
  });
});
