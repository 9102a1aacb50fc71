import { InvalidRequestError } from '../errors.js';
import type { JsonObject } from '../openai/openai-types.js';
import { MAX_USAGE_VALUE_BYTES } from '../usage/bounded-text.js';
import { isWellFormedText, MAX_METADATA_BYTES, MAX_METADATA_DEPTH, parseMetadata } from '../storable-metadata.js';

/**
 * What a client says about its own request — its correlation id, end user, run, trace,
 * tags and metadata — checked and bounded at the edge. Each of these becomes a key (counter
 * scopes, usage roll-ups) or lands in a usage record, so a value DynamoDB cannot hold would
 * otherwise surface later as a failed admission or a dead-lettered record: it is a 400 here,
 * before authentication's result is spent on anything.
 */
export const ATTRIBUTION_LIMITS = {
  /** End users (`x-gateway-end-user`, the body's `user`): a counter scope and roll-up key part, stored as given. */
  endUserBytes: MAX_USAGE_VALUE_BYTES,
  /** `x-run-id`: a roll-up key part, stored as given. */
  runIdBytes: MAX_USAGE_VALUE_BYTES,
  /** `x-trace-id`: recorded for correlation. */
  traceIdBytes: 128,
  /** The body's `metadata`, serialised: kept in the usage record (DynamoDB items hold 400 KB). */
  metadataBytes: MAX_METADATA_BYTES,
  /** Levels of nesting inside `metadata` (DynamoDB's own limit is 32). */
  metadataDepth: MAX_METADATA_DEPTH,
  tagCount: 20,
  tagLength: 64,
} as const;

/** A client's `x-request-id`: echoed back and recorded, never used as a key. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/** W3C trace context: version-traceid-parentid-flags, lower-case hex. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface HeaderAttribution {
  endUser?: string;
  runId?: string;
  traceId?: string;
  traceparent?: string;
  tags: string[];
}

export interface BodyAttribution {
  endUser?: string;
  tags: string[];
  metadata?: Record<string, unknown>;
}

/** The client's `x-request-id` when well-formed (else it is ignored, as before: it was only ever a label). */
export function clientRequestIdOf(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = headers['x-request-id'];
  return value !== undefined && CLIENT_REQUEST_ID.test(value) ? value : undefined;
}

/** Attribution headers, each bounded; a malformed one is a 400 naming the header. */
export function readHeaderAttribution(headers: Readonly<Record<string, string | undefined>>): HeaderAttribution {
  const traceparent = headers['traceparent'];
  return {
    endUser: boundedIdentifier(headers['x-gateway-end-user'], 'x-gateway-end-user', ATTRIBUTION_LIMITS.endUserBytes),
    runId: boundedIdentifier(headers['x-run-id'], 'x-run-id', ATTRIBUTION_LIMITS.runIdBytes),
    traceId: boundedIdentifier(headers['x-trace-id'], 'x-trace-id', ATTRIBUTION_LIMITS.traceIdBytes),
    // An invalid traceparent is ignored, as W3C Trace Context asks of every participant.
    traceparent: traceparent !== undefined && TRACEPARENT.test(traceparent.trim()) ? traceparent.trim() : undefined,
    tags: collectTags(headers['x-gateway-tags'], undefined),
  };
}

/** The body's `user` and `metadata` (with its `tags`), each bounded; a bad one is a 400 naming the field. */
export function readBodyAttribution(body: JsonObject, headerTags: readonly string[]): BodyAttribution {
  const user = body['user'];
  const endUser = typeof user === 'string' ? boundedIdentifier(user, 'user', ATTRIBUTION_LIMITS.endUserBytes) : undefined;
  const metadata = body['metadata'];
  if (metadata === undefined || metadata === null) return { endUser, tags: [...headerTags] };
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidRequestError("Invalid type for 'metadata': expected an object.", 'metadata');
  }
  // The same rules as tenants' and keys' metadata: what DynamoDB can hold as given.
  parseMetadata(metadata, 'metadata');
  const { tags: _tags, ...rest } = metadata as Record<string, unknown>;
  return {
    endUser,
    tags: collectTags(headerTags.join(','), metadata),
    metadata: Object.keys(rest).length > 0 ? rest : undefined,
  };
}

/** Tags from `x-gateway-tags: a,b` and the body's `metadata.tags` (string or list), de-duplicated and bounded. */
export function collectTags(header: string | undefined, metadata: unknown): string[] {
  const fromHeader = header === undefined ? [] : header.split(',');
  const bodyTags = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['tags'] : undefined;
  const fromBody = typeof bodyTags === 'string' ? bodyTags.split(',') : Array.isArray(bodyTags) ? bodyTags.filter((tag): tag is string => typeof tag === 'string') : [];
  const tags = [...fromHeader, ...fromBody].map((tag) => stripControl(tag).trim().slice(0, ATTRIBUTION_LIMITS.tagLength)).filter((tag) => tag !== '');
  return [...new Set(tags)].slice(0, ATTRIBUTION_LIMITS.tagCount);
}

/** Empty means absent; otherwise at most `maxBytes` of UTF-8 with no control characters. */
function boundedIdentifier(value: string | undefined, param: string, maxBytes: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new InvalidRequestError(`Invalid '${param}': longer than ${maxBytes} bytes.`, param, 'invalid_value');
  }
  if (CONTROL_CHARACTERS.test(value) || !isWellFormedText(value)) {
    throw new InvalidRequestError(`Invalid '${param}': control characters and unpaired surrogates are not allowed.`, param, 'invalid_value');
  }
  return value;
}

// C0 and C1 controls, and DEL: nothing a label needs, and they garble log lines and CSV exports.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u001f\u007f-\u009f]/g;

function stripControl(value: string): string {
  return value.replace(CONTROL_CHARACTERS_GLOBAL, '');
}
