/**
 * Cost queries over the usage table: roll-up reports (`GET /admin/usage`) and raw request
 * pages (`GET /admin/usage/requests`). Pure: the store, the time and the query come in.
 *
 * Every report reads one roll-up partition, chosen from the filters (layout and partitions:
 * usage-table-layout.ts); every request page reads the tenant's day partitions, newest day
 * first. Sums are made in integer pico-dollars (BigInt, exact) and turned into USD only for output.
 *
 * A run (`run_id`) is always a tenant's: the report needs `tenant_id` with it (400 otherwise),
 * since two tenants may name their runs alike. Filter values are bounded the way stored values
 * are (`keyPart`), so a value the aggregator had to shorten is still found by its full text.
 */
import { InvalidRequestError } from '../errors.js';
import type { UsageRecord } from './usage-record.js';
import { formatPicosAsUsd, picosToUsd } from '../pricing/cost.js';
import { ROLLUP_COUNT_NAMES, type RollupAmounts, type RollupCountName, type RollupRow, type UsageQueryStore } from './usage-query-store.js';
import { keyPart, usageKeys, type RollupDimension } from './usage-table-layout.js';

export const USAGE_GROUP_BYS = ['day', 'hour', 'model', 'key', 'end_user'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BYS)[number];

/** Narrowing filters shared by both queries. */
export interface UsageFilters {
  tenant_id?: string;
  key_id?: string;
  model?: string;
  end_user?: string;
  run_id?: string;
}

/** The numbers of a total or a row; the cost is summed exactly in pico-dollars, then shown in USD. */
export interface UsageNumbers {
  requests: number;
  errors: number;
  /** Requests served by a deployment without a known price: their cost is a lower bound. */
  unpriced_requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  /** The exact total in pico-USD (1e-12), as decimal text: it may pass 2^53. */
  cost_picos: string;
  /** The exact total in USD (the double nearest it). */
  cost_usd: number;
}

/** The field a row's group value is shown in, per `group_by`. */
export const GROUP_FIELDS = { day: 'day', hour: 'hour', model: 'model', key: 'key_id', end_user: 'end_user' } as const;
export type UsageGroupField = (typeof GROUP_FIELDS)[UsageGroupBy];

export type UsageReportRow = Partial<Record<UsageGroupField, string>> & UsageNumbers;

/** The body of `GET /admin/usage`. For a run, `from`, `to` and `group_by` are null and there are no rows. */
export interface UsageReport {
  /** For a run: the tenant whose run it is (runs are counted per tenant). */
  tenant_id?: string;
  run_id?: string;
  /** The first bucket: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:00:00Z` for `group_by=hour`. */
  from: string | null;
  /** The last bucket, inclusive, in the same form. */
  to: string | null;
  group_by: UsageGroupBy | null;
  totals: UsageNumbers;
  rows: UsageReportRow[];
}

export type UsageReportQuery =
  | { kind: 'range'; filters: Omit<UsageFilters, 'run_id'>; groupBy: UsageGroupBy; from: string; to: string }
  | { kind: 'run'; tenantId: string; runId: string };

/** `GET /admin/usage/requests` after validation; `tenant_id` may still need resolving from `key_id`. */
export interface UsageRequestsQuery {
  filters: UsageFilters;
  /** Inclusive bounds, epoch ms. */
  fromMs: number;
  toMs: number;
  limit: number;
  cursor?: string;
}

/** The body of `GET /admin/usage/requests`: records newest first. */
export interface UsageRequestsPage {
  object: 'list';
  data: UsageRecord[];
  /** Pass as `cursor` for the next page; null when the range is exhausted. */
  next_cursor: string | null;
}

export const MAX_RANGE_DAYS = 366;
/** Buckets in the default range: the last 7 days (or 168 hours) up to and including now's. */
export const DEFAULT_RANGE_DAYS = 7;
export const DEFAULT_REQUESTS_LIMIT = 100;
export const MAX_REQUESTS_LIMIT = 1000;
/** Raw items one request page may read before it returns what it found (with a cursor to go on). */
export const MAX_RAW_ITEMS_READ_PER_PAGE = 2000;

