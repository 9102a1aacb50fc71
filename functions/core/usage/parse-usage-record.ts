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
export function parseUsageRecord(value: unknown): ParsedUsageRecord {
  if (!isPlainObject(value)) return problem('the record must be a JSON object');
  if (value['v'] !== 1) return problem('v: must be 1');

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
    operation: field('operation', isOperation, '"chat" or "embeddings"'),
    status: field('status', isHttpStatus, 'an HTTP status (an integer from 100 to 599)'),
    error_code: optional('error_code', isString, 'a string'),
    stream: field('stream', isBoolean, 'a boolean'),
    prompt_tokens: field('prompt_tokens', isCount, 'a non-negative integer'),
    completion_tokens: field('completion_tokens', isCount, 'a non-negative integer'),
    cached_prompt_tokens: field('cached_prompt_tokens', isCount, 'a non-negative integer'),
    reasoning_tokens: field('reasoning_tokens', isCount, 'a non-negative integer'),
    cost_micros: field('cost_micros', isCount, 'a non-negative integer'),
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

  // Every required field passed its check above; absent optional fields are dropped.
  const parsed = Object.fromEntries(Object.entries(record).filter(([, fieldValue]) => fieldValue !== undefined)) as unknown as UsageRecord;
  if (removed.length > 0) parsed.sanitized_fields = [...(parsed.sanitized_fields ?? []), ...removed.map((change) => change.field)];
  const { record: storable, changes } = sanitizeUsageRecord(parsed);
  const sanitized = [...removed, ...changes];
  return sanitized.length === 0 ? { ok: true, record: storable } : { ok: true, record: storable, sanitized };
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

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function isOperation(value: unknown): value is UsageRecord['operation'] {
  return value === 'chat' || value === 'embeddings';
}

/** The roll-up keys are slices of it (day = first 10, hour = first 13 characters), so its shape is exact. */
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** Also a real instant: Date.parse would roll 2026-02-30 over into March, so the date and time must survive a round trip. */
function isUtcTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !UTC_TIMESTAMP.test(value)) return false;
  const milliseconds = Date.parse(value);
  return !Number.isNaN(milliseconds) && new Date(milliseconds).toISOString().slice(0, 19) === value.slice(0, 19);
}
