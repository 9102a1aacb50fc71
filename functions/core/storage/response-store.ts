import type { JsonObject } from '../openai/openai-types.js';

/**
 * One response created through `POST /v1/responses` with `store` not false, as the gateway keeps it.
 * Native responses (served by OpenAI or Azure) are kept by the provider: the gateway keeps only who
 * owns them and which deployment holds them. Translated ones are kept whole here.
 */
export interface StoredResponse {
  readonly id: string;
  /** The tenant whose key created it (`master` for the master key): only that tenant may read it. */
  readonly tenantId: string;
  readonly keyId: string;
  /** The deployment that served it: a native follow-up must go there (the provider holds the state). */
  readonly deploymentId: string;
  /** The public model name the client asked for. */
  readonly model: string;
  readonly mode: 'native' | 'translated';
  readonly createdAtSeconds: number;
  /** Translated only: every item of the conversation up to and including this response's output (for `previous_response_id`). */
  readonly conversation?: readonly JsonObject[];
  /** Translated only: this request's own input items (for `GET …/input_items`). */
  readonly inputItems?: readonly JsonObject[];
  /** Translated only: the Response object (for `GET /v1/responses/{id}`). */
  readonly response?: JsonObject;
}

/**
 * Where stored responses live (DynamoDB on Lambda, memory locally without DynamoDB). Every read and
 * delete is scoped to a tenant: another tenant's id is indistinguishable from a missing one.
 */
export interface ResponseStore {
  /** Keeps `record` until `expiresAtSeconds` (epoch seconds); `json` is the record serialised once by the caller, which bounded its size. */
  put(record: StoredResponse, json: string, expiresAtSeconds: number): Promise<void>;
  /** The record, unless missing, another tenant's, or expired at `nowSeconds`. */
  get(tenantId: string, id: string, nowSeconds: number): Promise<StoredResponse | undefined>;
  /** Removes the tenant's record; false when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/**
 * The largest record kept, in bytes of JSON: DynamoDB refuses items above 400 KB, and a margin
 * covers the key and attribute names. A larger conversation is not stored (logged, and the
 * response says so in `x-gateway-response-stored: false`); a follow-up naming it gets a 404.
 */
export const MAX_STORED_RESPONSE_BYTES = 350 * 1024;

/** Default lifetime of a stored response (`general_settings.response_ttl_days`). */
export const DEFAULT_RESPONSE_TTL_DAYS = 30;

/** Responses an in-memory store keeps at most, and their size in all (characters of JSON); the oldest go first. */
const IN_MEMORY_RESPONSES = 1_000;
const IN_MEMORY_CHARACTERS = 64 * 1024 * 1024;

/** A store in this process's memory, bounded in count and size: for gateways without DynamoDB (the local server without tenancy, tests). */
export function createInMemoryResponseStore(options: { maxResponses?: number; maxCharacters?: number } = {}): ResponseStore {
  const maxResponses = options.maxResponses ?? IN_MEMORY_RESPONSES;
  const maxCharacters = options.maxCharacters ?? IN_MEMORY_CHARACTERS;
  const records = new Map<string, { record: StoredResponse; expiresAtSeconds: number; characters: number }>();
  let characters = 0;
  const keyOf = (tenantId: string, id: string) => JSON.stringify([tenantId, id]);
  const remove = (key: string) => {
    characters -= records.get(key)?.characters ?? 0;
    return records.delete(key);
  };
  return {
    async put(record, json, expiresAtSeconds) {
      const key = keyOf(record.tenantId, record.id);
      remove(key);
      records.set(key, { record, expiresAtSeconds, characters: json.length });
      characters += json.length;
      // A Map iterates in insertion order: the first key is the oldest.
      while (records.size > maxResponses || (characters > maxCharacters && records.size > 1)) remove(records.keys().next().value as string);
    },
    async get(tenantId, id, nowSeconds) {
      const kept = records.get(keyOf(tenantId, id));
      if (kept === undefined) return undefined;
      if (kept.expiresAtSeconds <= nowSeconds) {
        remove(keyOf(tenantId, id));
        return undefined;
      }
      return kept.record;
    },
    async delete(tenantId, id) {
      return remove(keyOf(tenantId, id));
    },
  };
}