const REPORT_PARAMETERS = ['tenant_id', 'key_id', 'end_user', 'model', 'run_id', 'from', 'to', 'group_by'] as const;
const REQUESTS_PARAMETERS = ['tenant_id', 'key_id', 'model', 'end_user', 'run_id', 'from', 'to', 'limit', 'cursor'] as const;
const FILTER_NAMES = ['tenant_id', 'key_id', 'model', 'end_user', 'run_id'] as const;
const MAX_FILTER_LENGTH = 256;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Sorts after every `<day>#<suffix>` sort key of that day and before the next day's ('#' < '$'). */
const DAY_SUFFIX_END = '$';
/** Sorts after every `<timestamp>#<request id>` sort key that starts with the same text. */
const RAW_SK_END = '~';

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Validates the query of `GET /admin/usage`. `nowMs` supplies the default range (the last 7
 * days up to now). Every failure is a 400 naming the parameter.
 */
export function parseUsageReportQuery(query: URLSearchParams, nowMs: number): UsageReportQuery {
  const values = readParameters(query, REPORT_PARAMETERS);
  const filters = readFilters(values);
  if (filters.run_id !== undefined) {
    // A run's roll-up is one item of its tenant's: no range, no groups, no other dimension.
    for (const name of REPORT_PARAMETERS) {
      if (name !== 'run_id' && name !== 'tenant_id' && values[name] !== undefined) {
        throw new InvalidRequestError(`'${name}' cannot be combined with 'run_id': a run has totals only.`, name);
      }
    }
    // Run ids are the clients' own, so the same id in two tenants is two runs: which one is meant must be said.
    if (filters.tenant_id === undefined) {
      throw new InvalidRequestError(
        "'run_id' requires 'tenant_id': runs are counted per tenant (tenant_id=master for the master key's runs).",
        'tenant_id',
      );
    }
    return { kind: 'run', tenantId: filters.tenant_id, runId: filters.run_id };
  }
  const groupBy = parseGroupBy(values.group_by);
  const unit = groupBy === 'hour' ? 'hour' : 'day';
  const { fromMs, toMs } = parseRange(values.from, values.to, nowMs, unit);
  const { run_id: _run, ...rest } = filters;
  return { kind: 'range', filters: rest, groupBy, from: bucketOf(fromMs, unit), to: bucketOf(toMs, unit) };
}

/**
 * Validates the query of `GET /admin/usage/requests`. Default range: the last 7 days up to now;
 * `limit` 1–1000, default 100.
 */
export function parseUsageRequestsQuery(query: URLSearchParams, nowMs: number): UsageRequestsQuery {
  const values = readParameters(query, REQUESTS_PARAMETERS);
  const filters = readFilters(values);
  const { fromMs, toMs } = parseRange(values.from, values.to, nowMs, 'day');
  const limit = parseLimit(values.limit);
  if (values.cursor !== undefined) decodeRequestsCursor(values.cursor);
  return { filters, fromMs, toMs, limit, ...(values.cursor === undefined ? {} : { cursor: values.cursor }) };
}

function readParameters<N extends string>(query: URLSearchParams, allowed: readonly N[]): Partial<Record<N, string>> {
  const values: Partial<Record<N, string>> = {};
  for (const name of new Set(query.keys())) {
    if (!(allowed as readonly string[]).includes(name)) {
      throw new InvalidRequestError(`Unrecognized query parameter: ${name}`, name);
    }
    const all = query.getAll(name);
    if (all.length > 1) throw new InvalidRequestError(`'${name}' may be given only once.`, name);
    const value = all[0] as string;
    if (value === '') throw new InvalidRequestError(`'${name}' must not be empty.`, name);
    values[name as N] = value;
  }
  return values;
}

function readFilters(values: Partial<Record<string, string>>): UsageFilters {
  const filters: UsageFilters = {};
  for (const name of FILTER_NAMES) {
    const value = values[name];
    if (value === undefined) continue;
    if (value.length > MAX_FILTER_LENGTH) {
      throw new InvalidRequestError(`'${name}' must be at most ${MAX_FILTER_LENGTH} characters.`, name);
    }
    filters[name] = value;
  }
  return filters;
}

function parseGroupBy(value: string | undefined): UsageGroupBy {
  if (value === undefined) return 'day';
  if (!(USAGE_GROUP_BYS as readonly string[]).includes(value)) {
    throw new InvalidRequestError(`'group_by' must be one of ${USAGE_GROUP_BYS.join(', ')}.`, 'group_by');
  }
  return value as UsageGroupBy;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_REQUESTS_LIMIT;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_REQUESTS_LIMIT)) {
    throw new InvalidRequestError(`'limit' must be a whole number from 1 to ${MAX_REQUESTS_LIMIT}.`, 'limit');
  }
  return limit;
}

