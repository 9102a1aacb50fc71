import { MAX_METADATA_DEPTH } from '../storable-metadata.js';
import { boundText, isStorableText, wellFormed } from './bounded-text.js';
import type { UsageAttempt, UsageRecord } from './usage-record.js';

/** `metadata` as JSON, at most; the gateway itself accepts 16 KB. Keeps the raw item far below DynamoDB's 400 KB. */
export const MAX_METADATA_JSON_BYTES = 64 * 1024;
/** Tags kept per record; the gateway itself accepts 20. */
export const MAX_TAGS = 64;

/** One change made to store a record: the field, and what was done (never the value). */
export interface UsageSanitization {
  field: string;
  reason: string;
}

/** Top-level text fields: each becomes a key part or an attribute, so each is bounded. */
const TEXT_FIELDS = [
  'request_id', 'client_request_id', 'tenant_id', 'key_id', 'end_user', 'model', 'requested_model', 'provider',
  'upstream_model', 'deployment', 'error_code', 'traceparent', 'trace_id', 'run_id',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

const TRUNCATED = `longer than the stored bound or not well-formed UTF-16, kept as a prefix and a hash`;

/**
 * The record as the usage table can always store it, and what had to change. Records come from
 * the gateway (which bounds client-chosen values at its edge) but also from older gateways and
 * replayed log lines, and a record the table refuses is dead-lettered and missing from every
 * report; so instead each client-chosen value is bounded here:
 * - text fields and tags: `boundText` (prefix + hash when over 256 bytes or not well-formed),
 *   so distinct values stay distinct and keys stay within DynamoDB's limits; at most 64 tags;
 * - `metadata`: keys DynamoDB cannot store (`__proto__`, the empty key) removed; numbers outside
 *   DynamoDB's range kept as text; dropped whole when deeper than 16 levels or over 64 KB as JSON.
 * The names of the fields changed are added to `sanitized_fields`. Deterministic and idempotent:
 * a redelivered record gets the same keys, and a sanitised record passes through unchanged.
 */
export function sanitizeUsageRecord(record: UsageRecord): { record: UsageRecord; changes: UsageSanitization[] } {
  const changes: UsageSanitization[] = [];
  const sanitized: UsageRecord = { ...record };
  const fields = sanitized as unknown as Record<string, unknown>;

  for (const field of TEXT_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && !isStorableText(value)) {
      fields[field] = boundText(value);
      changes.push({ field, reason: TRUNCATED });
    }
  }
  if (sanitized.run_id === '') {
    // An empty run names no run: the sort key of a run roll-up cannot be empty.
    delete sanitized.run_id;
    changes.push({ field: 'run_id', reason: 'empty, removed' });
  }

  // `?? []`: a record built by hand (a replay, a test) may lack tags; nothing is added then.
  const tags = sanitizeTags(sanitized.tags ?? []);
  if (tags.reason !== undefined) {
    sanitized.tags = tags.value;
    changes.push({ field: 'tags', reason: tags.reason });
  }

  if (sanitized.attempt_log !== undefined) {
    const attempts = sanitized.attempt_log.map(boundAttempt);
    if (attempts.some((attempt, index) => attempt !== sanitized.attempt_log![index])) {
      sanitized.attempt_log = attempts;
      changes.push({ field: 'attempt_log', reason: TRUNCATED });
    }
  }

  if (sanitized.metadata !== undefined) {
    const metadata = sanitizeMetadata(sanitized.metadata);
    if (metadata.reasons.length > 0) {
      if (metadata.value === undefined) delete sanitized.metadata;
      else sanitized.metadata = metadata.value;
      changes.push({ field: 'metadata', reason: metadata.reasons.join('; ') });
    }
  }

  const flagged = sanitizeTags(sanitized.sanitized_fields ?? []).value;
  const names = [...new Set([...flagged, ...changes.map((change) => change.field)])].sort();
  if (names.length > 0 && names.join() !== (sanitized.sanitized_fields ?? []).join()) sanitized.sanitized_fields = names;
  return { record: sanitized, changes };
}

function sanitizeTags(tags: readonly string[]): { value: string[]; reason?: string } {
  const reasons: string[] = [];
  let value = [...tags];
  if (value.length > MAX_TAGS) {
    value = value.slice(0, MAX_TAGS);
    reasons.push(`more than ${MAX_TAGS}, the rest removed`);
  }
  if (value.some((tag) => !isStorableText(tag))) {
    value = value.map((tag) => boundText(tag));
    reasons.push(TRUNCATED);
  }
  return reasons.length === 0 ? { value } : { value, reason: reasons.join('; ') };
}

function boundAttempt(attempt: UsageAttempt): UsageAttempt {
  const texts = ['model', 'deployment', 'provider', 'error_code'] as const;
  if (texts.every((name) => attempt[name] === undefined || isStorableText(attempt[name]))) return attempt;
  const bounded = { ...attempt };
  for (const name of texts) {
    const value = bounded[name];
    if (value !== undefined) bounded[name] = boundText(value);
  }
  return bounded;
}

/**
 * `metadata` as DynamoDB stores it, with the reasons it had to change; `value` undefined when
 * it is dropped whole. The depth is checked first and without recursing past the bound, so a
 * 100,000-level value cannot overflow the stack here.
 */
function sanitizeMetadata(metadata: Record<string, unknown>): { value?: Record<string, unknown>; reasons: string[] } {
  // As deep as the gateway itself accepts (DynamoDB refuses items nested over 32 levels; the record and `metadata` take two).
  if (deeperThan(metadata, MAX_METADATA_DEPTH)) return { reasons: [`deeper than ${MAX_METADATA_DEPTH} levels, dropped`] };
  const reasons = new Set<string>();
  const value = storableJson(metadata, reasons) as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_JSON_BYTES) {
    return { reasons: [`over ${MAX_METADATA_JSON_BYTES} bytes as JSON, dropped`] };
  }
  return { value, reasons: [...reasons] };
}

/** True when `value` holds objects or arrays more than `levels` deep (a flat object is 1 level). */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => deeperThan(child, levels - 1));
}

/**
 * A copy DynamoDB accepts: no `__proto__` key (assigning it would set the copy's prototype, and
 * the AWS SDK sends an empty attribute for it), no empty key, strings well-formed, numbers within
 * DynamoDB's range (magnitude 1e-130 to below 1e126) or else kept as their text.
 */
function storableJson(value: unknown, reasons: Set<string>): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = wellFormed(value);
    if (text !== value) reasons.add('text that is not well-formed UTF-16 repaired');
    return text;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      reasons.add('a number JSON cannot hold replaced by null');
      return null;
    }
    const magnitude = Math.abs(value);
    if (magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126)) return value;
    reasons.add("a number outside DynamoDB's range kept as text");
    return String(value);
  }
  if (Array.isArray(value)) return value.map((element) => storableJson(element === undefined ? null : element, reasons));
  if (typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      if (key === '__proto__' || key === '') {
        reasons.add(key === '' ? 'an empty key removed' : 'a __proto__ key removed');
        continue;
      }
      const name = wellFormed(key);
      if (name !== key) reasons.add('a key that is not well-formed UTF-16 repaired');
      copy[name] = storableJson(field, reasons);
    }
    return copy;
  }
  reasons.add('a value JSON cannot hold removed');
  return null;
}
