import { beforeEach, describe, expect, it } from 'vitest';
import { parseArguments, UsageError } from '../../functions/cli/parse-arguments.js';
import { createAdminHandler, type AdminHandler } from '../../functions/core/admin/admin-handler.js';
import { USAGE_RECORD_CSV_COLUMNS } from '../../functions/core/usage/usage-queries.js';
import { createInMemoryTenancyStore } from '../core/admin/in-memory-tenancy-store.js';
import { createInMemoryUsageQueryStore, usageRecord } from '../core/usage/in-memory-usage-query-store.js';
import { command, useAdminCli } from './cli-harness.js';

const MASTER_KEY = 'sk-usage-cli-master-key';
const NOW = Date.parse('2026-11-08T12:00:00.000Z');

describe('parseArguments: usage', () => {
  it('asks GET /admin/usage with every filter as a query parameter when usage is given options', () => {
    const argv = [
      'usage', '--tenant', 'acme', '--key', 'key_1', '--model', 'gpt-4o', '--end-user', 'u1', '--from', '2026-11-01',
      '--to', '2026-11-07', '--group-by', 'model',
    ];

    const parsed = command(argv);

    expect(parsed).toEqual({
      kind: 'command',
      json: false,
      call: {
        method: 'GET',
        path: '/admin/usage',
        view: 'usage-report',
        query: { tenant_id: 'acme', key_id: 'key_1', model: 'gpt-4o', end_user: 'u1', from: '2026-11-01', to: '2026-11-07', group_by: 'model' },
      },
    });
  });

  it('sends no query when usage has no options', () => {
    const { call } = command(['usage']);

    expect(call).toEqual({ method: 'GET', path: '/admin/usage', view: 'usage-report' });
  });

  it('asks GET /admin/usage/requests with limit and cursor when usage requests is given', () => {
    const { call } = command(['usage', 'requests', '--tenant', 'acme', '--run', 'r1', '--limit', '50', '--cursor', 'abc']);

    expect(call).toEqual({
      method: 'GET',
      path: '/admin/usage/requests',
      view: 'usage-requests',
      query: { tenant_id: 'acme', run_id: 'r1', limit: '50', cursor: 'abc' },
    });
  });

  it.each([
    [['usage', '--format', 'csv'], { json: false, format: 'csv' }],
    [['usage', '--format', 'json'], { json: true }],
    [['usage', '--format', 'table'], { json: false }],
  ])('chooses the output when the arguments are %j', (argv, expected) => {
    const parsed = command(argv);

    expect({ json: parsed.json, ...(parsed.format ? { format: parsed.format } : {}) }).toEqual(expected);
  });

  it.each([
    [['usage', '--format', 'xml'], /--format must be one of table, csv, json/],
    [['usage', '--json', '--format', 'csv'], /either --json or --format csv/],
    [['usage', '--limit', '5'], /'usage report' does not take --limit/],
    [['usage', 'requests', '--group-by', 'day'], /'usage requests' does not take --group-by/],
    [['usage', 'totals'], /'usage' needs one of: report, requests/],
    [['tenants', 'list', '--format', 'csv'], /'tenants list' does not take --format/],
    [['usage', 'requests', 'extra'], /Usage: usage requests/],
  ])('fails with a usage error when the arguments are %j', (argv, message) => {
    const attempt = () => parseArguments(argv);

    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('admin CLI: usage', () => {
  let handler: AdminHandler;
  let usage: ReturnType<typeof createInMemoryUsageQueryStore>;
  const { run } = useAdminCli(MASTER_KEY, () => handler);

  beforeEach(() => {
    usage = createInMemoryUsageQueryStore();
    usage.add(
      usageRecord({ request_id: 'req_1', timestamp: '2026-11-02T10:00:00.000Z', model: 'gpt-4o', end_user: 'alice', cost_picos: 1_250_000_000_000 }),
      usageRecord({ request_id: 'req_2', timestamp: '2026-11-02T11:00:00.000Z', model: 'gpt-4o-mini', status: 500, prompt_tokens: 20, completion_tokens: 0, cost_picos: 30_000_000 }),
      usageRecord({ request_id: 'req_3', timestamp: '2026-11-04T08:00:00.000Z', model: 'gpt-4o', prompt_tokens: 1200, completion_tokens: 300, cost_picos: 7_000_000_000, run_id: 'run_9' }),
    );
    handler = createAdminHandler({
      store: createInMemoryTenancyStore(),
      usage,
      clock: { now: () => NOW },
      ids: { next: () => 'id' },
      randomSecret: () => 'A'.repeat(43),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
  });

  it('prints a table of days with a TOTAL row when usage is run for a tenant', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--from', '2026-11-01', '--to', '2026-11-07']);

    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Usage from 2026-11-01 to 2026-11-07 by day',
        'DAY         REQUESTS  ERRORS  PROMPT  COMPLETION  CACHE_READ  CACHE_WRITE  REASONING  COST_USD',
        '2026-11-02         2       1     120          50           0            0          0  1.250030',
        '2026-11-04         1       0    1200         300           0            0          0  0.007000',
        'TOTAL              3       1    1320         350           0            0          0  1.257030',
        '',
      ].join('\n'),
    });
  });

  it('prints one row per model, costliest first, when grouped by model', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--from', '2026-11-01', '--group-by', 'model']);

    expect(result.stdout.split('\n').slice(1, 4).map((line) => line.split(/\s+/)[0])).toEqual(['MODEL', 'gpt-4o', 'gpt-4o-mini']);
  });

  it('prints only the run\'s TOTAL when a run is asked for', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--run', 'run_9']);

    expect(result.stdout).toBe(
      [
        'RUN    REQUESTS  ERRORS  PROMPT  COMPLETION  CACHE_READ  CACHE_WRITE  REASONING  COST_USD',
        'run_9         1       0    1200         300           0            0          0  0.007000',
        '',
      ].join('\n'),
    );
  });

  it('prints the rows as CSV without the totals when --format csv is given', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--from', '2026-11-01', '--to', '2026-11-07', '--format', 'csv']);

    expect(result.stdout).toBe(
      [
        'day,requests,errors,prompt_tokens,completion_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd',
        '2026-11-02,2,1,120,50,0,0,0,1.25003',
        '2026-11-04,1,0,1200,300,0,0,0,0.007',
        '',
      ].join('\r\n'),
    );
  });

  it('prints the raw JSON answer when --format json is given', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--from', '2026-11-01', '--format', 'json']);

    expect(JSON.parse(result.stdout)).toMatchObject({ group_by: 'day', totals: { requests: 3, cost_usd: 1.25703 } });
  });

  it('says there is no usage and prints zero totals when the range is empty', async () => {
    const result = await run(['usage', '--tenant', 'acme', '--from', '2025-01-01', '--to', '2025-01-02']);

    expect(result.stdout).toBe(
      [
        'Usage from 2025-01-01 to 2025-01-02 by day: none',
        'DAY    REQUESTS  ERRORS  PROMPT  COMPLETION  CACHE_READ  CACHE_WRITE  REASONING  COST_USD',
        'TOTAL         0       0       0           0           0            0          0  0.000000',
        '',
      ].join('\n'),
    );
  });

  it('prints the API\'s message and fails when a parameter is refused', async () => {
    const result = await run(['usage', '--group-by', 'key']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: 'group_by=key' requires 'tenant_id'\. \(HTTP 400\)\n$/);
  });

  it('prints the requests newest first as a table and says how to get more', async () => {
    const result = await run(['usage', 'requests', '--tenant', 'acme', '--from', '2026-11-01', '--limit', '2']);

    expect(result.stdout).toBe(
      [
        'TIME                      REQUEST  KEY    MODEL        END_USER  STATUS  PROMPT  COMPLETION  COST_USD  LATENCY_MS',
        '2026-11-04T08:00:00.000Z  req_3    key_a  gpt-4o       -         200       1200         300  0.007000         420',
        '2026-11-02T11:00:00.000Z  req_2    key_a  gpt-4o-mini  -         500         20           0  0.000030         420',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toMatch(/^More requests: run again with --cursor [A-Za-z0-9_-]+\n$/);
  });

  it('prints the requests as CSV when --format csv is given', async () => {
    const result = await run(['usage', 'requests', '--tenant', 'acme', '--from', '2026-11-01', '--end-user', 'alice', '--format', 'csv']);

    const lines = result.stdout.split('\r\n');
    expect(lines[0]).toBe(USAGE_RECORD_CSV_COLUMNS.join(','));
    expect(lines[1]).toMatch(/^2026-11-02T10:00:00\.000Z,req_1,acme,key_a,alice,gpt-4o,/);
    expect(lines.slice(2)).toEqual(['']);
    expect(result.stderr).toBe('');
  });

  it('says there are none when no request matches', async () => {
    const result = await run(['usage', 'requests', '--tenant', 'nobody']);

    expect(result.stdout).toBe('No requests.\n');
  });
});