/** `YYYY-MM-DD`, or a timestamp down to any precision, with an optional zone (UTC when absent). */
const DATE_OR_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An inclusive instant range in ms. `to` covers the whole unit it names: `to=2026-11-05` ends at
 * 23:59:59.999, `to=2026-11-05T10` at 10:59:59.999. Defaults: `to` now, `from` the start of the
 * bucket `DEFAULT_RANGE_DAYS` days (or that many × 24 hours) of buckets before `to`'s, inclusive.
 */
function parseRange(
  fromText: string | undefined,
  toText: string | undefined,
  nowMs: number,
  unit: 'day' | 'hour',
): { fromMs: number; toMs: number } {
  const toMs = toText === undefined ? nowMs : parseInstant(toText, 'to', 'end');
  const bucketMs = unit === 'hour' ? HOUR_MS : DAY_MS;
  const defaultBuckets = unit === 'hour' ? DEFAULT_RANGE_DAYS * 24 : DEFAULT_RANGE_DAYS;
  const fromMs =
    fromText === undefined
      ? floorTo(toMs, bucketMs) - (defaultBuckets - 1) * bucketMs
      : parseInstant(fromText, 'from', 'start');
  if (toMs < fromMs) {
    throw new InvalidRequestError(
      toText === undefined ? "'from' is in the future: 'to' defaults to now." : "'to' is before 'from'.",
      toText === undefined ? 'from' : 'to',
    );
  }
  const days = (floorTo(toMs, DAY_MS) - floorTo(fromMs, DAY_MS)) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new InvalidRequestError(`The range from 'from' to 'to' spans ${days} days; at most ${MAX_RANGE_DAYS} are allowed.`, 'from');
  }
  return { fromMs, toMs };
}

function parseInstant(text: string, param: string, edge: 'start' | 'end'): number {
  const match = DATE_OR_TIMESTAMP.exec(text);
  const invalid = () =>
    new InvalidRequestError(`'${param}' must be a date (2026-11-01) or an ISO-8601 timestamp (2026-11-01T13:00:00Z).`, param);
  if (!match) throw invalid();
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const numbers = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  const milliseconds = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d ||
    check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s
  ) {
    throw invalid();
  }
  const offsetMs = zone === undefined || zone === 'Z' ? 0 : zoneOffsetMs(zone);
  if (Number.isNaN(offsetMs)) throw invalid();
  const start = local - offsetMs;
  if (edge === 'start') return start;
  const unitMs =
    hour === undefined ? DAY_MS : minute === undefined ? HOUR_MS : second === undefined ? 60_000 : fraction === undefined ? 1_000 : 1;
  return start + unitMs - 1;
}

function zoneOffsetMs(zone: string): number {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!match) return Number.NaN;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return Number.NaN;
  return (match[1] === '-' ? -1 : 1) * (hours * HOUR_MS + minutes * 60_000);
}

function floorTo(ms: number, unitMs: number): number {
  return Math.floor(ms / unitMs) * unitMs;
}

/** `YYYY-MM-DD` or `YYYY-MM-DDTHH`: the sort-key form of the bucket holding `ms`. */
function bucketOf(ms: number, unit: 'day' | 'hour'): string {
  return new Date(ms).toISOString().slice(0, unit === 'hour' ? 13 : 10);
}

// ---------------------------------------------------------------------------------------------
// Reports over roll-ups

/** Which partition a report reads, its sk range, which rows count and which group each falls in. */
export interface RollupPlan {
  partition: string;
  fromSk: string;
  toSk: string;
  keep(row: RollupRow): boolean;
  /** The row's group value, in sort-key form (`day`, `hour`) or as the dimension's value. */
  groupOf(row: RollupRow): string;
}

/**
 * The one roll-up partition that answers a report, chosen from its filters and grouping:
 *   tenant, group_by=day|hour           tenant-day | tenant-hour
 *   tenant, group_by=model or model=    tenant-model-day
 *   tenant, group_by=key                tenant-key-day
 *   tenant, group_by=end_user or end_user=  tenant-enduser-day (end_user needs tenant_id)
 *   key_id=                             key-day of that key (rows of another tenant dropped)
 *   no tenant: day | hour | model       global-day | global-hour | global-model-day
 * Combinations no partition answers are 400s naming the parameter.
 */
