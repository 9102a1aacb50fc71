/**
 * Validation of admin request bodies. Every failure is an InvalidRequestError naming
 * the offending field in `param`; messages describe the rule, never echo long values.
 */
import { MASTER_SCOPE } from '../usage/usage-record.js';
import { InvalidRequestError } from '../errors.js';
import { parseJsonBody } from '../openai/validate-request.js';
import { BUDGET_DURATIONS, type BudgetDuration } from '../tenancy/tenancy-types.js';
import { isWellFormedText, parseMetadata } from '../storable-metadata.js';

/** USD; budgets are counted in micro-dollars, so a larger one is a typo, and 1e308 would overflow the counters. */
export const MAX_BUDGET_USD = 1_000_000_000;
/** Budgets are counted in whole micro-dollars: a finer amount would be enforced as something else than shown. */
export const BUDGET_DECIMALS = 6;
/** Far above any provider's own rate limits; a bound keeps a limit a limit, not a typo the counters carry forever. */
export const MAX_RPM_LIMIT = 1_000_000_000;
export const MAX_TPM_LIMIT = 1_000_000_000_000;
/** Requests in flight at once for one tenant or key; beyond this the limit means nothing on one deployment. */
export const MAX_PARALLEL_REQUESTS = 100_000;
/** Names of a tenant, a key or a model, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 256;
export const MAX_MODELS = 256;
/** The latest `expires_at`: later instants have no 4-digit-year ISO-8601 form. */
const MAX_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The fields a tenant's body may set (`id` is handled apart: it is only given at creation). */
export interface TenantFields {
  name: string;
  max_budget: number;
  budget_duration: BudgetDuration;
  rpm_limit: number;
  tpm_limit: number;
  models: string[];
  end_user_max_budget: number;
  max_parallel_requests: number;
  metadata: Record<string, unknown>;
}

/** The fields a key's body may set (`tenant_id` only at creation; `duration` becomes `expires_at`). */
export interface KeyFields {
  name: string;
  models: string[];
  max_budget: number;
  budget_duration: BudgetDuration;
  rpm_limit: number;
  tpm_limit: number;
  expires_at: string;
  allow_routing_overrides: boolean;
  max_parallel_requests: number;
  metadata: Record<string, unknown>;
}

/** A validated body: a value sets the field, `null` clears it, an absent key leaves it. */
export type FieldChanges<F> = { [K in keyof F]?: F[K] | null };

type Parsers<F> = { [K in keyof F]: (value: unknown, field: string) => F[K] };

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/;
const DURATION = /^([1-9]\d{0,5})([smhdw])$/;
const DURATION_UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The request body as a JSON object; 400 when it is not JSON, not an object, or nested too deeply (the gateway's own parser). */
export function parseJsonObject(body: Uint8Array): Record<string, unknown> {
  return parseJsonBody(body);
}

export function parseTenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_ID.test(value)) {
    throw new InvalidRequestError(
      "'id' must be 1 to 63 characters of lower-case letters, digits, '_' and '-', starting with a letter or digit.",
      'id',
    );
  }
  // The master key's own scope in usage records, roll-ups and stored responses: a tenant of that name would share them.
  if (value === MASTER_SCOPE) throw new InvalidRequestError(`'id' must not be '${MASTER_SCOPE}': it names the master key's own usage and responses.`, 'id');
  return value;
}

export function parseTenantReference(value: unknown, field = 'tenant_id'): string {
  if (typeof value !== 'string' || value === '' || !isWellFormedText(value)) {
    throw new InvalidRequestError(`'${field}' must be a non-empty string.`, field);
  }
  return value;
}

/** The fields of a tenant body (create or PATCH); `id` must be taken out by the caller. */
export function parseTenantFields(body: Record<string, unknown>, notPatchable: readonly string[] = []): FieldChanges<TenantFields> {
  return parseFields(body, TENANT_PARSERS, { notClearable: ['name'], notPatchable });
}

/** The fields of a key body; `now` (ms) bounds `expires_at` and turns `duration` into one. */
export function parseKeyFields(
  body: Record<string, unknown>,
  nowMs: number,
  notPatchable: readonly string[] = [],
): FieldChanges<KeyFields> {
  const { duration, ...rest } = body;
  const changes = parseFields(rest, keyParsers(nowMs), { notClearable: [], notPatchable });
  if (duration !== undefined && duration !== null) {
    if (changes.expires_at !== undefined) {
      throw new InvalidRequestError("Give either 'expires_at' or 'duration', not both.", 'duration');
    }
    const expiresAtMs = nowMs + parseDuration(duration, 'duration');
    if (expiresAtMs > MAX_EXPIRY_MS) throw new InvalidRequestError("'duration' ends after the year 9999.", 'duration');
    changes.expires_at = new Date(expiresAtMs).toISOString();
  }
  return changes;
}

/** Applies validated changes to `target`: values set, `null` removes (metadata becomes `{}`). */
export function applyChanges<T extends { metadata: Record<string, unknown> }, F>(target: T, changes: FieldChanges<F>): T {
  const result: Record<string, unknown> = { ...target };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null) {
      if (field === 'metadata') result.metadata = {};
      else delete result[field];
    } else {
      result[field] = value;
    }
  }
  return result as T;
}

