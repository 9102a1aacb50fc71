import { PICOS_PER_MICRO } from '../pricing/cost.js';
import type { UsageRecord } from './usage-record.js';

/** The token and request counts every roll-up item sums (see usage-table-layout.ts), all integers. */
export const ROLLUP_COUNT_NAMES = [
  'requests',
  'errors',
  'unpriced_requests',
  'prompt_tokens',
  'completion_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
] as const;

/** Every numeric attribute a roll-up item sums: the counts and the exact cost. */
export const ROLLUP_AMOUNT_NAMES = [...ROLLUP_COUNT_NAMES, 'cost_picos'] as const;

export type RollupCountName = (typeof ROLLUP_COUNT_NAMES)[number];
export type RollupAmountName = (typeof ROLLUP_AMOUNT_NAMES)[number];

/** The sums of one roll-up item; an attribute the item lacks reads as 0. The cost is a BigInt: a month of traffic passes 2^53 pico-dollars ($9,007). */
export type RollupAmounts = Record<RollupCountName, number> & { cost_picos: bigint };

/** Micro-dollars in a pico-dollar: the unit of roll-ups written before issue 12 (`cost_micros`). */

/**
 * A roll-up item's sums from its numeric attributes as stored (decimal text, as DynamoDB returns
 * numbers): counts as numbers, the cost as an exact BigInt. Attributes written before issue 12 are
 * added in: `cached_prompt_tokens` to cache_read_tokens, `cost_micros` × 1,000,000 to cost_picos.
 * A value that is not a whole number reads as 0 (no writer of ours makes one).
 */
export function rollupAmountsOf(numbers: Readonly<Record<string, string | undefined>>): RollupAmounts {
  const count = (name: string): number => {
    const value = Number(numbers[name] ?? 0);
    return Number.isFinite(value) ? value : 0;
  };
  const whole = (name: string): bigint => wholeNumberOf(numbers[name]) ?? 0n;
  const amounts = Object.fromEntries(ROLLUP_COUNT_NAMES.map((name) => [name, count(name)])) as Record<RollupCountName, number>;
  amounts.cache_read_tokens += count('cached_prompt_tokens');
  return { ...amounts, cost_picos: whole('cost_picos') + whole('cost_micros') * PICOS_PER_MICRO };
}

/**
 * A whole number from DynamoDB's decimal text, exactly: `40012200000`, or with an exponent
 * (`4.00122E+10`, as a store keeping numbers normalised may answer). Undefined when it is not whole.
 */
export function wholeNumberOf(text: string | undefined): bigint | undefined {
  const match = text === undefined ? null : /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return undefined;
  const [, integer, fraction = '', exponent = '0'] = match;
  const shift = Number(exponent) - fraction.length;
  // No sum of ours comes near 10^60 pico-dollars; a larger exponent is not one of ours (and 10n ** it would take long).
  if (Math.abs(shift) > 60) return undefined;
  const digits = BigInt(`${integer}${fraction}`);
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return digits % divisor === 0n ? digits / divisor : undefined;
}

/** The numeric attributes a roll-up item may hold, the current ones and those written before issue 12. */
export const STORED_ROLLUP_NUMBER_NAMES = [...ROLLUP_AMOUNT_NAMES, 'cached_prompt_tokens', 'cost_micros'] as const;

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