export function planRollupQuery(query: Extract<UsageReportQuery, { kind: 'range' }>): RollupPlan {
  const { filters, groupBy, from, to } = query;
  const { tenant_id: tenant, key_id: key, model, end_user: endUser } = filters;
  const onDays = { fromSk: from.slice(0, 10), toSk: to.slice(0, 10) };
  const onDaySuffixes = { fromSk: `${from.slice(0, 10)}#`, toSk: `${to.slice(0, 10)}${DAY_SUFFIX_END}` };
  const suffixOf = (row: RollupRow) => row.sk.slice(11);
  const dayOf = (row: RollupRow) => row.sk.slice(0, 10);
  const all = () => true;
  const partition = (dimension: RollupDimension, scope: string) => usageKeys.rollupPartition(dimension, scope);
  const refuseGroup = (reason: string): never => {
    throw new InvalidRequestError(`'group_by=${groupBy}' ${reason}`, 'group_by');
  };
  const allowGroups = (allowed: readonly UsageGroupBy[], reason: string) => {
    if (!allowed.includes(groupBy)) refuseGroup(`${reason}; use ${allowed.map((name) => `group_by=${name}`).join(' or ')}.`);
  };

  if (endUser !== undefined) {
    if (tenant === undefined) throw new InvalidRequestError("'end_user' requires 'tenant_id'.", 'end_user');
    if (key !== undefined) throw new InvalidRequestError("'key_id' cannot be combined with 'end_user'.", 'key_id');
    if (model !== undefined) throw new InvalidRequestError("'model' cannot be combined with 'end_user'.", 'model');
    allowGroups(['day', 'end_user'], 'is not available with an end_user filter');
    return {
      partition: partition('tenant-enduser-day', tenant),
      ...onDaySuffixes,
      keep: (row) => suffixOf(row) === keyPart(endUser),
      groupOf: groupBy === 'day' ? dayOf : () => endUser,
    };
  }
  if (key !== undefined) {
    if (model !== undefined) throw new InvalidRequestError("'model' cannot be combined with 'key_id'.", 'model');
    allowGroups(['day', 'key'], 'is not available with a key_id filter');
    return {
      partition: partition('key-day', key),
      ...onDays,
      keep: tenant === undefined ? all : (row) => row.tenant_id === keyPart(tenant),
      groupOf: groupBy === 'day' ? dayOf : () => key,
    };
  }
  if (model !== undefined) {
    allowGroups(['day', 'model'], 'is not available with a model filter');
    return {
      partition: tenant === undefined ? partition('global-model-day', 'all') : partition('tenant-model-day', tenant),
      ...onDaySuffixes,
      keep: (row) => suffixOf(row) === keyPart(model),
      groupOf: groupBy === 'day' ? dayOf : () => model,
    };
  }
  const hourly = { fromSk: from, toSk: to, keep: all, groupOf: (row: RollupRow) => row.sk };
  if (tenant !== undefined) {
    switch (groupBy) {
      case 'day':
        return { partition: partition('tenant-day', tenant), ...onDays, keep: all, groupOf: dayOf };
      case 'hour':
        return { partition: partition('tenant-hour', tenant), ...hourly };
      case 'model':
        return { partition: partition('tenant-model-day', tenant), ...onDaySuffixes, keep: all, groupOf: (row) => row.model ?? suffixOf(row) };
      case 'key':
        return { partition: partition('tenant-key-day', tenant), ...onDaySuffixes, keep: all, groupOf: (row) => row.key_id ?? suffixOf(row) };
      case 'end_user':
        return { partition: partition('tenant-enduser-day', tenant), ...onDaySuffixes, keep: all, groupOf: (row) => row.end_user ?? suffixOf(row) };
    }
  }
  switch (groupBy) {
    case 'day':
      return { partition: partition('global-day', 'all'), ...onDays, keep: all, groupOf: dayOf };
    case 'hour':
      return { partition: partition('global-hour', 'all'), ...hourly };
    case 'model':
      return { partition: partition('global-model-day', 'all'), ...onDaySuffixes, keep: all, groupOf: (row) => row.model ?? suffixOf(row) };
    case 'key':
      return refuseGroup("requires 'tenant_id'.");
    case 'end_user':
      return refuseGroup("requires 'tenant_id'.");
  }
}

