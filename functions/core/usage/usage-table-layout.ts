import type { UsageRecord } from './usage-record.js';

/**
 * The usage table: partition key `pk` (S), sort key `sk` (S), TTL attribute `expires_at`.
 *
 * Raw records — one item per request, its key derived from the record itself, so a
 * redelivered record lands on the same item (put-if-absent makes ingestion idempotent):
 *   pk = RAW#<tenant_id>#<yyyy-mm-dd>     sk = <timestamp ISO>#<request_id>
 *   all record fields as attributes, plus expires_at (TTL, retention days after the timestamp)
 *
 * Roll-ups — numeric attributes added to by every record (ADD): requests, errors,
 * prompt_tokens, completion_tokens, cached_prompt_tokens, reasoning_tokens, cost_micros;
 * plus the dimension values as plain attributes (tenant_id, key_id, model, end_user) for display:
 *   ROLLUP#tenant-hour#<tenant>          sk = <yyyy-mm-ddThh>
 *   ROLLUP#tenant-day#<tenant>           sk = <yyyy-mm-dd>
 *   ROLLUP#tenant-key-day#<tenant>       sk = <yyyy-mm-dd>#<key_id>
 *   ROLLUP#tenant-model-day#<tenant>     sk = <yyyy-mm-dd>#<model>
 *   ROLLUP#tenant-enduser-day#<tenant>   sk = <yyyy-mm-dd>#<end_user>      (records with an end user)
 *   ROLLUP#key-day#<key_id>              sk = <yyyy-mm-dd>
 *   ROLLUP#global-hour#all               sk = <yyyy-mm-ddThh>
 *   ROLLUP#global-day#all                sk = <yyyy-mm-dd>
 *   ROLLUP#global-model-day#all          sk = <yyyy-mm-dd>#<model>
 *   ROLLUP#run#<run_id>                  sk = run                           (records with a run id)
 * Every query of the cost API is a Query on one partition with an sk range: no scans.
 */

export interface RollupTarget {
  pk: string;
  sk: string;
  /** Dimension attributes stored on the roll-up item. */
  dimensions: Record<string, string>;
}

export const usageKeys = {
  raw(record: Pick<UsageRecord, 'tenant_id' | 'timestamp' | 'request_id'>): { pk: string; sk: string } {
    return { pk: `RAW#${record.tenant_id}#${record.timestamp.slice(0, 10)}`, sk: `${record.timestamp}#${record.request_id}` };
  },
  rawPartition(tenantId: string, day: string): string {
    return `RAW#${tenantId}#${day}`;
  },
  rollupPartition(dimension: RollupDimension, scope: string): string {
    return `ROLLUP#${dimension}#${scope}`;
  },
};

export type RollupDimension =
  | 'tenant-hour'
  | 'tenant-day'
  | 'tenant-key-day'
  | 'tenant-model-day'
  | 'tenant-enduser-day'
  | 'key-day'
  | 'global-hour'
  | 'global-day'
  | 'global-model-day'
  | 'run';

/** Every roll-up item one record adds to. */
export function rollupTargets(record: UsageRecord): RollupTarget[] {
  const day = record.timestamp.slice(0, 10);
  const hour = record.timestamp.slice(0, 13);
  const tenant = record.tenant_id;
  const targets: RollupTarget[] = [
    { pk: usageKeys.rollupPartition('tenant-hour', tenant), sk: hour, dimensions: { tenant_id: tenant } },
    { pk: usageKeys.rollupPartition('tenant-day', tenant), sk: day, dimensions: { tenant_id: tenant } },
    { pk: usageKeys.rollupPartition('tenant-key-day', tenant), sk: `${day}#${record.key_id}`, dimensions: { tenant_id: tenant, key_id: record.key_id } },
    { pk: usageKeys.rollupPartition('tenant-model-day', tenant), sk: `${day}#${record.model}`, dimensions: { tenant_id: tenant, model: record.model } },
    { pk: usageKeys.rollupPartition('key-day', record.key_id), sk: day, dimensions: { tenant_id: tenant, key_id: record.key_id } },
    { pk: usageKeys.rollupPartition('global-hour', 'all'), sk: hour, dimensions: {} },
    { pk: usageKeys.rollupPartition('global-day', 'all'), sk: day, dimensions: {} },
    { pk: usageKeys.rollupPartition('global-model-day', 'all'), sk: `${day}#${record.model}`, dimensions: { model: record.model } },
  ];
  if (record.end_user !== undefined) {
    targets.push({
      pk: usageKeys.rollupPartition('tenant-enduser-day', tenant),
      sk: `${day}#${record.end_user}`,
      dimensions: { tenant_id: tenant, end_user: record.end_user },
    });
  }
  if (record.run_id !== undefined) {
    targets.push({ pk: usageKeys.rollupPartition('run', record.run_id), sk: 'run', dimensions: { run_id: record.run_id } });
  }
  return targets;
}

/** The numbers every roll-up sums, taken from one record. */
export function rollupAmounts(record: UsageRecord): Record<string, number> {
  return {
    requests: 1,
    errors: record.status >= 400 ? 1 : 0,
    prompt_tokens: record.prompt_tokens,
    completion_tokens: record.completion_tokens,
    cached_prompt_tokens: record.cached_prompt_tokens,
    reasoning_tokens: record.reasoning_tokens,
    cost_micros: record.cost_micros,
  };
}
