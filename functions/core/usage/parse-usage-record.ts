import { PICOS_PER_MICRO } from '../pricing/cost.js';
import { picosToUsd } from '../pricing/cost.js';
import { sanitizeUsageRecord, type UsageSanitization } from './sanitize-usage-record.js';
import type { UsageAttempt, UsageRecord } from './usage-record.js';

/** `sanitized` lists what had to change for the record to be storable; absent when nothing did. */
export type ParsedUsageRecord =
  | { ok: true; record: UsageRecord; sanitized?: UsageSanitization[] }
  | { ok: false; problem: string };

/**
 * Checks an unknown JSON value (a parsed SQS message body) against the UsageRecord contract.
 * On success the record holds the known fields only (unknown ones are dropped, optional ones
 * given as `null` are left out). A problem names the field and what was expected, never the
 * value found: usage records may carry end-user ids and metadata, and problems are logged.
 *
 * Only the gateway's own fields can make a record malformed. A client-chosen value (end user,
 * run id, tags, metadata, trace ids, the client's request id) of the wrong type is removed, and
 * one too long or unstorable is bounded (`sanitizeUsageRecord`), with the change listed in
 * `sanitized`: the request's cost is counted either way, never dead-lettered over such a value.
 */
export function parseUsageRecord(input: unknown): ParsedUsageRecord {
  if (!isPlainObject(input)) return problem('the record must be a JSON object');
  if (input['v'] !== 1 && input['v'] !== 2) return problem('v: must be 1 or 2');
  const value = upgradeUsageRecord(input);

  const problems: string[] = [];
  const field = <T>(name: string, check: (candidate: unknown) => candidate is T, expected: string): T | undefined => {
    const candidate = value[name];
    if (check(candidate)) return candidate;
    problems.push(`${name}: ${candidate === undefined || candidate === null ? 'missing' : `must be ${expected}`}`);
    return undefined;
  };
  const optional = <T>(name: string, check: (candidate: unknown) => candidate is T, expected: string): T | undefined => {
    const candidate = value[name];
    if (candidate === undefined || candidate === null) return undefined;
    if (check(candidate)) return candidate;
    problems.push(`${name}: must be ${expected} when present`);
    return undefined;
  };
  const removed: UsageSanitization[] = [];
  const clientChosen = <T>(name: string, check: (candidate: unknown) => candidate is T, expected: string): T | undefined => {
    const candidate = value[name];
    if (candidate === undefined || candidate === null) return undefined;
    if (check(candidate)) return candidate;
    removed.push({ field: name, reason: `not ${expected}, removed` });
    return undefined;
  };

  const record = {
    v: 1,
    request_id: field('request_id', isNonEmptyString, 'a non-empty string'),
    timestamp: field('timestamp', isUtcTimestamp, 'an ISO-8601 UTC timestamp (yyyy-mm-ddThh:mm:ss[.sss]Z)'),
    tenant_id: field('tenant_id', isNonEmptyString, 'a non-empty string'),
    key_id: field('key_id', isNonEmptyString, 'a non-empty string'),
    end_user: clientChosen('end_user', isString, 'a string'),
    model: field('model', isNonEmptyString, 'a non-empty string'),
    requested_model: optional('requested_model', isNonEmptyString, 'a non-empty string'),
    provider: field('provider', isString, 'a string'),
    upstream_model: field('upstream_model', isString, 'a string'),
    deployment: field('deployment', isString, 'a string'),
    operation: field('operation', isOperation, '"chat", "embeddings" or "responses"'),
    status: field('status', isHttpStatus, 'an HTTP status (an integer from 100 to 599)'),
    error_code: optional('error_code', isString, 'a string'),
    stream: field('stream', isBoolean, 'a boolean'),
    prompt_tokens: field('prompt_tokens', isCount, 'a non-negative integer'),
    completion_tokens: field('completion_tokens', isCount, 'a non-negative integer'),
    cache_read_tokens: field('cache_read_tokens', isCount, 'a non-negative integer'),
    cache_write_tokens: field('cache_write_tokens', isCount, 'a non-negative integer'),
    cache_write_1h_tokens: field('cache_write_1h_tokens', isCount, 'a non-negative integer'),
    reasoning_tokens: field('reasoning_tokens', isCount, 'a non-negative integer'),
    cost_picos: field('cost_picos', isWholeAmount, 'a non-negative integer'),
    unpriced: optional('unpriced', isBoolean, 'a boolean'),
    estimated: field('estimated', isBoolean, 'a boolean'),
    latency_ms: field('latency_ms', isDuration, 'a non-negative number'),
    ttft_ms: optional('ttft_ms', isDuration, 'a non-negative number'),
    attempts: field('attempts', isCount, 'a non-negative integer'),
    fallback: field('fallback', isBoolean, 'a boolean'),
    attempt_log: optional('attempt_log', isAttemptLog, 'an array of {model, deployment, provider, status, latency_ms, error_code?}'),
    tags: stringsOf(value['tags'], removed),
    metadata: clientChosen('metadata', isPlainObject, 'a JSON object'),
    traceparent: clientChosen('traceparent', isString, 'a string'),
    trace_id: clientChosen('trace_id', isString, 'a string'),
    run_id: clientChosen('run_id', isString, 'a string'),
    client_request_id: clientChosen('client_request_id', isNonEmptyString, 'a non-empty string'),
    sanitized_fields: optional('sanitized_fields', isStringArray, 'an array of strings'),
    upstream_usage_rejected: optional('upstream_usage_rejected', isBoolean, 'a boolean'),
  };
  if (problems.length > 0) return problem(problems.join('; '));

  // Every required field passed its check above; absent optional fields are dropped. cost_usd is derived, never trusted.
  const parsed = Object.fromEntries(Object.entries(record).filter(([, fieldValue]) => fieldValue !== undefined)) as unknown as UsageRecord;
  parsed.v = 2;
  parsed.cost_usd = picosToUsd(BigInt(parsed.cost_picos));
  if (removed.length > 0) parsed.sanitized_fields = [...(parsed.sanitized_fields ?? []), ...removed.map((change) => change.field)];
  const { record: storable, changes } = sanitizeUsageRecord(parsed);
  const sanitized = [...removed, ...changes];
  return sanitized.length === 0 ? { ok: true, record: storable } : { ok: true, record: storable, sanitized };
}