/** Runs a validated report query: one partition read, rows summed per group in pico-dollars. */
export async function queryUsageReport(store: UsageQueryStore, query: UsageReportQuery): Promise<UsageReport> {
  if (query.kind === 'run') {
    const runId = keyPart(query.runId);
    const rows = await store.queryRollups(usageKeys.rollupPartition('tenant-run', query.tenantId), runId, runId);
    return { tenant_id: query.tenantId, run_id: query.runId, from: null, to: null, group_by: null, totals: toNumbers(sumAmounts(rows)), rows: [] };
  }
  const plan = planRollupQuery(query);
  const rows = (await store.queryRollups(plan.partition, plan.fromSk, plan.toSk)).filter((row) => plan.keep(row));
  const groups = new Map<string, RollupAmounts>();
  for (const row of rows) {
    const group = plan.groupOf(row);
    groups.set(group, addAmounts(groups.get(group) ?? zeroAmounts(), row));
  }
  const field = GROUP_FIELDS[query.groupBy];
  const chronological = query.groupBy === 'day' || query.groupBy === 'hour';
  const ordered = [...groups.entries()].sort(([a, left], [b, right]) =>
    chronological ? compareText(a, b) : compareBigInt(right.cost_picos, left.cost_picos) || right.requests - left.requests || compareText(a, b),
  );
  return {
    from: displayBucket(query.from),
    to: displayBucket(query.to),
    group_by: query.groupBy,
    totals: toNumbers(sumAmounts(rows)),
    rows: ordered.map(([group, amounts]) => ({
      [field]: query.groupBy === 'hour' ? displayBucket(group) : group,
      ...toNumbers(amounts),
    })),
  };
}

/** `2026-11-01T13` → `2026-11-01T13:00:00Z`; days stay `YYYY-MM-DD`. */
function displayBucket(bucket: string): string {
  return bucket.length === 13 ? `${bucket}:00:00Z` : bucket;
}

function zeroAmounts(): RollupAmounts {
  return { ...(Object.fromEntries(ROLLUP_COUNT_NAMES.map((name) => [name, 0])) as Record<RollupCountName, number>), cost_picos: 0n };
}

function addAmounts(sum: RollupAmounts, row: RollupAmounts): RollupAmounts {
  const next = { ...sum };
  for (const name of ROLLUP_COUNT_NAMES) next[name] += row[name];
  next.cost_picos += row.cost_picos;
  return next;
}

function sumAmounts(rows: readonly RollupAmounts[]): RollupAmounts {
  return rows.reduce(addAmounts, zeroAmounts());
}

