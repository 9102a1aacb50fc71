import type { UsageRecord } from './usage-record.js';

/** What ingesting one record did: counted it now, or found it counted before (nothing added). */
export type UsageIngestOutcome = 'counted' | 'duplicate';

/**
 * Where usage records are counted: the raw record kept and every roll-up of
 * `rollupTargets(record)` added to, all or nothing, at most once per record.
 */
export interface UsageStore {
  /**
   * Counts the record once. Resolves `'duplicate'` when a record with the same key (tenant,
   * timestamp, request id) was counted before: a redelivery, so nothing is added. Rejects when
   * the store failed; then nothing was counted and ingesting the same record again is safe.
   */
  ingest(record: UsageRecord): Promise<UsageIngestOutcome>;
}