/**
 * A version-1 record in version 2's fields (a copy; version 2 is returned as it is): `cached_prompt_tokens`
 * becomes `cache_read_tokens`, `cost_micros` becomes `cost_picos` (× 1,000,000), and the cache writes it
 * never counted are 0. The old names are kept as aliases only here: records queued or stored before
 * issue 12 are read, not rewritten. Unchecked: parseUsageRecord validates what this returns.
 */
export function upgradeUsageRecord(value: Record<string, unknown>): Record<string, unknown> {
  if (value['v'] !== 1) return value;
  const { cached_prompt_tokens: cacheRead, cost_micros: micros, ...rest } = value;
  return {
    ...rest,
    v: 2,
    cache_read_tokens: rest['cache_read_tokens'] ?? cacheRead,
    cache_write_tokens: rest['cache_write_tokens'] ?? 0,
    cache_write_1h_tokens: rest['cache_write_1h_tokens'] ?? 0,
    cost_picos: rest['cost_picos'] ?? (isCount(micros) ? micros * Number(PICOS_PER_MICRO) : micros),
  };
}

/** Tags are the client's: a value that is not an array counts as none, elements that are not strings are removed. */
function stringsOf(value: unknown, removed: UsageSanitization[]): string[] {
  if (value === undefined || value === null) return [];
  const strings = Array.isArray(value) ? value.filter(isString) : [];
  if (!Array.isArray(value) || strings.length !== value.length) removed.push({ field: 'tags', reason: 'not an array of strings, the rest removed' });
  return strings;
}

function isAttemptLog(value: unknown): value is UsageAttempt[] {
  return Array.isArray(value) && value.every((attempt) =>
    isPlainObject(attempt)
    && isNonEmptyString(attempt['model'])
    && isString(attempt['deployment'])
    && isString(attempt['provider'])
    && isHttpStatus(attempt['status'])
    && isDuration(attempt['latency_ms'])
    && (attempt['error_code'] === undefined || isString(attempt['error_code'])));
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function problem(text: string): ParsedUsageRecord {
  return { ok: false, problem: text };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

/** Sums are made in these: an integer within the range a double holds exactly. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** An exact integer-valued amount; above Number.MAX_SAFE_INTEGER it is the nearest double (a request costing over $9,007). */
function isWholeAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function isOperation(value: unknown): value is UsageRecord['operation'] {
  return value === 'chat' || value === 'embeddings' || value === 'responses';
}

/** The roll-up keys are slices of it (day = first 10, hour = first 13 characters), so its shape is exact. */
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** Also a real instant: Date.parse would roll 2026-02-30 over into March, so the date and time must survive a round trip. */
function isUtcTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !UTC_TIMESTAMP.test(value)) return false;
  const milliseconds = Date.parse(value);
  return !Number.isNaN(milliseconds) && new Date(milliseconds).toISOString().slice(0, 19) === value.slice(0, 19);
}
