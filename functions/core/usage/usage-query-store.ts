import type { UsageRecord } from './usage-record.js';

/** The numeric attributes every roll-up item sums (see usage-table-layout.ts), all integers. */
export const ROLLUP_AMOUNT_NAMES = [
  'requests',
  'errors',
  'prompt_tokens',
  'completion_tokens',
  'cached_prompt_tokens',
  'reasoning_tokens',
  'cost_micros',
] as const;

export type RollupAmountName = (typeof ROLLUP_AMOUNT_NAMES)[number];

/** The sums of one roll-up item; an attribute the item lacks reads as 0. */
export type RollupAmounts = Record<RollupAmountName, number>;

/** The dimension attributes a roll-up item may carry (which ones depends on its partition). */
export interface RollupDimensions {
  tenant_id?: string;
  key_id?: string;
  model?: string;
  end_user?: string;
  run_id?: string;
}

/** One roll-up item as stored: its sort key, its dimension values and its sums. */
export interface RollupRow extends RollupDimensions, RollupAmounts {
  sk: string;
}

/** One page of raw records. */
export interface RawRecordPage {
  /** Newest first: descending sort key (`<timestamp>#<request_id>`). */
  items: UsageRecord[];
  /** Opaque; present when the partition holds more items in the range. */
  cursor?: string;
}

/**
 * Reads the usage table (layout: usage-table-layout.ts). Every method is one Query on one
 * partition with an inclusive sort-key range (`sk BETWEEN fromSk AND toSk`): never a scan.
 */
export interface UsageQueryStore {
  /** Every roll-up item of `partition` whose sk is in the range, ascending by sk (all pages read). */
  queryRollups(partition: string, fromSk: string, toSk: string): Promise<RollupRow[]>;
  /**
   * Up to `page.limit` raw records of `partition` (a `RAW#<tenant>#<day>` partition) whose sk
   * is in the range, newest first; pass the returned `cursor` back to continue.
   * An unreadable cursor fails with `InvalidUsageCursorError`.
   */
  queryRaw(
    partition: string,
    fromSk: string,
    toSk: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: UsageRecord[]; cursor?: string }>;
}

/** A store cursor that was not produced by the store (or not for this partition). */
export class InvalidUsageCursorError extends Error {
  constructor(message = 'The cursor is not valid for this query.') {
    super(message);
    this.name = 'InvalidUsageCursorError';
  }
}
