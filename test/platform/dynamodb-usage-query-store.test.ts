import { PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminHandler, type AdminHandler } from '../../functions/core/admin/admin-handler.js';
import { InvalidUsageCursorError, type UsageQueryStore } from '../../functions/core/usage/usage-query-store.js';
import { USAGE_RECORD_CSV_COLUMNS } from '../../functions/core/usage/usage-queries.js';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { rollupAmounts, rollupTargets, usageKeys } from '../../functions/core/usage/usage-table-layout.js';
import { toItem } from '../../functions/platform/dynamodb/attribute-value-codec.js';
import { createDynamoDbUsageQueryStore } from '../../functions/platform/dynamodb/dynamodb-usage-query-store.js';
import { createInMemoryTenancyStore } from '../core/admin/in-memory-tenancy-store.js';
import { usageRecord } from '../core/usage/in-memory-usage-query-store.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';

const usage = useTestUsageTable();
let store: UsageQueryStore;

beforeAll(() => {
  store = createDynamoDbUsageQueryStore(usage);
});

let sequence = 0;
/** A name no other test uses, so tests share the table but never a partition. */
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

/** What the aggregator writes for one record: the raw item, then an ADD to each roll-up. */
async function writeAsAggregator(record: UsageRecord): Promise<void> {
  const raw = usageKeys.raw(record);
  await usage.client.send(
    new PutItemCommand({
      TableName: usage.tableName,
      Item: { ...toItem({ ...record }), pk: { S: raw.pk }, sk: { S: raw.sk }, expires_at: { N: '4102444800' } },
    }),
  );
  const amounts = rollupAmounts(record);
  for (const target of rollupTargets(record)) {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const adds: string[] = [];
    const sets: string[] = [];
    for (const [index, [name, amount]] of Object.entries(amounts).entries()) {
      names[`#a${index}`] = name;
      values[`:a${index}`] = { N: String(amount) };
      adds.push(`#a${index} :a${index}`);
    }
    for (const [index, [name, value]] of Object.entries(target.dimensions).entries()) {
      names[`#d${index}`] = name;
      values[`:d${index}`] = { S: value };
      sets.push(`#d${index} = :d${index}`);
    }
    await usage.client.send(
      new UpdateItemCommand({
        TableName: usage.tableName,
        Key: { pk: { S: target.pk }, sk: { S: target.sk } },
        UpdateExpression: `ADD ${adds.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

/** A roll-up row's sums as the store reads them: every count (0 unless given) and the cost as a BigInt. */
function sums(given: Record<string, number>, costPicos = 0n): Record<string, number | bigint> {
  const counts = { requests: 0, errors: 0, unpriced_requests: 0, prompt_tokens: 0, completion_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 };
  return { ...counts, ...given, cost_picos: costPicos };
}

describe('createDynamoDbUsageQueryStore: roll-ups', () => {
  it('returns the rows of one partition in the sk range, ascending, with dimensions and sums', async () => {
    const tenant = unique('t');
    await writeAsAggregator(usageRecord({ tenant_id: tenant, timestamp: '2026-11-03T01:00:00.000Z', model: 'm1', cost_picos: 7_000_000 }));
    await writeAsAggregator(usageRecord({ tenant_id: tenant, timestamp: '2026-11-01T01:00:00.000Z', model: 'm1', cost_picos: 5_000_000, status: 500 }));
    await writeAsAggregator(usageRecord({ tenant_id: tenant, timestamp: '2026-11-01T02:00:00.000Z', model: 'm2', cost_picos: 3_000_000 }));
    await writeAsAggregator(usageRecord({ tenant_id: tenant, timestamp: '2026-11-04T00:00:00.000Z', model: 'm1' }));

    const rows = await store.queryRollups(usageKeys.rollupPartition('tenant-model-day', tenant), '2026-11-01#', '2026-11-03$');

    expect(rows).toEqual([
      { sk: '2026-11-01#m1', tenant_id: tenant, model: 'm1', ...sums({ requests: 1, errors: 1, prompt_tokens: 100, completion_tokens: 50 }, 5_000_000n) },
      { sk: '2026-11-01#m2', tenant_id: tenant, model: 'm2', ...sums({ requests: 1, errors: 0, prompt_tokens: 100, completion_tokens: 50 }, 3_000_000n) },
      { sk: '2026-11-03#m1', tenant_id: tenant, model: 'm1', ...sums({ requests: 1, errors: 0, prompt_tokens: 100, completion_tokens: 50 }, 7_000_000n) },
    ]);
  });

  it('reads a missing numeric attribute as 0', async () => {
    const pk = usageKeys.rollupPartition('tenant-day', unique('t'));
    await usage.client.send(new PutItemCommand({ TableName: usage.tableName, Item: { pk: { S: pk }, sk: { S: '2026-11-01' }, requests: { N: '2' } } }));

    const rows = await store.queryRollups(pk, '2026-11-01', '2026-11-01');

    expect(rows).toEqual([
      { sk: '2026-11-01', ...sums({ requests: 2, errors: 0, prompt_tokens: 0, completion_tokens: 0 }, 0n) },
    ]);
  });

  it('reads a cost sum past 2^53 pico-dollars exactly', async () => {
    const pk = usageKeys.rollupPartition('tenant-day', unique('t'));
    await usage.client.send(new PutItemCommand({ TableName: usage.tableName, Item: { pk: { S: pk }, sk: { S: '2026-11-01' }, cost_picos: { N: '12345678901234567890123' } } }));

    const rows = await store.queryRollups(pk, '2026-11-01', '2026-11-01');

    expect(rows[0]!.cost_picos).toBe(12_345_678_901_234_567_890_123n);
  });

  it('adds cached_prompt_tokens and cost_micros in when the item was written before issue 12', async () => {
    const pk = usageKeys.rollupPartition('tenant-day', unique('t'));
    const item = { pk: { S: pk }, sk: { S: '2026-11-01' }, requests: { N: '3' }, cached_prompt_tokens: { N: '40' }, cost_micros: { N: '1500' }, cache_read_tokens: { N: '2' }, cost_picos: { N: '200000000' } };
    await usage.client.send(new PutItemCommand({ TableName: usage.tableName, Item: item }));

    const rows = await store.queryRollups(pk, '2026-11-01', '2026-11-01');

    expect(rows).toEqual([{ sk: '2026-11-01', ...sums({ requests: 3, cache_read_tokens: 42 }, 1_700_000_000n) }]);
  });

  it('follows LastEvaluatedKey when the partition holds more than one 1 MB page', async () => {
    const pk = usageKeys.rollupPartition('tenant-day', unique('t'));
    const padding = 'x'.repeat(120_000);
    for (let day = 1; day <= 12; day++) {
      const sk = `2026-11-${String(day).padStart(2, '0')}`;
      await usage.client.send(new PutItemCommand({ TableName: usage.tableName, Item: { pk: { S: pk }, sk: { S: sk }, requests: { N: '1' }, padding: { S: padding } } }));
    }

    let queries = 0;
    const counting = { send: (command: never) => (queries++, usage.client.send(command)) } as unknown as DynamoDBClient;

    const rows = await createDynamoDbUsageQueryStore({ client: counting, tableName: usage.tableName }).queryRollups(pk, '2026-11-01', '2026-11-30');

    expect(queries).toBeGreaterThan(1);
    expect(rows.map((row) => row.sk)).toHaveLength(12);
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(12);
  });

  it('returns nothing when the range is empty or reversed', async () => {
    const rows = await store.queryRollups(usageKeys.rollupPartition('global-day', 'all'), '2026-11-02', '2026-11-01');

    expect(rows).toEqual([]);
  });
});

describe('createDynamoDbUsageQueryStore: raw records', () => {
  it('pages newest first with an opaque cursor and gives back the records as written', async () => {
    const tenant = unique('t');
    const records = [1, 2, 3, 4, 5].map((minute) =>
      usageRecord({ tenant_id: tenant, timestamp: `2026-11-02T10:0${minute}:00.000Z`, end_user: 'alice', metadata: { team: 'ml' }, tags: ['a'] }),
    );
    for (const record of records) await writeAsAggregator(record);
    const partition = usageKeys.rawPartition(tenant, '2026-11-02');

    const first = await store.queryRaw(partition, '2026-11-02', '2026-11-02~', { limit: 2 });
    const second = await store.queryRaw(partition, '2026-11-02', '2026-11-02~', { limit: 2, cursor: first.cursor });
    const third = await store.queryRaw(partition, '2026-11-02', '2026-11-02~', { limit: 2, cursor: second.cursor });

    expect(first.items).toEqual([records[4], records[3]]);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(second.items).toEqual([records[2], records[1]]);
    expect(third.items).toEqual([records[0]]);
    expect(third.cursor).toBeUndefined();
  });

  it('keeps to the inclusive sk range', async () => {
    const tenant = unique('t');
    const records = [1, 2, 3].map((minute) => usageRecord({ tenant_id: tenant, timestamp: `2026-11-02T10:0${minute}:00.000Z` }));
    for (const record of records) await writeAsAggregator(record);

    const page = await store.queryRaw(usageKeys.rawPartition(tenant, '2026-11-02'), usageKeys.raw(records[0] as UsageRecord).sk, '2026-11-02T10:02:00.000Z~', { limit: 10 });

    expect(page.items).toEqual([records[1], records[0]]);
  });

  it.each([['not base64!'], [Buffer.from('{"nope":1}').toString('base64url')], [Buffer.from(JSON.stringify({ sk: '2027-01-01' })).toString('base64url')]])(
    'fails with InvalidUsageCursorError when the cursor is %s',
    async (cursor) => {
      const attempt = store.queryRaw(usageKeys.rawPartition('x', '2026-11-02'), '2026-11-02', '2026-11-02~', { limit: 1, cursor });

      await expect(attempt).rejects.toThrow(InvalidUsageCursorError);
    },
  );
});

describe('admin usage API over DynamoDB Local', () => {
  const tenant = unique('acme');
  const NOW = Date.parse('2026-11-08T12:00:00.000Z');
  let handle: AdminHandler;
  const records: UsageRecord[] = [];

  async function get(path: string, query: string, headers: Record<string, string> = {}) {
    const response = await handle({ method: 'GET', path, query, headers, body: new Uint8Array(), signal: new AbortController().signal });
    const text = response.body as string;
    return { status: response.status, headers: response.headers, text, body: response.headers['content-type'] === 'application/json' ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    handle = createAdminHandler({
      store: createInMemoryTenancyStore(),
      usage: store,
      clock: { now: () => NOW },
      ids: { next: () => 'id' },
      randomSecret: () => 'A'.repeat(43),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    records.push(
      usageRecord({ tenant_id: tenant, key_id: `${tenant}-k1`, model: 'gpt-4o', end_user: 'alice', timestamp: '2026-11-02T09:10:00.000Z', cost_picos: 2_500_000_000_000 }),
      usageRecord({ tenant_id: tenant, key_id: `${tenant}-k1`, model: 'gpt-4o-mini', end_user: 'bob', timestamp: '2026-11-02T17:00:00.000Z', cost_picos: 1_000_000 }),
      usageRecord({ tenant_id: tenant, key_id: `${tenant}-k2`, model: 'gpt-4o', timestamp: '2026-11-04T00:30:00.000Z', cost_picos: 499_999_000_000, status: 502 }),
    );
    for (const record of records) await writeAsAggregator(record);
  });

  it.each([
    ['day', 'day', ['2026-11-02', '2026-11-04']],
    ['hour', 'hour', ['2026-11-02T09:00:00Z', '2026-11-02T17:00:00Z', '2026-11-04T00:00:00Z']],
    ['model', 'model', ['gpt-4o', 'gpt-4o-mini']],
    ['key', 'key_id', [`${tenant}-k1`, `${tenant}-k2`]],
    ['end_user', 'end_user', ['alice', 'bob']],
  ])('groups the tenant\'s usage when group_by is %s', async (groupBy, field, groups) => {
    const answer = await get('/admin/usage', `tenant_id=${tenant}&from=2026-11-01&to=2026-11-07&group_by=${groupBy}`);

    expect(answer.status).toBe(200);
    expect(answer.body.rows.map((row: Record<string, unknown>) => row[field])).toEqual(groups);
    expect(answer.body.totals.cost_usd).toBe(groupBy === 'end_user' ? 2.500001 : 3);
  });

  it('sums exactly in pico-dollars when the tenant is filtered by model', async () => {
    const answer = await get('/admin/usage', `tenant_id=${tenant}&model=gpt-4o&from=2026-11-01&to=2026-11-07`);

    expect(answer.body.totals).toEqual({ ...sums({ requests: 2, errors: 1, prompt_tokens: 200, completion_tokens: 100 }), cost_picos: '2999999000000', cost_usd: 2.999999 });
  });

  it('answers zeros when the range holds nothing', async () => {
    const answer = await get('/admin/usage', `tenant_id=${tenant}&from=2026-10-01&to=2026-10-31&group_by=model`);

    expect(answer.body.rows).toEqual([]);
    expect(answer.body.totals.requests).toBe(0);
  });

  it('answers 400 naming group_by when it asks for keys without a tenant', async () => {
    const answer = await get('/admin/usage', 'group_by=key');

    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe('group_by');
  });

  it('pages the raw records newest first across days', async () => {
    const first = await get('/admin/usage/requests', `tenant_id=${tenant}&from=2026-11-01&to=2026-11-07&limit=2`);
    const second = await get('/admin/usage/requests', `tenant_id=${tenant}&from=2026-11-01&to=2026-11-07&limit=2&cursor=${first.body.next_cursor}`);

    expect(first.body.data).toEqual([records[2], records[1]]);
    expect(second.body).toEqual({ object: 'list', data: [records[0]], next_cursor: null });
  });

  it('exports the raw records as CSV when Accept is text/csv', async () => {
    const answer = await get('/admin/usage/requests', `tenant_id=${tenant}&from=2026-11-01&end_user=alice`, { accept: 'text/csv' });

    expect(answer.text.split('\r\n')).toEqual([USAGE_RECORD_CSV_COLUMNS.join(','), expect.stringContaining(`,${tenant}-k1,alice,gpt-4o,`), '']);
  });
});
