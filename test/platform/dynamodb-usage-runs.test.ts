// Runs are named by clients (`x-run-id`), so two tenants may pick the same id: each must see
// only its own calls. Records go in through the aggregator's DynamoDB usage store and come out
// through the admin API over the DynamoDB usage query store, both on the run's DynamoDB Local.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminHandler, type AdminHandler } from '../../functions/core/admin/admin-handler.js';
import type { UsageStore } from '../../functions/core/usage/usage-store.js';
import { createDynamoDbUsageQueryStore } from '../../functions/platform/dynamodb/dynamodb-usage-query-store.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { createInMemoryTenancyStore } from '../core/admin/in-memory-tenancy-store.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';
import { usageRecord } from '../support/usage-records.js';

const usage = useTestUsageTable();
let store: UsageStore;
let handle: AdminHandler;

beforeAll(() => {
  store = createDynamoDbUsageStore(usage);
  handle = createAdminHandler({
    store: createInMemoryTenancyStore(),
    usage: createDynamoDbUsageQueryStore(usage),
    clock: { now: () => Date.parse('2026-11-24T00:00:00.000Z') },
    ids: { next: () => 'id' },
    randomSecret: () => 'A'.repeat(43),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
});

let sequence = 0;
/** A name no other test uses, so tests share the table but never a run. */
const unique = (prefix: string): string => `${prefix}-${++sequence}`;

async function runReport(query: string): Promise<{ status: number; body: any }> {
  const response = await handle({ method: 'GET', path: '/admin/usage', query, headers: {}, body: new Uint8Array(), signal: new AbortController().signal });
  return { status: response.status, body: JSON.parse(response.body as string) };
}

describe('run roll-ups on DynamoDB', () => {
  it('keeps separate totals when two tenants use the same run id', async () => {
    const [tenantA, tenantB, run] = [unique('tenant-a'), unique('tenant-b'), unique('run')];
    await store.ingest(usageRecord({ tenant_id: tenantA, run_id: run, cost_picos: 100_000_000, prompt_tokens: 1 }));
    await store.ingest(usageRecord({ tenant_id: tenantA, run_id: run, cost_picos: 200_000_000, prompt_tokens: 2 }));
    await store.ingest(usageRecord({ tenant_id: tenantB, run_id: run, cost_picos: 4_000_000_000, prompt_tokens: 40 }));

    const [reportA, reportB] = [await runReport(`tenant_id=${tenantA}&run_id=${run}`), await runReport(`tenant_id=${tenantB}&run_id=${run}`)];

    expect([reportA.body.totals, reportB.body.totals]).toEqual([
      expect.objectContaining({ requests: 2, prompt_tokens: 3, cost_usd: 0.0003 }),
      expect.objectContaining({ requests: 1, prompt_tokens: 40, cost_usd: 0.004 }),
    ]);
  });

  it("answers one tenant's run, named with its tenant, when tenant_id and run_id are given", async () => {
    const [tenantA, tenantB, run] = [unique('tenant-a'), unique('tenant-b'), unique('run')];
    await store.ingest(usageRecord({ tenant_id: tenantA, run_id: run, cost_picos: 150_000_000 }));
    await store.ingest(usageRecord({ tenant_id: tenantB, run_id: run, cost_picos: 9_999_000_000 }));

    const report = await runReport(`tenant_id=${tenantA}&run_id=${run}`);

    expect(report).toEqual({
      status: 200,
      body: {
        tenant_id: tenantA,
        run_id: run,
        from: null,
        to: null,
        group_by: null,
        totals: {
          requests: 1, errors: 0, unpriced_requests: 0, prompt_tokens: 10, completion_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0,
          cache_write_1h_tokens: 0, reasoning_tokens: 0, cost_picos: '150000000', cost_usd: 0.00015,
        },
        rows: [],
      },
    });
  });

  it('answers 400 naming tenant_id when run_id comes without it', async () => {
    const run = unique('run');
    await store.ingest(usageRecord({ tenant_id: unique('tenant'), run_id: run }));

    const report = await runReport(`run_id=${run}`);

    expect(report.status).toBe(400);
    expect(report.body.error).toMatchObject({ type: 'invalid_request_error', param: 'tenant_id' });
  });

  it('counts two run ids over 2 KB that share a 2 KB prefix as two runs, each under a bounded key', async () => {
    const [tenant, run] = [unique('tenant'), `${unique('run')}-${'x'.repeat(2100)}`];
    await store.ingest(usageRecord({ tenant_id: tenant, run_id: run, cost_picos: 70_000_000 }));
    await store.ingest(usageRecord({ tenant_id: tenant, run_id: `${run}y`, cost_picos: 5_000_000 }));

    const rows = await createDynamoDbUsageQueryStore(usage).queryRollups(`ROLLUP#tenant-run#${tenant}`, 'run', 'run~');

    expect(rows.map((row) => row.cost_picos).sort()).toEqual([5_000_000n, 70_000_000n]);
    expect(rows.every((row) => Buffer.byteLength(row.sk) <= 256)).toBe(true);
  });
});
