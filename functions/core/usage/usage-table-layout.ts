import { boundText } from './bounded-text.js';
import type { RollupAmountName } from './usage-query-store.js';
import type { UsageRecord } from './usage-record.js';

/**
 * The usage table: partition key `pk` (S), sort key `sk` (S), TTL attribute `expires_at`.
 *
 * Raw records — one item per request, its key derived from the record itself, so a
 * redelivered record lands on the same item (put-if-absent makes ingestion idempotent):
 *   pk = RAW#<tenant_id>#<yyyy-mm-dd>     sk = <timestamp ISO>#<request_id>
 *   all record fields as attributes, plus expires_at (TTL, retention days after the timestamp)
 *
 * Roll-ups — numeric attributes added to by every record (ADD): requests, errors, unpriced_requests,
 * prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
 * reasoning_tokens, cost_picos (exact: DynamoDB numbers hold 38 digits, and sums are read back as
 * text and added as BigInt). Items written before issue 12 hold cached_prompt_tokens and cost_micros
 * instead (or as well): readers add them in (rollupRowOf), so old and new sums stay one total;
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
 *   ROLLUP#tenant-run#<tenant>           sk = <run_id>                      (records with a run id)
 * Every query of the cost API is a Query on one partition with an sk range: no scans.
 *
 * Every roll-up named by a client-chosen value (end user, run id) lies in its tenant's
 * partition, so two tenants using the same run id or end-user id never share a total. (Before
 * issue 11, runs lived in `ROLLUP#run#<run_id>`, sk `run`, across tenants: those items are no
 * longer read or written; the layout was unreleased, so they are not migrated.)
 *
 * Each value in a key goes through `boundText` (at most 256 UTF-8 bytes, a prefix and a hash
 * beyond), so no key exceeds DynamoDB's 2,048-byte partition and 1,024-byte sort key limits;
 * the aggregator stores records already bounded the same way (sanitize-usage-record.ts), so
 * the key and the attribute hold the same text. Tenant ids cannot contain a `#` that confuses a
 * key: the dimension names hold none, and days and hours have a fixed width.
 */

export interface RollupTarget {
  pk: string;
  sk: string;
  /** Dimension attributes stored on the roll-up item. */
  dimensions: Record<string, string>;
}

export const usageKeys = {
  raw(record: Pick<UsageRecord, 'tenant_id' | 'timestamp' | 'request_id'>): { pk: string; sk: string } {
    return { pk: usageKeys.rawPartition(record.tenant_id, record.timestamp.slice(0, 10)), sk: `${record.timestamp}#${boundText(record.request_id)}` };
  },
  rawPartition(tenantId: string, day: string): string {
    return `RAW#${boundText(tenantId)}#${day}`;
  },
  rollupPartition(dimension: RollupDimension, scope: string): string {
    return `ROLLUP#${dimension}#${boundText(scope)}`;
  },
};

/** A value as it appears in a key and on a roll-up item: bounded the way records are stored. */
export const keyPart = (value: string): string => boundText(value);

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
  | 'tenant-run';

/** Every roll-up item one record adds to. */
export function rollupTargets(record: UsageRecord): RollupTarget[] {
  const day = record.timestamp.slice(0, 10);
  const hour = record.timestamp.slice(0, 13);
  const tenant = keyPart(record.tenant_id);
  const key = keyPart(record.key_id);
  const model = keyPart(record.model);
  const targets: RollupTarget[] = [
    { pk: usageKeys.rollupPartition('tenant-hour', tenant), sk: hour, dimensions: { tenant_id: tenant } },
    { pk: usageKeys.rollupPartition('tenant-day', tenant), sk: day, dimensions: { tenant_id: tenant } },
    { pk: usageKeys.rollupPartition('tenant-key-day', tenant), sk: `${day}#${key}`, dimensions: { tenant_id: tenant, key_id: key } },
    { pk: usageKeys.rollupPartition('tenant-model-day', tenant), sk: `${day}#${model}`, dimensions: { tenant_id: tenant, model } },
    { pk: usageKeys.rollupPartition('key-day', key), sk: day, dimensions: { tenant_id: tenant, key_id: key } },
    { pk: usageKeys.rollupPartition('global-hour', 'all'), sk: hour, dimensions: {} },
    { pk: usageKeys.rollupPartition('global-day', 'all'), sk: day, dimensions: {} },
    { pk: usageKeys.rollupPartition('global-model-day', 'all'), sk: `${day}#${model}`, dimensions: { model } },
  ];
  if (record.end_user !== undefined) {
    const endUser = keyPart(record.end_user);
    targets.push({
      pk: usageKeys.rollupPartition('tenant-enduser-day', tenant),
      sk: `${day}#${endUser}`,
      dimensions: { tenant_id: tenant, end_user: endUser },
    });
  }
  // An empty run id names no run (and a sort key cannot be empty).
  if (record.run_id !== undefined && record.run_id !== '') {
    const runId = keyPart(record.run_id);
    targets.push({ pk: usageKeys.rollupPartition('tenant-run', tenant), sk: runId, dimensions: { tenant_id: tenant, run_id: runId } });
  }
  return targets;
}

/** The numbers every roll-up sums, taken from one record (each an integer; cost_picos as BigInt, so no sum is rounded). */
export function rollupAmounts(record: UsageRecord): Record<RollupAmountName, number | bigint> {
  return {
    requests: 1,
    errors: record.status >= 400 ? 1 : 0,
    unpriced_requests: record.unpriced === true ? 1 : 0,
    prompt_tokens: record.prompt_tokens,
    completion_tokens: record.completion_tokens,
    cache_read_tokens: record.cache_read_tokens,
    cache_write_tokens: record.cache_write_tokens,
    cache_write_1h_tokens: record.cache_write_1h_tokens,
    reasoning_tokens: record.reasoning_tokens,
    cost_picos: BigInt(record.cost_picos),
  };
}