function toNumbers(amounts: RollupAmounts): UsageNumbers {
  const { cost_picos, ...counts } = amounts;
  return { ...counts, cost_picos: cost_picos.toString(), cost_usd: picosToUsd(cost_picos) };
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Raw request pages

/**
 * One page of a tenant's raw records, newest first: the day partitions from `to`'s day back to
 * `from`'s, the other filters applied to the items. A page holds `limit` records (it looks one
 * further, so `next_cursor` is null exactly when nothing is left), or stops after reading
 * MAX_RAW_ITEMS_READ_PER_PAGE items: then it may hold fewer, even none, with a `next_cursor`.
 * The cursor is the sort key of the last item accounted for: the next page starts just before it.
 */
export async function queryUsageRequests(
  store: UsageQueryStore,
  query: UsageRequestsQuery & { filters: UsageFilters & { tenant_id: string } },
): Promise<UsageRequestsPage> {
  const { filters, limit } = query;
  const tenant = filters.tenant_id;
  const lowest = new Date(query.fromMs).toISOString();
  const highest = `${new Date(query.toMs).toISOString()}${RAW_SK_END}`;
  const before = query.cursor === undefined ? undefined : decodeRequestsCursor(query.cursor);
  const upper = before === undefined || before > highest ? highest : before;
  // Stored records hold their values bounded (sanitize-usage-record.ts), so filters are bounded alike.
  const matches = (record: UsageRecord) =>
    (filters.key_id === undefined || record.key_id === keyPart(filters.key_id)) &&
    (filters.model === undefined || record.model === keyPart(filters.model)) &&
    (filters.end_user === undefined || record.end_user === keyPart(filters.end_user)) &&
    (filters.run_id === undefined || record.run_id === keyPart(filters.run_id));
  const filtered = filters.key_id !== undefined || filters.model !== undefined || filters.end_user !== undefined || filters.run_id !== undefined;

  const data: UsageRecord[] = [];
  const firstDay = lowest.slice(0, 10);
  let position = upper;
  let read = 0;
  for (let day = upper.slice(0, 10); day >= firstDay; day = previousDay(day)) {
    const fromSk = day === firstDay ? lowest : day;
    const toSk = day === upper.slice(0, 10) ? upper : `${day}${RAW_SK_END}`;
    let storeCursor: string | undefined;
    do {
      if (read >= MAX_RAW_ITEMS_READ_PER_PAGE) return { object: 'list', data, next_cursor: encodeRequestsCursor(position) };
      // One more than the page holds (to know whether another page exists), one more for the cursor's own item.
      const wanted = limit + 2 - data.length;
      const pageLimit = Math.min(MAX_REQUESTS_LIMIT, MAX_RAW_ITEMS_READ_PER_PAGE - read, filtered ? Math.max(wanted, 200) : wanted);
      const page = await store.queryRaw(usageKeys.rawPartition(tenant, day), fromSk, toSk, {
        limit: pageLimit,
        ...(storeCursor === undefined ? {} : { cursor: storeCursor }),
      });
      storeCursor = page.cursor;
      for (const record of page.items) {
        read += 1;
        const sk = usageKeys.raw(record).sk;
        if (sk === before) continue;
        if (!matches(record)) {
          position = sk;
          continue;
        }
        if (data.length === limit) return { object: 'list', data, next_cursor: encodeRequestsCursor(position) };
        data.push(record);
        position = sk;
      }
    } while (storeCursor !== undefined);
    position = `${previousDay(day)}${RAW_SK_END}`;
  }
  return { object: 'list', data, next_cursor: null };
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

function encodeRequestsCursor(before: string): string {
  return Buffer.from(JSON.stringify({ before }), 'utf8').toString('base64url');
}

/**
 * The sort key a request cursor points before; 400 naming `cursor` when it is not one of ours.
 * Ours are a few hundred characters; what one decodes to becomes a sort-key bound, which DynamoDB
 * refuses (a 500) beyond 1,024 bytes, so longer ones are refused here.
 */
function decodeRequestsCursor(cursor: string): string {
  if (/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) {
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      const before = typeof value === 'object' && value !== null ? (value as { before?: unknown }).before : undefined;
      if (typeof before === 'string' && /^\d{4}-\d{2}-\d{2}/.test(before)) return before;
    } catch {
      // Falls through to the error below.
    }
  }
  throw new InvalidRequestError("'cursor' is not a cursor this API returned.", 'cursor');
}

// ---------------------------------------------------------------------------------------------
// CSV

/** The columns of the raw-record CSV export, in order; `cost_usd` is the exact decimal of `cost_picos`. */
export const USAGE_RECORD_CSV_COLUMNS = [
  'timestamp', 'request_id', 'tenant_id', 'key_id', 'end_user', 'model', 'provider', 'upstream_model', 'deployment',
  'operation', 'status', 'error_code', 'stream', 'prompt_tokens', 'completion_tokens', 'cache_read_tokens',
  'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens', 'cost_picos', 'cost_usd', 'unpriced', 'estimated',
  'latency_ms', 'ttft_ms', 'attempts', 'fallback', 'tags', 'metadata', 'run_id', 'trace_id', 'traceparent',
] as const;

/** A header row and one line per record (RFC 4180: CRLF, fields quoted when needed). */
export function usageRecordsToCsv(records: readonly UsageRecord[]): string {
  const rows = records.map((record) => {
    const fields = record as unknown as Record<string, unknown>;
    return USAGE_RECORD_CSV_COLUMNS.map((column) => {
      if (column === 'cost_usd') return Number.isInteger(record.cost_picos) ? formatPicosAsUsd(BigInt(record.cost_picos)) : undefined;
      if (column === 'tags') return Array.isArray(record.tags) ? record.tags.join(',') : undefined;
      return fields[column];
    });
  });
  return formatCsv(USAGE_RECORD_CSV_COLUMNS, rows);
}

/**
 * RFC 4180 text: CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
 * doubled. Objects become JSON; absent values empty. Text that a spreadsheet would run as a
 * formula (starting with =, +, -, @, tab or CR) gets a leading `'`; numbers are left alone.
 */
export function formatCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'string') text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
