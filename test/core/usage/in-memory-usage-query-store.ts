import { usageRecord as baseUsageRecord } from '../../support/usage-records.js';
import { InvalidUsageCursorError, rollupAmountsOf, STORED_ROLLUP_NUMBER_NAMES, type RollupRow, type UsageQueryStore } from '../../../functions/core/usage/usage-query-store.js';
import type { UsageRecord } from '../../../functions/core/usage/usage-record.js';
import { rollupAmounts, rollupTargets, usageKeys } from '../../../functions/core/usage/usage-table-layout.js';

export interface QueryCall {
  method: 'queryRollups' | 'queryRaw';
  partition: string;
  fromSk: string;
  toSk: string;
}

/**
 * A UsageQueryStore over a Map of partitions, for the query layer's tests (HTTP, validation,
 * planning — not storage). `add` writes what the aggregator writes, through the layout
 * module: the raw item, then an ADD of `rollupAmounts` to every `rollupTargets` item.
 */
export function createInMemoryUsageQueryStore(): UsageQueryStore & { add(...records: UsageRecord[]): void; readonly calls: QueryCall[] } {
  const partitions = new Map<string, Map<string, Record<string, unknown>>>();
  const calls: QueryCall[] = [];

  const partitionOf = (pk: string) => {
    let partition = partitions.get(pk);
    if (!partition) partitions.set(pk, (partition = new Map()));
    return partition;
  };
  const inRange = (pk: string, fromSk: string, toSk: string) =>
    [...(partitions.get(pk)?.entries() ?? [])].filter(([sk]) => sk >= fromSk && sk <= toSk).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return {
    calls,
    add(...records) {
      for (const record of records) {
        const raw = usageKeys.raw(record);
        const rawPartition = partitionOf(raw.pk);
        if (rawPartition.has(raw.sk)) continue;
        rawPartition.set(raw.sk, structuredClone(record) as unknown as Record<string, unknown>);
        const amounts = rollupAmounts(record);
        for (const target of rollupTargets(record)) {
          const partition = partitionOf(target.pk);
          const item = partition.get(target.sk) ?? { ...target.dimensions };
          // Stored as decimal text, as DynamoDB keeps numbers, so the cost sum stays exact.
          for (const [name, amount] of Object.entries(amounts)) item[name] = String(BigInt(String(item[name] ?? 0)) + BigInt(amount));
          partition.set(target.sk, item);
        }
      }
    },
    async queryRollups(partition, fromSk, toSk) {
      calls.push({ method: 'queryRollups', partition, fromSk, toSk });
      return inRange(partition, fromSk, toSk).map(([sk, item]) => {
        const numbers = Object.fromEntries(STORED_ROLLUP_NUMBER_NAMES.map((name) => [name, item[name] as string | undefined]));
        return { ...item, sk, ...rollupAmountsOf(numbers) } as unknown as RollupRow;
      });
    },
    async queryRaw(partition, fromSk, toSk, page) {
      calls.push({ method: 'queryRaw', partition, fromSk, toSk });
      if (page.cursor !== undefined && (page.cursor < fromSk || page.cursor > toSk)) throw new InvalidUsageCursorError();
      const items = inRange(partition, fromSk, toSk)
        .reverse()
        .filter(([sk]) => page.cursor === undefined || sk < page.cursor);
      const taken = items.slice(0, page.limit);
      const last = taken.at(-1);
      return {
        items: taken.map(([, item]) => structuredClone(item) as unknown as UsageRecord),
        ...(items.length > page.limit && last ? { cursor: last[0] } : {}),
      };
    },
  };
}

let sequence = 0;

/** A complete record; `overrides` set the fields a test is about. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence += 1;
  return baseUsageRecord({
    request_id: `req_${String(sequence).padStart(6, '0')}`,
    timestamp: '2026-11-02T10:00:00.000Z',
    key_id: 'key_a',
    prompt_tokens: 100,
    completion_tokens: 50,
    cost_picos: 1_000_000_000,
    ...overrides,
  });
}
