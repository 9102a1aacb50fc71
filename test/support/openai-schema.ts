/**
 * Validators for gateway responses against the OpenAI API's own OpenAPI
 * description (the subset extracted by scripts/extract-openai-schemas.ts into
 * test/fixtures/openai-spec/openai-schemas.json; MIT, see the LICENSE file there).
 *
 * The spec is OpenAPI 3.1 (JSON Schema 2020-12) with a few OpenAPI-isms:
 *  - `nullable: true` is rewritten here to "also allow null" before compiling;
 *  - `discriminator` is handed to ajv's own discriminator support;
 *  - `x-oaiTypeLabel`, `x-stainless-*`, `x-oaiMeta`, `example` etc. are ignored
 *    (`strict: false`);
 *  - the custom formats `unixtime` and `float` are registered below.
 *
 * The spec is NOT loosened anywhere except through SPEC_RELAXATIONS below.
 * Note that none of the extracted schemas sets `additionalProperties: false`,
 * so extra provider fields (`reasoning_content`, `x_groq`, extra usage
 * counters, ...) pass as far as the spec is concerned.
 * Also note the spec's `Model` schema lacks `type: "object"` (see assertModel).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const SCHEMAS_URL = new URL('../fixtures/openai-spec/openai-schemas.json', import.meta.url);
const DOCUMENT_ID = 'openai-schemas.json';
const MAX_ERRORS_SHOWN = 12;
const MAX_EXCERPT_CHARS = 600;

type JsonObject = { [key: string]: unknown };

interface SpecRelaxation {
  /** components.schemas entry to patch. */
  schema: string;
  /** Path of property names from that schema to the object schema that carries `required`. */
  path: readonly string[];
  /** Field removed from that object's `required` list. */
  notRequired: string;
  /** Why real responses need it. */
  reason: string;
}

/**
 * Explicit, minimal deviations from the spec. Each entry only drops one field
 * from one `required` list; nothing else about the schema changes.
 *
 * Currently empty: the recorded real OpenAI responses (chat completion, stream
 * chunks, embeddings) all validate against the spec as published.
 */
const SPEC_RELAXATIONS: readonly SpecRelaxation[] = [];

const SCHEMA_NAMES = {
  chatCompletion: 'CreateChatCompletionResponse',
  chatCompletionChunk: 'CreateChatCompletionStreamResponse',
  embeddingResponse: 'CreateEmbeddingResponse',
  modelList: 'ListModelsResponse',
  model: 'Model',
  errorResponse: 'ErrorResponse',
  response: 'Response',
  responseStreamEvent: 'ResponseStreamEvent',
} as const;

/** A root schema above, or one a root references (e.g. the event schema `ResponseTextDeltaEvent`). */
type SchemaName = (typeof SCHEMA_NAMES)[keyof typeof SCHEMA_NAMES] | (string & {});

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns a copy of `node` with every OpenAPI `nullable: true` turned into a
 * JSON Schema construct that also accepts null:
 *  - plain `type: "x"` (no `$ref`) becomes `type: ["x", "null"]`, with `null`
 *    appended to any `enum`;
 *  - anything else (e.g. `$ref` + `nullable`) becomes `anyOf: [<schema>, {type: "null"}]`.
 * `nullable: false` is simply dropped.
 */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!isObject(node)) return node;

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewriteNullable(value);

  if (typeof out.nullable !== 'boolean') return out;
  const nullable = out.nullable;
  delete out.nullable;
  if (!nullable) return out;

  if (typeof out.type === 'string' && out.$ref === undefined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function applyRelaxations(schemas: JsonObject): void {
  for (const relaxation of SPEC_RELAXATIONS) {
    let target: unknown = schemas[relaxation.schema];
    for (const segment of relaxation.path) target = isObject(target) ? target[segment] : undefined;
    const where = [relaxation.schema, ...relaxation.path].join('.');
    if (!isObject(target) || !Array.isArray(target.required)) {
      throw new Error(`Spec relaxation target ${where} has no "required" list; re-check SPEC_RELAXATIONS`);
    }
    if (!target.required.includes(relaxation.notRequired)) {
      throw new Error(
        `Spec relaxation for ${where}: "${relaxation.notRequired}" is no longer required; remove the relaxation`,
      );
    }
    target.required = target.required.filter((field) => field !== relaxation.notRequired);
  }
}

/**
 * ajv's discriminator support needs every `oneOf` member to fix the property with an `enum` or
 * `const` of its own; a few Responses API unions do not (members built with `allOf`, such as
 * `FunctionToolCallOutputResource` in `OutputItem`, a nullable `type` in `ItemReferenceParam`, a
 * `$recursiveRef` in `CompoundFilter`, two members sharing a value) and would not compile; nor would a discriminator beside an
 * `anyOf` (`ResponseStreamEvent`). Those unions lose only the `discriminator` hint: the `oneOf` or
 * `anyOf` itself still holds.
 */
function dropUnmappableDiscriminators(schemas: JsonObject): void {
  const resolve = (member: unknown): unknown => {
    let node = member;
    for (let hops = 0; isObject(node) && typeof node.$ref === 'string' && hops < 16; hops += 1) {
      node = schemas[node.$ref.slice(node.$ref.lastIndexOf('/') + 1)];
    }
    return node;
  };
  /** The values a member fixes the property to, or undefined when it fixes none. */
  const fixedValues = (member: unknown, property: string): unknown[] | undefined => {
    const node = resolve(member);
    const schema = isObject(node) && isObject(node.properties) ? node.properties[property] : undefined;
    if (!isObject(schema)) return undefined;
    if (Array.isArray(schema.enum)) return schema.enum;
    return schema.const !== undefined ? [schema.const] : undefined;
  };
  const mappable = (members: unknown, property: unknown): boolean => {
    if (typeof property !== 'string' || !Array.isArray(members)) return false;
    const seen = new Set<unknown>();
    for (const member of members) {
      const values = fixedValues(member, property);
      if (values === undefined) return false;
      for (const value of values) {
        if (typeof value !== 'string' || seen.has(value)) return false;
        seen.add(value);
      }
    }
    return true;
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    if (isObject(node.discriminator) && !mappable(node.oneOf, node.discriminator.propertyName)) delete node.discriminator;
    Object.values(node).forEach(visit);
  };
  visit(schemas);
}

let cachedAjv: Ajv2020 | undefined;
const cachedValidators = new Map<SchemaName, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (cachedAjv) return cachedAjv;

  const document = rewriteNullable(JSON.parse(readFileSync(SCHEMAS_URL, 'utf8')));
  const schemas = isObject(document) && isObject(document.components) ? document.components.schemas : undefined;
  if (!isObject(schemas)) throw new Error(`${SCHEMAS_URL.pathname} has no components.schemas`);
  applyRelaxations(schemas);
  dropUnmappableDiscriminators(schemas);

  const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
  // ajv-formats is CommonJS: under NodeNext its default export is reached via `.default`.
  addFormatsModule.default(ajv);
  // OpenAI-specific formats used by the spec.
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addSchema(document as JsonObject, DOCUMENT_ID);

  cachedAjv = ajv;
  return ajv;
}