/** `30d`, `12h`, `15m`, `90s`, `2w` in milliseconds. */
export function parseDuration(value: unknown, field: string): number {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match) {
    throw new InvalidRequestError(
      `'${field}' must be a positive whole number followed by s, m, h, d or w, e.g. '30d' or '12h'.`,
      field,
    );
  }
  return Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
}

function parseFields<F>(
  body: Record<string, unknown>,
  parsers: Parsers<F>,
  rules: { notClearable: readonly string[]; notPatchable: readonly string[] },
): FieldChanges<F> {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (rules.notPatchable.includes(field)) {
      throw new InvalidRequestError(`'${field}' cannot be changed with this request.`, field);
    }
    if (!Object.hasOwn(parsers, field)) {
      throw new InvalidRequestError(`Unrecognized request argument supplied: ${field}`, field);
    }
    if (value === null) {
      if (rules.notClearable.includes(field)) {
        throw new InvalidRequestError(`'${field}' cannot be null.`, field);
      }
      changes[field] = null;
      continue;
    }
    const parse = parsers[field as keyof F];
    changes[field] = parse(value, field);
  }
  return changes as FieldChanges<F>;
}

const parseRpmLimit = positiveIntegerUpTo(MAX_RPM_LIMIT);
const parseTpmLimit = positiveIntegerUpTo(MAX_TPM_LIMIT);
const parseParallelRequests = positiveIntegerUpTo(MAX_PARALLEL_REQUESTS);

const TENANT_PARSERS: Parsers<TenantFields> = {
  name: parseName,
  max_budget: parseBudget,
  budget_duration: parseBudgetDuration,
  rpm_limit: parseRpmLimit,
  tpm_limit: parseTpmLimit,
  models: parseModels,
  end_user_max_budget: parseBudget,
  max_parallel_requests: parseParallelRequests,
  metadata: parseMetadata,
};

function keyParsers(nowMs: number): Parsers<KeyFields> {
  return {
    name: parseName,
    models: parseModels,
    max_budget: parseBudget,
    budget_duration: parseBudgetDuration,
    rpm_limit: parseRpmLimit,
    tpm_limit: parseTpmLimit,
    expires_at: (value, field) => parseFutureTimestamp(value, field, nowMs),
    allow_routing_overrides: parseBoolean,
    max_parallel_requests: parseParallelRequests,
    metadata: parseMetadata,
  };
}

function parseName(value: unknown, field: string): string {
  if (!isName(value)) {
    throw new InvalidRequestError(`'${field}' must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`, field);
  }
  return value;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_NAME_LENGTH && isWellFormedText(value);
}

function parseBudget(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_BUDGET_USD) {
    throw new InvalidRequestError(`'${field}' must be a number of US dollars from 0 to ${MAX_BUDGET_USD}.`, field);
  }
  // Exact for every amount written with at most 6 decimals: value * 1e6 stays below 2^53.
  const scale = 10 ** BUDGET_DECIMALS;
  if (Math.round(value * scale) / scale !== value) {
    throw new InvalidRequestError(`'${field}' may have at most ${BUDGET_DECIMALS} decimal places (budgets are counted in micro-dollars).`, field);
  }
  return value;
}

function positiveIntegerUpTo(maximum: number): (value: unknown, field: string) => number {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > maximum) {
      throw new InvalidRequestError(`'${field}' must be a positive integer of at most ${maximum}.`, field);
    }
    return value;
  };
}

function parseBudgetDuration(value: unknown, field: string): BudgetDuration {
  if (typeof value !== 'string' || !(BUDGET_DURATIONS as readonly string[]).includes(value)) {
    throw new InvalidRequestError(`'${field}' must be one of ${BUDGET_DURATIONS.join(', ')}.`, field);
  }
  return value as BudgetDuration;
}

function parseModels(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_MODELS || !value.every(isName)) {
    throw new InvalidRequestError(
      `'${field}' must be an array of at most ${MAX_MODELS} non-empty model names of at most ${MAX_NAME_LENGTH} characters each.`,
      field,
    );
  }
  return [...new Set(value as string[])];
}

function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidRequestError(`'${field}' must be true or false.`, field);
  return value;
}

function parseFutureTimestamp(value: unknown, field: string, nowMs: number): string {
  const time = typeof value === 'string' ? parseIsoTimestamp(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new InvalidRequestError(`'${field}' must be an ISO-8601 date-time, e.g. 2030-01-31T00:00:00Z.`, field);
  }
  if (time <= nowMs) throw new InvalidRequestError(`'${field}' must be in the future.`, field);
  if (time > MAX_EXPIRY_MS) throw new InvalidRequestError(`'${field}' must be before the year 10000.`, field);
  return new Date(time).toISOString();
}

/**
 * Epoch ms of an ISO-8601 date or date-time, NaN unless every part is in range: `Date.parse`
 * alone rolls `2030-02-31` over to March and takes `T24:00`.
 */
function parseIsoTimestamp(text: string): number {
  const match = ISO_8601.exec(text);
  if (!match) return Number.NaN;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  const validDate = date.getUTCFullYear() === year && date.getUTCMonth() === (month as number) - 1 && date.getUTCDate() === day;
  if (!validDate || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
  return Date.parse(text);
}