function getValidator(name: SchemaName): ValidateFunction {
  let validate = cachedValidators.get(name);
  if (!validate) {
    validate = getAjv().getSchema(`${DOCUMENT_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`Schema ${name} missing from ${SCHEMAS_URL.pathname}`);
    cachedValidators.set(name, validate);
  }
  return validate;
}

function formatError(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
  return `${at} ${error.message ?? error.keyword}${params}`;
}

function excerpt(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS)}… (${text.length} chars)` : text;
}

function assertMatches(name: SchemaName, value: unknown): void {
  const validate = getValidator(name);
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const lines = errors.slice(0, MAX_ERRORS_SHOWN).map((error) => `  - ${formatError(error)}`);
  if (errors.length > MAX_ERRORS_SHOWN) lines.push(`  … and ${errors.length - MAX_ERRORS_SHOWN} more`);
  throw new Error(
    `Value does not match OpenAI schema ${name}:\n${lines.join('\n')}\nValue: ${excerpt(value)}`,
  );
}

/** Non-streaming `POST /v1/chat/completions` body (CreateChatCompletionResponse). */
export function assertChatCompletion(value: unknown): void {
  assertMatches(SCHEMA_NAMES.chatCompletion, value);
}

/** One parsed SSE `data:` chunk of a streaming chat completion (CreateChatCompletionStreamResponse). */
export function assertChatCompletionChunk(value: unknown): void {
  assertMatches(SCHEMA_NAMES.chatCompletionChunk, value);
}

/** `POST /v1/embeddings` body (CreateEmbeddingResponse). */
export function assertEmbeddingResponse(value: unknown): void {
  assertMatches(SCHEMA_NAMES.embeddingResponse, value);
}

/** `GET /v1/models` body (ListModelsResponse). */
export function assertModelList(value: unknown): void {
  assertMatches(SCHEMA_NAMES.modelList, value);
}

/**
 * `GET /v1/models/{model}` body (Model).
 * Caveat: the spec's `Model` schema has no `type: "object"`, so non-objects
 * (`null`, `"x"`, `42`) pass here and as `ListModelsResponse.data` items.
 */
export function assertModel(value: unknown): void {
  assertMatches(SCHEMA_NAMES.model, value);
}

/** Error body (ErrorResponse): `{ error: { message, type, param, code } }`. */
export function assertErrorResponse(value: unknown): void {
  assertMatches(SCHEMA_NAMES.errorResponse, value);
}

/** A Responses API `Response` object (`POST /v1/responses` body, `GET /v1/responses/{id}`). */
export function assertResponse(value: unknown): void {
  assertMatches(SCHEMA_NAMES.response, value);
}

let eventSchemaByType: Map<string, string> | undefined;

/** `type` → the event schema of ResponseStreamEvent's `anyOf` that fixes that type. */
function eventSchemaFor(type: string): string | undefined {
  if (!eventSchemaByType) {
    const document = JSON.parse(readFileSync(SCHEMAS_URL, 'utf8')) as { components: { schemas: Record<string, JsonObject> } };
    const schemas = document.components.schemas;
    eventSchemaByType = new Map();
    for (const ref of (schemas[SCHEMA_NAMES.responseStreamEvent]!.anyOf as Array<{ $ref: string }>)) {
      const name = ref.$ref.split('/').pop()!;
      const typeSchema = (schemas[name]?.properties as Record<string, JsonObject> | undefined)?.type;
      for (const value of (typeSchema?.enum as string[] | undefined) ?? []) eventSchemaByType.set(value, name);
    }
  }
  return eventSchemaByType.get(type);
}

/**
 * One parsed SSE `data:` event of a streamed Response (ResponseStreamEvent). The spec's union is
 * an `anyOf`, which alone would let an event pass as some other event; so the event is also
 * checked against the one schema whose `type` it names (an unknown type fails).
 */
export function assertResponseStreamEvent(value: unknown): void {
  const type = isObject(value) ? value.type : undefined;
  const schema = typeof type === 'string' ? eventSchemaFor(type) : undefined;
  if (schema === undefined) throw new Error(`Not a ResponseStreamEvent type: ${excerpt(type)}`);
  // The named schema first: its errors are readable, the union's list every other event too.
  assertMatches(schema, value);
  assertMatches(SCHEMA_NAMES.responseStreamEvent, value);
}
